"""scripts/faults.py for a few seconds, so that `make faults` can't rot.

It starts the deployment of `make cluster` (its own PostgreSQL, Redis, two gunicorn servers and
nginx), saves through both servers while PostgreSQL restarts and Redis stops, and checks the
database: nothing lost, nothing written twice, no 500, no request past its timeout, recovery
without a restart. It runs in the PostgreSQL and Redis run of `make test`.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.postgres_run


def test_saves_survive_a_postgresql_restart_and_redis_down():
    result = subprocess.run(
        [sys.executable, "scripts/faults.py", "--seconds", "15", "--connections", "2"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = result.stdout
    assert result.returncode == 0, report + result.stderr
    assert "Faults: PostgreSQL restart at 3.0 s" in report
    assert "| Redis stopped | 6 |" in report
    assert "lost: 0; doubled: 0" in report
    assert "- 500 responses: 0;" in report
    assert "- still refused when the load ended: 0;" in report
    assert "'cache': 'ok'" in report
    assert "Result: passed." in report
