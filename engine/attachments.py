"""Files attached to a case: meeting minutes, publicity photos, signed authorisations.

Only PDF, JPEG and PNG are accepted, recognised by their first bytes (the name and the
browser's content type are not trusted), up to a size limit. The content and its sha256 are
stored in the ``attachments`` table and the upload is recorded in the case's audit chain.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from . import access, audit
from .errors import Forbidden, InvalidData, NotFound
from .models import Attachment, Case, CaseStatus, User, WorkItem

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


def add(session: Session, case_id: int, work_item_id: int | None, user: User, filename: str,
        content_type: str, data: bytes, kind: str, now: datetime,
        max_bytes: int = MAX_BYTES) -> Attachment:
    """Attach a PDF, JPEG or PNG file to a running case; the upload is audited."""
    case = session.get(Case, case_id) if isinstance(case_id, int) else None
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    if not access.can_act(user):
        raise Forbidden(f"user {user.username} has no staff role and cannot attach files")
    access.check_area(user, case.area_code, f"case {case.id}")
    if case.status != CaseStatus.RUNNING.value:
        raise InvalidData(f"case {case.id} is {case.status}; files can only be attached to a "
                          f"running case", {"file": "case closed"})
    if work_item_id is not None:
        item = session.get(WorkItem, work_item_id)
        if item is None or item.case_id != case.id:
            raise NotFound(f"work item {work_item_id} does not belong to case {case.id}")
        access.check_item(user, item)
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
    detected_type, extension = detected
    digest = hashlib.sha256(data).hexdigest()
    name = clean_filename(filename, extension)
    attachment = Attachment(case_id=case.id, work_item_id=work_item_id, kind=kind,
                            filename=name, content_type=detected_type, size=len(data),
                            sha256=digest, content=data, uploaded_by=user.id, uploaded_at=now)
    session.add(attachment)
    session.flush()
    audit.record(session, case, "attachment_added", user, now,
                 data={"attachment_id": attachment.id, "filename": name, "sha256": digest,
                       "size": len(data), "kind": kind, "content_type": detected_type,
                       "declared_type": (content_type or "")[:100]},
                 work_item_id=work_item_id)
    return attachment


def list(session: Session, case_id: int) -> list[Attachment]:  # noqa: A001 - the brief's name
    """The case's attachments (without their content), oldest first."""
    return [*session.scalars(select(Attachment).where(Attachment.case_id == case_id)
                             .order_by(Attachment.uploaded_at, Attachment.id))]


def get(session: Session, user: User, attachment_id: int) -> Attachment:
    """One attachment with its content, if the user may read its case (any level of the area)."""
    attachment = session.scalars(select(Attachment).options(undefer(Attachment.content))
                                 .where(Attachment.id == attachment_id)).first()
    if attachment is None:
        raise NotFound(f"attachment {attachment_id} does not exist")
    case = session.get(Case, attachment.case_id)
    access.check_area(user, case.area_code, f"attachment {attachment_id}")
    return attachment
