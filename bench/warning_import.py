"""Department warning import vs a bare bulk insert of the same rows.

A CSV of N good rows (the demo county's villages, valid ID numbers) is checked (the
preview) and imported in chunks of 500, each its own committed transaction, through the
Engine's verbs. The baseline inserts the same N clue rows with one ``executemany`` in one
transaction, with no checks, no de-duplication and no progress. Prints rows/s for the
preview, the import and the baseline, and the ratios.

    python bench/warning_import.py [--rows N] [--db URL]
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from engine import Settings, build_engine, demo  # noqa: E402
from engine.clue_models import RiskClue  # noqa: E402

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
VILLAGES = ["东山村", "李家村", "西河村", "桃源村"]


def id_number(serial: int) -> str:
    """A valid ID number for a serial (distinct for serials below 3.6 million)."""
    day = date.fromordinal(date(1950, 1, 1).toordinal() + serial // 999)
    body = f"360799{day:%Y%m%d}{serial % 999 + 1:03d}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]


def warning_file(n: int, offset: int = 0) -> bytes:
    """A CSV with N good rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "身份证号", "所在村", "预警事由", "风险类型", "预警日期"])
    for i in range(n):
        writer.writerow([f"村民{i}", id_number(offset + i), VILLAGES[i % 4],
                         "医保比对：自付费用超预警线", "01", "2026-11-01"])
    return out.getvalue().encode("utf-8-sig")


def setup(url: str):
    """A fresh schema with the demo county."""
    eng = build_engine(Settings(database_url=url),
                       password_hasher=PasswordHasher(time_cost=1, memory_cost=1024))
    if eng.database.dialect.name == "postgresql":
        with eng.database.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    eng.migrate()
    demo.seed(eng, datetime.now(timezone.utc))
    return eng


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite)")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    eng = setup(url)
    county = eng.find_user("county1")
    n = args.rows

    began = time.perf_counter()
    view = eng.preview_warnings(county, "bench.csv", warning_file(n), "医保")
    preview = time.perf_counter() - began
    assert view.good_rows == n, view.good_rows
    began = time.perf_counter()
    done = eng.import_warnings(county, view.id)
    imported = time.perf_counter() - began
    assert done.imported == n, done.imported

    now = datetime.now(timezone.utc)
    rows = [{"id_number": id_number(10_000_000 + i)[:18], "name": f"村民{i}",
             "village_code": "360799100001", "source": "department_warning",
             "department": "medical_insurance", "reason": "医保比对：自付费用超预警线",
             "risk_types": ["01"], "found_on": date(2026, 11, 1), "status": "open",
             "open_key": None, "created_by": county.id, "created_at": now,
             "close_reason": ""} for i in range(n)]
    began = time.perf_counter()
    with eng.database.begin() as conn:
        conn.execute(insert(RiskClue.__table__), rows)
    bare = time.perf_counter() - began

    print(f"{eng.database.dialect.name}, {n} rows")
    print(f"preview (read + check):      {n / preview:10.0f} rows/s")
    print(f"import (500-row chunks):     {n / imported:10.0f} rows/s")
    print(f"baseline bare executemany:   {n / bare:10.0f} rows/s")
    print(f"ratio import/baseline time:  {imported / bare:10.1f}x")
    print(f"ratio preview+import/baseline: {(preview + imported) / bare:8.1f}x")
    eng.dispose()


if __name__ == "__main__":
    main()
