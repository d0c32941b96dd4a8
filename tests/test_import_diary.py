"""`manage.py import_diary` and `manage.py export_journal`: the same checks as the import page,
nothing written on any bad row, and the child's id printed."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from journal import analysis
from journal.exchange import writing
from journal.exchange.columns import ENTRY_COLUMNS, EVENT_COLUMNS
from journal.models import Child, DailyEntry, Role, TrackedItem, TriggerEvent
from tests import diaries
from tests.factories import DailyEntryFactory, TriggerEventFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
BIRTH = datetime.date(2022, 3, 1)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_diary", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path):
    """entries.csv (with a Drooling item) and events.csv of three days and a fever."""
    today = datetime.date.today() - DAY
    entries = tmp_path / "entries.csv"
    header = ",".join([*ENTRY_COLUMNS, "Drooling"])
    rows = [f"{today - n * DAY},{n},1,2,0,1,9.5,2,,,,yes,Day {n},,{n % 4}" for n in range(1, 4)]
    entries.write_text("\r\n".join([header, *rows]) + "\r\n", encoding="utf-8-sig")
    events = tmp_path / "events.csv"
    events.write_text(f"{','.join(EVENT_COLUMNS)}\r\n{today - 2 * DAY},,fever,38.4 °C,\r\n")
    return entries, events


def test_a_new_child_is_created_with_its_history_and_its_id_printed(files):
    owner = UserFactory(username="ana")
    entries, events = files

    out, err = run(
        *("--new-child", "Leo", "--owner", "ana", "--birth-date", str(BIRTH)),
        *("--time-zone", "Europe/Paris", "--entries", str(entries), "--events", str(events)),
    )

    child = Child.objects.get(pk=int(out.strip()))
    assert (child.name, child.birth_date, child.time_zone) == ("Leo", BIRTH, "Europe/Paris")
    assert child.memberships.get().user == owner
    assert child.memberships.get().role == Role.OWNER
    assert DailyEntry.objects.for_child(child).count() == 3
    assert TrackedItem.objects.get(child=child).name == "Drooling"
    assert TriggerEvent.objects.get(child=child).temperature_c == Decimal("38.4")
    assert "3 new days" in err
    assert DailyEntry.objects.for_child(child).first().created_by == owner


def test_bad_rows_are_printed_with_their_lines_and_nothing_is_imported(tmp_path):
    UserFactory(username="ana")
    entries = tmp_path / "entries.csv"
    future = datetime.date.today() + 3 * DAY
    rows = ["2024-01-01,1,1,1,1,1", f"{future},1,1,1,1,1", "2024-01-02,5,1,1,1,1"]
    entries.write_text("\n".join([",".join(ENTRY_COLUMNS), *rows]) + "\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 problems: nothing was imported"):
        call_command(
            "import_diary",
            *("--new-child", "Leo", "--owner", "ana", "--birth-date", str(BIRTH)),
            *("--entries", str(entries)),
            stderr=err,
        )

    printed = [line for line in err.getvalue().splitlines() if ", line " in line]
    assert [line.split(":")[0] for line in printed] == [
        "entries.csv, line 3",
        "entries.csv, line 4",
    ]
    assert f"date {future}: This day hasn't happened yet" in printed[0]
    assert 'opsoclonus is "5"' in printed[1]
    assert not Child.objects.filter(name="Leo").exists()


def test_into_an_existing_child_with_its_items_known(child, files):
    entries, _ = files
    out, _ = run("--child", str(child.pk), "--entries", str(entries), "--add-items")

    assert out.strip() == str(child.pk)
    assert DailyEntry.objects.for_child(child).count() == 3
    assert TrackedItem.objects.get(child=child).name == "Drooling"


def test_wrong_arguments_are_refused_plainly(files, child):
    entries, _ = files
    with pytest.raises(CommandError, match="No child has the id 999999"):
        run("--child", "999999", "--entries", str(entries))
    with pytest.raises(CommandError, match="--owner USERNAME is needed"):
        run("--new-child", "Leo", "--birth-date", str(BIRTH), "--entries", str(entries))
    with pytest.raises(CommandError, match="No account has the username 'nobody'"):
        run("--new-child", "Leo", "--owner", "nobody", "--birth-date", str(BIRTH),
            "--entries", str(entries))  # fmt: skip
    with pytest.raises(CommandError, match="Can't read"):
        run("--child", str(child.pk), "--entries", str(entries) + ".missing")


def test_export_journal_writes_the_json_of_the_data_page(child, tmp_path):
    DailyEntryFactory(child=child)
    TriggerEventFactory(child=child)
    target = tmp_path / "mia.json"

    call_command(
        "export_journal", "--child", str(child.pk), "--json", str(target), stderr=io.StringIO()
    )

    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["format"] == writing.JSON_FORMAT
    assert data["child"]["name"] == "Mia"
    assert len(data["child"]["events"]) == 1


def test_export_journal_to_standard_output(child):
    out = io.StringIO()
    call_command("export_journal", "--child", str(child.pk), "--json", "-", stdout=out)
    assert json.loads(out.getvalue())["child"]["name"] == "Mia"
    with pytest.raises(CommandError, match="No child has the id"):
        call_command("export_journal", "--child", "999999", "--json", "-")


def spreadsheet_of(diary: diaries.Diary, folder) -> tuple[str, str]:
    """entries.csv and events.csv as a family would keep this diary: a row a logged day, a sign
    not rated left empty; a row a trigger."""
    entries, events = folder / "entries.csv", folder / "events.csv"
    rows = [",".join(ENTRY_COLUMNS)]
    for day in diary.days:
        ratings = ["" if day.ratings[name] is None else str(day.ratings[name]) for name in CORE]
        rows.append(",".join([day.date.isoformat(), *ratings, *[""] * (len(ENTRY_COLUMNS) - 6)]))
    entries.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    rows = [",".join(EVENT_COLUMNS)]
    for trigger in diary.triggers:
        end = trigger.end_date.isoformat() if trigger.end_date else ""
        detail = DETAILS[trigger.type]
        rows.append(f"{trigger.date.isoformat()},{end},{trigger.type},{detail},")
    events.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    return str(entries), str(events)


CORE = ENTRY_COLUMNS[1:6]
# Each type's detail as the exchange format writes it (a type without its detail is read from
# the family's words instead, and a fever with no temperature becomes another event).
DETAILS = {
    "fever": '"38,6 °C"',
    "illness": "Respiratory",
    "vaccination": "MMR",
    "anaesthesia": "MRI",
    "immunotherapy_change": '"Taper step, prednisolone"',
    "stress": "",
}


def test_a_generated_diary_imported_from_its_spreadsheet_flags_what_its_evaluation_judged(
    tmp_path,
):
    """A year of a diary as families keep it (tests/diaries.py: gaps, half-rated days, two
    caregivers, decoys), imported from its own spreadsheet: the JSON export lists the possible
    relapses the rule finds on the diary itself, each with the same possible triggers."""
    diary = diaries.generate(7, years=1)
    UserFactory(username="ana")
    entries, events = spreadsheet_of(diary, tmp_path)

    out, _ = run(
        *("--new-child", "Leo", "--owner", "ana", "--birth-date", str(BIRTH)),
        *("--time-zone", "Europe/Paris", "--entries", entries, "--events", events),
    )

    exported = writing.journal_json(Child.objects.get(pk=int(out.strip())))["possible_relapses"]
    found = analysis.episodes(diary.days, diary.triggers)
    assert len(found) >= 2
    assert [(e["onset"], e["end"]) for e in exported] == [
        (e.onset.isoformat(), e.end and e.end.isoformat()) for e in found
    ]
    assert [e["illness_associated"] for e in exported] == [e.illness_associated for e in found]
    assert [sorted((t["type"], t["date"]) for t in e["possible_triggers"]) for e in exported] == [
        sorted((p.trigger.type, p.trigger.date.isoformat()) for p in e.possible_triggers)
        for e in found
    ]
