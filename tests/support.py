"""Constants shared by the tests (importable because pytest puts tests/ on the path)."""
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)  # 10:00 in China
