"""scripts/bench_scale.py in its --quick mode, so that `make bench-scale` can't rot.

`make bench-scale` runs it for real (10,000 children, 18 million days, up to 30 minutes) and
writes docs/benchmarks.md; here 9 children then 40, a year each and 2 s a page, check that
every step works on the deployment of `make cluster`: the seeding, the COPY, wrk through nginx
on every page with every response checked, the query counts, the plans and the report. It runs
in the PostgreSQL and Redis run of `make test`.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_bench import CACHED, COLD, assert_drawn_each_time

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"

pytestmark = pytest.mark.postgres_run


def p50s(report: str, label: str) -> tuple[float, float]:
    """A row's median latency at the bench's children and at all, from the comparison table
    (request, share on SQLite, share before, share after, p50 before, p50 after, ...)."""
    for cells in comparison_rows(report):
        if cells[0] == label:
            return float(cells[4].replace(",", "")), float(cells[5].replace(",", ""))
    raise AssertionError(f"no comparison row for {label!r} in:\n{report}")


def comparison_rows(report: str) -> list[list[str]]:
    """The comparison table's rows, each as its 9 cells."""
    comparison = report.split("| request | share of bare, SQLite", 1)[1]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in comparison.splitlines()[2:]
    ]
    return [cells for cells in rows if len(cells) == 9]


def test_a_quick_scale_bench_measures_every_page_twice_and_leaves_the_doc_alone():
    before = DOC.read_bytes()
    result = subprocess.run(
        [sys.executable, "scripts/bench_scale.py", "--quick"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = result.stdout
    assert "Runs: every response checked and good." in report, report + result.stderr
    assert "days in" in report  # the COPY of the added children
    # One added child in five has its own possible-relapse rule: the table the pages read with
    # the child holds rows, as a live one does (31 added children: the 1st, 6th, ... 31st).
    assert "; 7 children with their own possible-relapse rule." in report
    for row in (
        "| Today form | ",
        "| Save an entry (htmx POST) | ",
        "| History page (4 weeks) | ",
        "| Table view (score, 1 year) | ",
        "| Today form, 40 children: at least 0.30 of bare | ",
        "| history | ",  # its heaviest query's plan
    ):
        assert row in report
    assert "Index Scan on journal_dailyentry" in report
    # At the bench's 9 children and at 40, the first renders drawn each time.
    cold, cached = p50s(report, COLD), p50s(report, CACHED)
    assert_drawn_each_time(cold[0], cached[0])
    assert_drawn_each_time(cold[1], cached[1])
    # Each page makes the same queries at 40 children as at 9: the round before leaves the data
    # as it found it (its counted save of the today form's day is undone).
    for cells in comparison_rows(report):
        assert cells[6] == cells[7], cells
    assert "Wrote the tables" not in report
    assert DOC.read_bytes() == before
