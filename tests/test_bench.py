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

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


def p50_ms(report: str, label: str) -> float:
    """The median latency of a row of the bench's table (its third column)."""
    found = re.search(rf"^\| {re.escape(label)} \| [\d,.]+ \| ([\d,.]+) \|", report, re.MULTILINE)
    assert found, f"no figures for {label!r} in:\n{report}"
    return float(found.group(1).replace(",", ""))


COLD = "Chart, first render (score, 1 year)"
CACHED = "Chart, cached (score, 1 year)"


def assert_drawn_each_time(cold_ms: float, cached_ms: float) -> None:
    """A first-render chart is drawn on each request: had the cache served it, it would be as
    fast as the cached one (the bench also says when a run went round all its charts)."""
    assert cold_ms > 3 * cached_ms, (cold_ms, cached_ms)


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script, with the test's own arguments
        [sys.executable, "scripts/bench.py", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_quick_bench_measures_every_page_and_leaves_the_doc_alone():
    before = DOC.read_bytes() if DOC.exists() else None
    result = bench("--quick")
    assert result.returncode == 0, result.stdout + result.stderr
    report = result.stdout
    assert "Runs: every response checked and good." in report
    # A page read is run twice (--quick's repeats) and the median run kept; a save, once.
    assert "Each page read run 2 times" in report
    assert report.count("\n  Dashboard: ") == 2
    assert report.count("\n  Save an entry (htmx POST): ") == 1
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
    assert_drawn_each_time(p50_ms(report, COLD), p50_ms(report, CACHED))
    assert "Static files: brotli and gzip, far-future cache for hashed names" in report
    assert "Wrote the tables" not in report
    assert (DOC.read_bytes() if DOC.exists() else None) == before


def test_quick_figures_are_never_written_to_the_doc():
    result = bench("--quick", "--doc", str(DOC))
    assert result.returncode == 2
    assert "never writes --doc" in result.stderr
