"""Printing: seconds per one-case process trail and per 100-case batch, against a bare
WeasyPrint render of one A4 page of Chinese text in the same run.

The one-case trail is what a click on "print" costs: the engine's printout view (case view,
trail, verification, the print recorded in the global chain) plus the PDF. The batch is what
the worker does for a job of N cases (views, one PDF per case, the table of contents).

    python bench/print.py [--cases N] [--repeat R]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

# Keep this folder off the import path (bench/ has modules named like packages).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher  # noqa: E402

from engine import Settings, build_engine, demo  # noqa: E402

NOW = datetime(2026, 11, 16, 1, tzinfo=timezone.utc)
BARE = ("<html><head><style>@page {{ size: A4; margin: 18mm }} html {{ font-family: '{font}' }}"
        "</style></head><body><h1>监测对象识别纳入流程记录</h1>{rows}</body></html>")


def bare_page(font: str) -> float:
    """Seconds for WeasyPrint alone: one A4 page of Chinese paragraphs, no tables."""
    from weasyprint import HTML

    html = BARE.format(font=font, rows="<p>入户核实 村级民主评议 乡镇审核 县级审批 王建国</p>" * 30)
    began = time.perf_counter()
    HTML(string=html).write_pdf()
    return time.perf_counter() - began


def id_number(n: int) -> str:
    """A valid 18-digit ID number (GB 11643 check digit) for bench household ``n``."""
    body = f"36079919700101{n:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def setup(folder: str, cases: int):
    """A SQLite database with the demo county and ``cases`` identification cases, each
    through home check, review and publicity (ten events)."""
    eng = build_engine(Settings(database_url=f"sqlite:///{folder}/print.sqlite",
                                audit_key="bench-print-audit-key-0001"),
                       password_hasher=PasswordHasher(time_cost=1, memory_cost=1024))
    eng.migrate()
    demo.seed(eng, NOW)
    eng.deploy_files([ROOT / "workflows" / "monitoring_identification.bpmn"], None, NOW)
    village, county = eng.find_user("village11"), eng.find_user("county1")
    for n in range(cases):
        household = eng.add_household(county, f"农户{n:03d}", id_number(n),
                                      "360799100001", 3, now=NOW)
        case = eng.start("monitoring_identification", village, {
            "household_id": household.id, "channel": "cadre_screening",
            "discovery_date": "2026-11-16", "risk_types": ["01", "07"],
            "commitment_signed": True, "green_channel": False}, NOW)
        steps = [{"checkers": ["王支书", "李队员"], "check_date": "2026-11-16",
                  "income_per_head": 5000, "annual_household_income": 20000,
                  "out_of_pocket_medical": 30000, "major_illness": True, "disability_grade": 0,
                  "sudden_shock": False, "rigid_spending": 35000, "formerly_poor": False},
                 {"decision": "approve", "meeting_date": "2026-11-16", "attendees": 25,
                  "votes_for": 24, "votes_against": 1},
                 {"publicity_start": "2026-11-17", "publicity_place": "村委会公示栏",
                  "publicity_days": 5}]
        items = case.items
        for step, data in enumerate(steps):
            done = eng.complete(items[0].id, village, data, NOW + timedelta(hours=step + 1))
            items = done.items
    return eng


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import printouts

    font = printouts.fonts.cjk_family()
    with tempfile.TemporaryDirectory() as folder:
        print(f"setting up {args.cases} cases …", flush=True)
        eng = setup(folder, args.cases)
        auditor = eng.find_user("auditor")
        bare_page(font)  # warm-up: fonts loaded once per process
        printouts.render_trail(eng.printout(1, auditor, "trail", NOW), "http://x")
        bare = statistics.median(bare_page(font) for _ in range(args.repeat))
        trail = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            printouts.render_trail(eng.printout(1, auditor, "trail", NOW), "http://x")
            trail.append(time.perf_counter() - began)
        one = statistics.median(trail)
        began = time.perf_counter()
        content = printouts.render_batch(
            (eng.printout(c, auditor, "batch", NOW, record=False)
             for c in range(1, args.cases + 1)), "http://x", "批量")
        batch = time.perf_counter() - began
        print(f"bare WeasyPrint A4 page:  {bare:.3f} s")
        print(f"one-case trail (2 pages): {one:.3f} s  ({one / bare:.1f}× the bare page; "
              f"goal ≤ 0.5 s)")
        print(f"{args.cases}-case batch:          {batch:.1f} s  ({batch / args.cases:.3f} s per "
              f"case, {len(content) // 1024} KiB)")
        eng.dispose()


if __name__ == "__main__":
    main()
