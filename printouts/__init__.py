"""Printouts: the engine's printout views laid out as A4 PDFs with WeasyPrint.

A front-end of the engine like the web application: it renders ``CasePrintout`` (trail,
approval sheet), ``PublicityNotice`` and batches of trails, and never queries the database.
Text is set in a Chinese font found at run time (``fonts``); pages are numbered
"第 N 页 共 M 页"; a trail carries a QR code of its case's verification page.
"""
from __future__ import annotations

import base64
import io
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

from engine import TIMEZONE, CasePrintout, PublicityNotice

from .fonts import NoCJKFont, cjk_family

__all__ = ["NoCJKFont", "render_batch", "render_notice", "render_sheet", "render_trail",
           "trail_html"]

TEMPLATES = Path(__file__).with_name("templates")


def _local(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(TIMEZONE).strftime(pattern)


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value, "%Y年%m月%d日").replace("年0", "年").replace("月0", "月")
    return f"{value.year}年{value.month}月{value.day}日"


def _fact(value) -> str:
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, date):
        return _day(value)
    return "" if value is None else str(value)


# The kinds of attached files (engine.attachments.KINDS) as the printouts name them.
ATTACHMENT_KINDS = {"minutes": "会议记录", "publicity_photo": "公示照片",
                    "authorisation": "签字的承诺授权书", "other": "其他"}


def _kind(code: str) -> str:
    return ATTACHMENT_KINDS.get(code, code)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(dt=_local, day=_day, fact=_fact, kind=_kind)
    return env


ENV = _environment()


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as a PNG data URI, one pixel a module: black on white, drawn
    without smoothing (``image-rendering: pixelated``), so every printer prints it sharp.
    (An SVG path of the same code took WeasyPrint about 15 ms a trail to parse and draw.)"""
    png = io.BytesIO()
    segno.make(url, error="m").save(png, kind="png", scale=1, border=2)
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()


def _page(template: str, base_url: str = "", **values) -> str:
    return ENV.get_template(template).render(font=cjk_family(), base_url=base_url.rstrip("/"),
                                             **values)


def trail_html(printout: CasePrintout, base_url: str) -> str:
    """One case's trail as a complete HTML page."""
    url = base_url.rstrip("/") + printout.verify_path
    return _page("trail.html", base_url, p=printout, qr=qr_data_uri(url), verify_url=url)


_LOCAL = threading.local()


def _tools():
    """This thread's WeasyPrint font configuration and parsed ``print.css``, kept across
    renders: a new font configuration per render looked the fonts up again through
    fontconfig, and the style sheet was parsed again (together about 15 ms a trail).
    Per thread, as Pango's font map is not shared between threads."""
    tools = getattr(_LOCAL, "tools", None)
    if tools is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        tools = _LOCAL.tools = (fonts, CSS(filename=str(TEMPLATES / "print.css"),
                                           font_config=fonts))
    return tools


def _document(html: str):
    from weasyprint import HTML

    fonts, sheet = _tools()
    return HTML(string=html, base_url=str(TEMPLATES)).render(font_config=fonts,
                                                              stylesheets=[sheet])


def render_trail(printout: CasePrintout, base_url: str) -> bytes:
    """The process trail of one case as a PDF."""
    return _document(trail_html(printout, base_url)).write_pdf()


def render_sheet(printouts: Iterable[CasePrintout]) -> bytes:
    """Approval sheets (审批表), one page per case, for filing."""
    return _document(_page("sheet.html", sheets=list(printouts))).write_pdf()


def render_notice(notice: PublicityNotice) -> bytes:
    """The village publicity notice as a PDF; numbered "第 N 页 共 M 页" when it runs to more
    than one page, so that a missing sheet on the notice board shows."""
    document = _document(_page("notice.html", n=notice, numbered=False))
    if len(document.pages) > 1:
        document = _document(_page("notice.html", n=notice, numbered=True))
    return document.write_pdf()


def render_batch(printouts: Iterable[CasePrintout], base_url: str, heading: str,
                 progress: Callable[[int], None] | None = None) -> bytes:
    """Several trails as one PDF after a table of contents; each trail keeps its own page
    numbers (it is filed as a document of its own). ``progress(n)`` after each case."""
    documents, entries = [], []
    for number, printout in enumerate(printouts, start=1):
        documents.append(_document(trail_html(printout, base_url)))
        entries.append(printout)
        if progress is not None:
            progress(number)

    def contents(offset: int):
        starts, page = [], offset + 1
        for document in documents:
            starts.append(page)
            page += len(document.pages)
        return _document(_page("contents.html", heading=heading,
                               entries=list(zip(entries, starts, documents))))

    toc = contents(0)
    toc = contents(len(toc.pages))
    pages = [page for document in [toc, *documents] for page in document.pages]
    return toc.copy(pages).write_pdf()
