"""The API against its own OpenAPI schema, with schemathesis (PyPI) on the live server.

Every operation of the schema (reads and writes), with examples bounded so the run stays within a
few minutes: no answer is a server error, and every answer (its status, content type and body) is
what the schema says. It
runs with a read-and-write token of the child's owner, on a journal with days, a trigger, a course
and an extra item, so the writes and the reads meet real rows.
"""

import datetime
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from journal.models import TrackedItem
from tests.api_helpers import token_for
from tests.factories import (
    DailyEntryFactory,
    DoseChangeFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
)

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
EXAMPLES_PER_OPERATION = 6


# The trigger, the course and the item share an id, so that the one `id` schemathesis is given
# names a real record at each of their URLs (it is given one value per parameter name).
RECORD_ID = 4242


def some_history(child) -> None:
    today = child.today()
    for back in range(1, 15):
        DailyEntryFactory(child=child, date=today - datetime.timedelta(days=back))
    TriggerEventFactory(child=child, pk=RECORD_ID, start_date=today - datetime.timedelta(days=3))
    course = TreatmentCourseFactory(
        child=child, pk=RECORD_ID, start_date=today - datetime.timedelta(days=10)
    )
    DoseChangeFactory(course=course, date=today - datetime.timedelta(days=5))
    TrackedItem.objects.create(
        child=child,
        pk=RECORD_ID,
        name="Hands",
        anchor_0="a",
        anchor_1="b",
        anchor_2="c",
        anchor_3="d",
    )


@pytest.mark.django_db(transaction=True)
def test_every_operation_answers_as_its_schema_says(live_server, owner, child, settings, tmp_path):
    settings.API_RATE_LIMIT = "100000/hour"  # the run is a burst of some hundreds of requests
    some_history(child)
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f'headers = {{ Authorization = "Bearer {token_for(owner)}" }}\n'
        f"[parameters]\nchild_id = {child.pk}\nid = {RECORD_ID}\n"
    )
    st = Path(sys.executable).with_name("st")
    run = subprocess.run(  # noqa: S603 - our own test's command line
        [
            str(st),
            "--config-file",
            str(config),
            "run",
            f"{live_server.url}/api/v1/schema/",
            "--checks",
            ",".join(CHECKS),
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=480,  # about 3 minutes here, most of it schemathesis's coverage phase
        cwd=tmp_path,
    )
    report = run.stdout[-20000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert f"Tested: {operations(live_server.url)}\n" in report, report


def operations(url: str) -> int:
    """How many operations the schema holds (each method of each path)."""
    with urllib.request.urlopen(f"{url}/api/v1/schema/?format=json") as answer:  # noqa: S310
        paths = json.load(answer)["paths"]
    methods = {"get", "put", "post", "patch", "delete"}
    return sum(len(methods & set(operations)) for operations in paths.values())
