"""scripts/loadtest.py, run for a few seconds at two connections so that it can't rot.

`make loadtest` runs it for real (30 s at 16 connections); here it checks the same things on a
short run: no 5xx, every save accepted is in the database, every other save was a 409 conflict.
It runs against its own throwaway SQLite database and gunicorn on 127.0.0.1, whatever database
the test run uses.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_short_load_test_passes_its_checks():
    result = subprocess.run(
        [sys.executable, "scripts/loadtest.py", "--seconds", "3", "--connections", "2"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = result.stdout
    assert "| save (Saved) |" in report
    assert "- 5xx responses: 0" in report
    assert "- saves answered otherwise: 0" in report
    assert "- lost updates (two saves of a day accepted from the same version): 0" in report
    assert "Result: passed." in report
