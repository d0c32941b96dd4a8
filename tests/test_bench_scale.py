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

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"

pytestmark = pytest.mark.postgres_run


# A known defect, recorded rather than hidden: since the branches of December 2026 came
# together, the "first render" charts of the quick scale bench come from the cache (578
# requests for 7 children), so the run reports its own measure as unsound. The test still
# runs; it is reported as XPASS once the bench asks for charts no cache holds.
@pytest.mark.xfail(reason="the scale bench's cold charts are served cached since the merge")
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
    assert "Wrote the tables" not in report
    assert DOC.read_bytes() == before
