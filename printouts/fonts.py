"""The CJK font printouts are set in, found at run time through fontconfig."""
from __future__ import annotations

import functools
import os
import shutil
import subprocess

# In order of preference: a serif face reads best on paper, a sans face is what Debian's
# fonts-noto-cjk always brings.
PREFERRED = ("Noto Serif CJK SC", "Source Han Serif SC", "Noto Sans CJK SC",
             "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "AR PL UMing CN", "AR PL UKai CN")


class NoCJKFont(RuntimeError):
    """No font that can set Chinese text is installed."""


@functools.lru_cache(maxsize=1)
def cjk_family() -> str:
    """The family name of the best installed Chinese font (``DIXIAN_PRINT_FONT`` wins)."""
    chosen = os.environ.get("DIXIAN_PRINT_FONT", "").strip()
    installed = _installed()
    if chosen:
        if chosen not in installed:
            known = ", ".join(sorted(installed)) or "none"
            raise NoCJKFont(f"DIXIAN_PRINT_FONT names {chosen!r}, which fontconfig does not "
                            f"know; installed Chinese fonts: {known}")
        return chosen
    for family in PREFERRED:
        if family in installed:
            return family
    simplified = sorted(f for f in installed if f.endswith((" SC", " CN")))
    if simplified or installed:
        return (simplified or sorted(installed))[0]
    raise NoCJKFont("no Chinese font is installed: printouts need one (on Debian: apt-get "
                    "install fonts-noto-cjk, which scripts/bootstrap-system.sh does)")


def _installed() -> set[str]:
    if shutil.which("fc-list") is None:
        raise NoCJKFont("fontconfig's fc-list is missing: install fontconfig and "
                        "fonts-noto-cjk")
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                            check=False).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",")
            if name.strip()}
