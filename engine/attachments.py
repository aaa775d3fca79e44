"""Files attached to a case: meeting minutes, publicity photos, signed authorisations.

Only PDF, JPEG and PNG are accepted, recognised by their first bytes (the name and the
browser's content type are not trusted), up to a size limit. The content and its sha256 are
stored in the ``attachments`` table (by the store) and the upload is recorded in the case's
audit chain.
"""
from __future__ import annotations

import hashlib
import re

from .errors import InvalidData

MAX_BYTES = 10 * 1024 * 1024
# (magic prefix, content type, file extension)
SIGNATURES = ((b"%PDF-", "application/pdf", ".pdf"),
              (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
              (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))
KINDS = ("minutes", "publicity_photo", "authorisation", "other")


def sniff(data: bytes) -> tuple[str, str] | None:
    """``(content type, extension)`` recognised from the file's first bytes, or None."""
    for magic, content_type, extension in SIGNATURES:
        if data.startswith(magic):
            return content_type, extension
    return None


def clean_filename(filename: str, extension: str) -> str:
    """A file name without path or control characters, ending in the detected extension."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "", name).strip(" .") or "attachment"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return stem[:150] + extension


def check(data: bytes, kind: str, max_bytes: int) -> tuple[str, str]:
    """``(content type, extension)`` of an acceptable upload, else InvalidData saying why."""
    if kind not in KINDS:
        raise InvalidData(f"kind must be one of {', '.join(KINDS)}", {"kind": "invalid"})
    if not data:
        raise InvalidData("the file is empty", {"file": "empty"})
    if len(data) > max_bytes:
        raise InvalidData(f"the file has {len(data)} bytes; at most {max_bytes} are allowed",
                          {"file": "too large"})
    detected = sniff(data)
    if detected is None:
        raise InvalidData("only PDF, JPEG and PNG files are accepted", {"file": "type"})
    return detected


def digest(data: bytes) -> str:
    """The sha256 of the content, as stored and audited."""
    return hashlib.sha256(data).hexdigest()
