"""Reports: ``dixian report NAME --as USER [--from --to] [--area] [--process] [--xlsx FILE]``
and ``dixian report --list``."""
from __future__ import annotations

from pathlib import Path

import click

from .context import fail, transactional
from .output import Report, table

LANGUAGES = ("zh_CN", "en")


def words(value, lang: str):
    """A report label in the chosen language; other values as they are."""
    return value.get(lang) or value.get("zh_CN", "") if isinstance(value, dict) else value


def render(view, lang: str) -> str:
    """A report as text: title, filters, headline figures, tables and notes."""
    f = view.filters
    lines = [words(view.title, lang),
             f"{f.area_name} ({f.area})  {f.date_from} — {f.date_to}"
             + (f"  {f.process}" if f.process else "")]
    lines += [f"{words(h.title, lang)}: {words(h.value, lang)}" for h in view.headlines]
    for shown in view.tables:
        columns = [(words(c.title, lang), lambda row, i=i: words(row[i], lang))
                   for i, c in enumerate(shown.columns)]
        rows = list(shown.rows) + ([shown.total] if shown.total and shown.rows else [])
        lines += ["", words(shown.title, lang), table(rows, columns, words(shown.empty, lang),
                                                      "  ")]
    lines += [""] + [words(note, lang) for note in view.notes]
    return "\n".join(lines).rstrip()


@click.command()
@click.argument("name", required=False)
@click.option("--list", "listing", is_flag=True, help="list the reports")
@click.option("--as", "as_user", default=None, help="the user whose area the report covers")
@click.option("--area", default=None, help="a township or village code inside the user's area")
@click.option("--from", "date_from", default=None, help="first day YYYY-MM-DD")
@click.option("--to", "date_to", default=None, help="last day YYYY-MM-DD (default today)")
@click.option("--process", default=None, help="only cases of this process key")
@click.option("--xlsx", default=None, type=click.Path(dir_okay=False),
              help="also write the report to this Excel workbook")
@click.option("--lang", type=click.Choice(LANGUAGES), default="zh_CN",
              help="language of titles and labels")
@transactional(write=False)
def report(obj, name, listing, as_user, area, date_from, date_to, process, xlsx, lang):
    """Print a report of the user's area (统计报表), or list the reports."""
    if listing or not name:
        infos = obj.engine.report_list()
        return Report(infos, table(infos, [("name", "name"),
                                           ("title", lambda r: words(r.title, lang)),
                                           ("what", lambda r: words(r.description, lang))]),
                      ok=listing)
    if not as_user:
        fail("--as USER is required: a report covers that user's area")
    actor = obj.actor(as_user)
    view = obj.engine.report(name, actor, area, date_from, date_to, process, obj.now)
    text = render(view, lang)
    if xlsx:
        content = obj.engine.report_workbook(name, actor, area, date_from, date_to, process,
                                             obj.now)
        Path(xlsx).write_bytes(content)
        text += f"\nwrote {xlsx} ({len(content)} bytes)"
    return Report(view, text)


COMMANDS = [report]
