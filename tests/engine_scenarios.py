"""The identification Driver and its fixtures, shared by the engine scenario tests."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "engine"))

from test_identification_cases import *  # noqa: E402,F401,F403
from test_identification_cases import identification, start  # noqa: E402,F401
