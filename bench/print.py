"""Printing: seconds per one-case process trail and per 100-case batch, against a bare
WeasyPrint render of one A4 page of Chinese text in the same run.

The one-case trail is what a click on "print" costs: the engine's printout view (case view,
trail, verification, the print recorded in the global chain) plus the PDF. The batch is what
the worker does for a job of N cases (views, one PDF per case, the table of contents).

    python bench/print.py [--cases N] [--repeat R]
"""
from __future__ import annotations

import argparse
import os
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


def timed(work) -> tuple[float, float, object]:
    """Wall and CPU seconds (this process, ``time.process_time``) of ``work()``, and its
    result. The machine is shared: CPU time is what the render itself costs, wall time
    also holds the waits for a core."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def bare_page(font: str) -> tuple[float, float]:
    """Seconds for WeasyPrint alone: one A4 page of Chinese paragraphs, no tables."""
    from weasyprint import HTML

    html = BARE.format(font=font, rows="<p>入户核实 村级民主评议 乡镇审核 县级审批 王建国</p>" * 30)
    wall, cpu, _ = timed(lambda: HTML(string=html).write_pdf())
    return wall, cpu


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


def median(pairs, index: int) -> float:
    return statistics.median(pair[index] for pair in pairs)


def phases(eng, auditor, repeat: int) -> dict[str, float]:
    """Median CPU seconds of each part of a one-case trail."""
    import printouts

    parts: dict[str, list[float]] = {"view": [], "html": [], "layout": [], "pdf": []}
    for _ in range(repeat):
        _, view, printout = timed(lambda: eng.printout(1, auditor, "trail", NOW))
        _, html, page = timed(lambda: printouts.trail_html(printout, "http://x"))
        _, layout, document = timed(lambda: printouts._document(page))
        _, pdf, _ = timed(document.write_pdf)
        for name, seconds in zip(parts, (view, html, layout, pdf)):
            parts[name].append(seconds)
    return {name: statistics.median(values) for name, values in parts.items()}


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

        def trail() -> bytes:
            return printouts.render_trail(eng.printout(1, auditor, "trail", NOW), "http://x")

        bare_page(font)  # warm-up: fonts loaded once per process
        first = trail()
        pages = len(printouts._document(printouts.trail_html(
            eng.printout(1, auditor, "trail", NOW), "http://x")).pages)
        load = os.getloadavg()[0]
        # Interleaved, so that a change in the machine's load touches both alike.
        bares, trails = [], []
        for _ in range(args.repeat):
            bares.append(bare_page(font))
            trails.append(timed(trail)[:2])
        bare, bare_cpu = median(bares, 0), median(bares, 1)
        one, one_cpu = median(trails, 0), median(trails, 1)
        split = phases(eng, auditor, args.repeat)
        batch, batch_cpu, content = timed(lambda: printouts.render_batch(
            (eng.printout(c, auditor, "batch", NOW, record=False)
             for c in range(1, args.cases + 1)), "http://x", "批量"))
        print(f"load average at the start: {load:.1f} (2 cores); median of {args.repeat}; "
              f"wall / CPU seconds")
        print(f"bare WeasyPrint A4 page:  {bare:.3f} / {bare_cpu:.3f} s")
        print(f"one-case trail ({pages} page{'s' if pages > 1 else ''}):  {one:.3f} / "
              f"{one_cpu:.3f} s  ({one_cpu / bare_cpu:.1f}× the bare page in CPU; goal ≤ 0.5 s; "
              f"{len(first) // 1024} KiB)")
        print("  CPU by part: " + ", ".join(f"{name} {seconds * 1000:.0f} ms"
                                            for name, seconds in split.items()))
        print(f"{args.cases}-case batch:  {batch:.1f} / {batch_cpu:.1f} s  "
              f"({batch / args.cases:.3f} / {batch_cpu / args.cases:.3f} s per case, "
              f"{len(content) // 1024} KiB)")
        eng.dispose()


if __name__ == "__main__":
    main()
