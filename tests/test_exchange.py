"""The family's data in and out: the CSV and JSON downloads, the CSV import's checks (each bad
row by its line), its preview and confirmation, and the round trip that loses nothing."""

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal import analysis, demo, services
from journal.exchange import writing
from journal.exchange.columns import ENTRY_COLUMNS, EVENT_COLUMNS, guarded, unguarded
from journal.exchange.plan import plan_import
from journal.exchange.reading import parse_files
from journal.models import Change, Child, DailyEntry, ItemRating, TrackedItem, TriggerEvent
from journal.views.data import MAX_UPLOAD_BYTES
from tests.factories import (
    ChildFactory,
    DailyEntryFactory,
    DoseChangeFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
)
from tests.view_helpers import text_of

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HEADER = ",".join(ENTRY_COLUMNS)
EVENTS_HEADER = ",".join(EVENT_COLUMNS)


def rows_of(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), "a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def hands(child: Child) -> TrackedItem:
    return TrackedItem.objects.create(
        child=child, name="Hands", anchor_0="a", anchor_1="b", anchor_2="c", anchor_3="d"
    )


def entries_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode()


def day_line(day: datetime.date, ratings="1,1,2,0,1", rest=",,,,,,,") -> str:
    return f"{day.isoformat()},{ratings},{rest}"


def parse(child, entries=None, events=None, add_items=False):
    items = list(TrackedItem.objects.for_child(child))
    return parse_files(
        entries=entries, events=events, child=child, items=items, add_items=add_items
    )


# --- the guard against formulas ------------------------------------------------------------------


@given(st.text())
def test_a_guarded_text_comes_back_as_it_was(text):
    assert unguarded(guarded(text)) == text


@pytest.mark.parametrize("text", ["=1+1", "+33 6", "-5 today", "@SUM(A1)", "\tx", "'=quoted"])
def test_a_text_a_spreadsheet_would_run_is_written_after_an_apostrophe(text):
    assert guarded(text) == "'" + text


def test_plain_text_and_an_apostrophe_before_a_letter_are_left_alone():
    assert guarded("Tired") == "Tired"
    assert unguarded("'tis a bad day") == "'tis a bad day"


# --- downloads -----------------------------------------------------------------------------------


def test_entries_csv_has_the_exchange_columns_then_one_per_item(child):
    item = hands(child)
    day = child.today() - DAY
    entry = DailyEntryFactory(
        child=child, date=day, notes='=HYPERLINK("x")\nline two', doses="partly", question="Ok?"
    )
    ItemRating.objects.create(entry=entry, item=item, value=2)

    text = writing.entries_csv(child)

    header, row = rows_of(text)
    assert header == [*ENTRY_COLUMNS, "Hands"]
    assert row == [day.isoformat(), "1", "1", "2", "0", "1", "9.5", "2", "", "", "", "partly",
                   '\'=HYPERLINK("x")\nline two', "Ok?", "2"]  # fmt: skip
    assert "\r\n" in text


def test_events_csv_has_the_exchange_columns_and_a_detail_in_words(child):
    TriggerEventFactory(child=child, temperature_c=Decimal("38.5"), notes="Calpol")
    TriggerEventFactory(
        child=child, type="vaccination", temperature_c=None, vaccine="MMR", live_vaccine=True
    )

    header, *rows = rows_of(writing.events_csv(child))

    assert header == list(EVENT_COLUMNS)
    day = (child.today() - 3 * DAY).isoformat()
    assert rows == [
        [day, "", "fever", "38.5 °C", "Calpol"],
        [day, "", "vaccination", "MMR (live)", ""],
    ]


def test_events_csv_has_a_time_column_when_an_event_has_a_time(child):
    TriggerEventFactory(child=child, start_time=datetime.time(14, 30))
    header, row = rows_of(writing.events_csv(child))
    assert header == [*EVENT_COLUMNS, "time"]
    assert row[-1] == "14:30"


def test_treatments_csv_has_its_dose_changes_in_words(child):
    course = TreatmentCourseFactory(child=child, notes="-1 step a fortnight")
    DoseChangeFactory(course=course, date=course.start_date + 7 * DAY, dose=Decimal("1.5"),
                      note="first step")  # fmt: skip

    header, row = rows_of(writing.treatments_csv(child))

    assert header[-1] == "dose_changes"
    values = dict(zip(header, row, strict=True))
    assert values["drug"] == "Prednisolone"
    assert values["dose"] == "2"
    assert values["notes"] == "'-1 step a fortnight"
    step = (course.start_date + 7 * DAY).isoformat()
    assert values["dose_changes"] == f"{step}: 1.5 mg/kg (first step)"


@pytest.fixture
def maya() -> Child:
    """The demo family's child: 18 months, three relapses and a cold flagged as possible ones."""
    demo.seed()
    return Child.objects.get(name="Maya")


def test_journal_json_holds_the_journal_and_the_possible_relapses_with_their_triggers(maya):
    data = writing.journal_json(maya)

    assert (data["format"], data["format_version"]) == ("oms-journal-child", 1)
    assert data["child"]["name"] == "Maya"
    assert len(data["child"]["entries"]) == maya.entries.count()
    assert data["child"]["relapse_rule"]["score_rise"] == 3
    assert data["child"]["relapse_rule"]["recent_days_left_out"] == 7
    assert any(course["dose_changes"] for course in data["child"]["treatments"])
    episodes = data["possible_relapses"]
    assert len(episodes) == 4
    assert all(e["end"] is not None and e["length_days"] > 0 for e in episodes)
    assert all(e["rule_version"] == analysis.RULE_VERSION == 5 for e in episodes)
    first = episodes[0]
    assert {t["type"] for t in first["possible_triggers"]} >= {"fever", "illness"}
    assert all(t["days_before_onset"] >= 0 for t in first["possible_triggers"])
    assert set(first["baseline"]["items"]) == set(ENTRY_COLUMNS[1:6])
    usual = first["baseline"]["items"]
    assert 0 <= first["baseline"]["motor_total"] <= 9
    assert first["baseline"]["motor_total"] >= min(
        usual[n] for n in ("opsoclonus", "myoclonus", "ataxia")
    )
    json.dumps(data)  # plain JSON throughout


def test_journal_json_says_the_earlier_rule_whose_meaning_a_familys_numbers_keep(maya):
    owner = maya.memberships.get(role="owner").user
    services.relapse_settings_save(child=maya, user=owner, values=analysis.V4_RULE.numbers())
    episodes = writing.journal_json(maya)["possible_relapses"]
    assert episodes
    assert {e["rule_version"] for e in episodes} == {4}


@pytest.mark.parametrize(
    ("kind", "content_type", "name_end"),
    [
        ("entries", "text/csv; charset=utf-8", "-entries-"),
        ("events", "text/csv; charset=utf-8", "-events-"),
        ("treatments", "text/csv; charset=utf-8", "-treatments-"),
        ("journal", "application/json; charset=utf-8", "-journal-"),
        ("all", "application/zip", "-all-"),
    ],
)
def test_each_download_is_a_file_any_team_member_may_take(
    viewer_client, child, kind, content_type, name_end
):
    DailyEntryFactory(child=child)
    response = viewer_client.get(reverse("data_download", args=[child.pk, kind]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith('attachment; filename="mia' + name_end)


def test_the_zip_holds_every_file(owner_client, child):
    DailyEntryFactory(child=child)
    response = owner_client.get(reverse("data_download", args=[child.pk, "all"]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [
        "entries.csv", "events.csv", "journal.json", "treatments.csv"]  # fmt: skip
    assert json.loads(archive.read("journal.json"))["child"]["name"] == "Mia"


def test_an_unknown_download_is_404(owner_client, child):
    assert owner_client.get(reverse("data_download", args=[child.pk, "secrets"])).status_code == 404


# --- checks: every bad row, by its line ----------------------------------------------------------


def lines(child, *rows: str) -> bytes:
    return entries_file(day_line(child.today() - 9 * DAY), *rows)


@pytest.mark.parametrize(
    ("case", "row", "expected"),
    [
        ("no date", "someday,1,1,1,1,1,,,,,,,,", 'date "someday" is not a date'),
        ("impossible date", "2025-02-30,1,1,1,1,1,,,,,,,,", 'date "2025-02-30" is not a date'),
        ("future date", "{tomorrow},1,1,1,1,1,,,,,,,,", "hasn't happened yet where the child"),
        ("before birth", "2000-01-01,1,1,1,1,1,,,,,,,,", "date 2000-01-01: This day is before"),
        ("rating 4", "{day},4,1,1,1,1,,,,,,,,", 'opsoclonus is "4": use 0, 1, 2 or 3'),
        ("rating -1", "{day},1,-1,1,1,1,,,,,,,,", 'myoclonus is "-1"'),
        ("rating 7", "{day},1,7,1,1,1,,,,,,,,", 'myoclonus is "7": use 0, 1, 2 or 3'),
        ("rating ²", "{day},1,1,²,1,1,,,,,,,,", 'ataxia is "²": use 0, 1, 2 or 3'),
        ("long notes", "{day},1,1,1,1,1,,,,,,," + "n" * 4001 + ",", "notes: Ensure"),
        ("long question", "{day},1,1,1,1,1,,,,,,,," + "q" * 2001, "question: Ensure"),
        ("hours", "{day},1,1,1,1,1,-9,,,,,,,", 'sleep_hours is "-9"'),
        ("too many hours", "{day},1,1,1,1,1,25,,,,,,,", "sleep_hours"),
        ("wakings", "{day},1,1,1,1,1,,2.5,,,,,,", 'night_wakings is "2.5"'),
        ("temperature", "{day},1,1,1,1,1,,,,,52,,,", "max_temperature_c"),
        ("doses", "{day},1,1,1,1,1,,,,,,½,,", 'doses is "½"'),
        ("too many cells", "{day},1,1,1,1,1,,,,,,,,,x", "15 cells, but the header names 14"),
        ("duplicate date", "{first},1,1,1,1,1,,,,,,,,", "is on line 2 too"),
    ],
)
def test_each_bad_entry_row_is_named_by_its_line(child, case, row, expected):
    today = child.today()
    values = {"tomorrow": today + DAY, "day": today - 2 * DAY, "first": today - 9 * DAY}
    parsed = parse(child, entries=lines(child, day_line(today - 3 * DAY), row.format(**values)))
    assert [(p.line, expected in p.message) for p in parsed.problems] == [(4, True)], (
        parsed.problems
    )


def test_a_column_of_ratings_not_an_item_yet_is_kept_in_the_notes_unless_added(child):
    data = entries_file(
        day_line(child.today() - DAY, rest=",,,,,,,,2"), header=HEADER + ",Drooling"
    )
    [kept] = parse(child, entries=data).entries
    assert (kept.values["notes"], kept.items) == ("Drooling: 2", {})
    [added] = parse(child, entries=data, add_items=True).entries
    assert added.items == {"Drooling": 2}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("date,Date,opsoclonus", 'the columns "date" and "Date" are the same column'),
        ("date,Tremor,tremor,TREMOR", 'the columns "Tremor" and "tremor" are the same column'),
        ("date,opsoclonus,opsoclonus", 'the column "opsoclonus" is there twice'),
    ],
)
def test_columns_spelled_alike_but_for_case_are_refused(owner, child, header, expected):
    data = entries_file(f"{child.today() - DAY},1,1,1", header=header)
    parsed = parse(child, entries=data, add_items=True)
    assert parsed.problems and parsed.problems[0].line == 1
    assert expected in parsed.problems[0].message


def test_the_problems_listed_are_the_first_hundred_and_reading_stops(owner_client, child):
    bad = [day_line(child.today() - DAY, ratings="7,1,1,1,1")] * 5000
    data = entries_file(*bad)
    parsed = parse(child, entries=data)
    assert len(parsed.problems) == 100
    assert parsed.stopped_at == "entries.csv, line 102 of 5001"
    response = upload(owner_client, child, data)
    page = text_of(response)
    assert "more than 100 problems: here are the first 100" in page
    assert "Reading stopped at entries.csv, line 102 of 5001" in page
    assert len(response.content) < 60_000


def test_a_file_without_a_header_row_is_refused(child):
    data = "\r\n".join([day_line(child.today() - DAY)]).encode()
    [problem] = parse(child, entries=data).problems
    assert (problem.line, "no header row" in problem.message) == (1, True)


def test_a_file_saved_in_windows_western_european_is_read_as_such(child):
    data = entries_file(
        day_line(child.today() - 2 * DAY), day_line(child.today() - DAY, rest=",,,,,,,Zoë's day,")
    )
    parsed = parse(child, entries=data.decode().encode("cp1252"))
    assert "Zoë's day" in parsed.entries[1].values.values()


def test_a_file_in_no_known_encoding_is_refused_with_the_line(child):
    data = entries_file(day_line(child.today() - 2 * DAY)) + b"\x81\x8d\r\n"
    [problem] = parse(child, entries=data).problems
    assert problem.line == 3
    assert "not UTF-8" in problem.message


def test_an_empty_file_is_refused(child):
    [problem] = parse(child, entries=b"\xef\xbb\xbf \r\n").problems
    assert "empty" in problem.message


def test_broken_quoting_is_refused_with_its_line(child):
    data = entries_file(day_line(child.today() - DAY, rest=',,,,,,,"open quote,'))
    [problem] = parse(child, entries=data).problems
    assert problem.line == 2


EVENT_CASES = [
    ("empty type", "{day},,,,", "the type and the detail are empty"),
    ("end before start", "{day},{before},stress,,", "can't be before the start"),
    ("future", "{tomorrow},,stress,,", "hasn't happened yet where the child lives"),
    ("far end", "{day},9999-12-31,stress,,", "end_date 9999-12-31: This day hasn't happened"),
    ("long notes", "{day},,stress,," + "n" * 4001, "notes: Ensure"),
    ("fever too hot", "{day},,fever,45 °C,", "temperature_c"),
    ("bad time", "{day},,stress,,,25:99", 'time "25:99"'),
]


@pytest.mark.parametrize(("case", "row", "expected"), EVENT_CASES)
def test_each_bad_event_row_is_named_by_its_line(child, case, row, expected):
    today = child.today()
    values = {"day": today - 2 * DAY, "before": today - 5 * DAY, "tomorrow": today + DAY}
    good = f"{today - 9 * DAY},,fever,38.5 °C,"
    data = "\r\n".join([EVENTS_HEADER + ",time", good, row.format(**values)]).encode()
    parsed = parse(child, events=data)
    assert [(p.line, expected in p.message) for p in parsed.problems] == [(3, True)], (
        parsed.problems
    )


def test_the_same_event_twice_in_a_file_is_refused(child):
    row = f"{child.today() - 2 * DAY},,fever,38.5 °C,"
    [problem] = parse(child, events="\r\n".join([EVENTS_HEADER, row, row]).encode()).problems
    assert (problem.line, problem.message) == (3, "the same event as line 2")


def test_event_details_are_read_into_their_fields(child):
    day = child.today() - 2 * DAY
    data = "\r\n".join([
        EVENTS_HEADER,
        f"{day},,illness,\"Respiratory, influenza A, H1N1\",",
        f"{day},,vaccination,Flu vaccine (injection) (not live),",
        f"{day},,immunotherapy_change,\"Taper step, prednisolone\",",
        f"{day},,Major stress,Moved house,boxes",
    ]).encode()  # fmt: skip
    events = [row.fields for row in parse(child, events=data).events]
    assert events[0]["illness_kind"] == "respiratory"
    assert events[0]["pathogen"] == "influenza A, H1N1"
    assert (events[1]["vaccine"], events[1]["live_vaccine"]) == ("Flu vaccine (injection)", False)
    assert (events[2]["change"], events[2]["drug"]) == ("taper_step", "prednisolone")
    assert (events[3]["type"], events[3]["notes"]) == ("stress", "Moved house\nboxes")


def test_a_spreadsheet_saved_with_semicolons_and_decimal_commas_is_read(child):
    day = child.today() - DAY
    header = HEADER.replace(",", ";")
    data = f"{header}\r\n{day};1;1;2;0;1;9,5;;;;38,2;yes;Fine;\r\n".encode()
    [row] = parse(child, entries=data).entries
    assert row.values["sleep_hours"] == Decimal("9.5")
    assert row.values["max_temperature_c"] == Decimal("38.2")


# --- the page: upload, preview, confirm ----------------------------------------------------------


def upload(client, child, entries=None, events=None, **extra):
    files = {}
    if entries is not None:
        files["entries"] = SimpleUploadedFile("entries.csv", entries, "text/csv")
    if events is not None:
        files["events"] = SimpleUploadedFile("events.csv", events, "text/csv")
    return client.post(reverse("data_import", args=[child.pk]), {**files, **extra})


def confirm(client, child, preview_id=None):
    """Confirm a preview: by default the latest, as its page's button would."""
    if preview_id is None:
        previews = client.session.get(f"journal-import-{child.pk}", {})
        preview_id = list(previews)[-1] if previews else ""
    return client.post(reverse("data_import_confirm", args=[child.pk]), {"preview": preview_id})


def test_confirm_writes_the_preview_on_its_page_not_one_made_since_in_another_tab(
    owner_client, child
):
    day = child.today() - 2 * DAY
    first = upload(owner_client, child, entries_file(day_line(day, ratings="1,1,1,1,1")))
    upload(owner_client, child, entries_file(day_line(day, ratings="3,3,3,3,3")))  # tab B

    again = confirm(owner_client, child, first.context["preview_id"])  # tab A's button

    assert "You checked other files after these" in text_of(again)
    assert not DailyEntry.objects.for_child(child).exists()
    confirm(owner_client, child, again.context["preview_id"])
    assert DailyEntry.objects.get(child=child, date=day).opsoclonus == 1


def test_a_preview_no_longer_kept_writes_nothing(owner_client, child):
    upload(owner_client, child, entries_file(day_line(child.today() - DAY)))
    response = confirm(owner_client, child, "not-a-preview")
    assert response.status_code == 302
    assert "no longer kept" in text_of(owner_client.get(response.url))
    assert not DailyEntry.objects.for_child(child).exists()


def test_the_preview_shows_new_days_changed_days_and_new_events(caregiver_client, child):
    today = child.today()
    DailyEntryFactory(child=child, date=today - 2 * DAY, opsoclonus=1)
    TriggerEventFactory(child=child, start_date=today - 3 * DAY, temperature_c=Decimal("38.9"))
    entries = entries_file(day_line(today - 2 * DAY, ratings="3,1,2,0,1", rest="9.5,2,,,,,,"),
                           day_line(today - 5 * DAY), day_line(today - 4 * DAY))  # fmt: skip
    events = "\r\n".join([EVENTS_HEADER, f"{today - 3 * DAY},,fever,38.9 °C,",
                          f"{today - 6 * DAY},,vaccination,MMR (live),"]).encode()  # fmt: skip

    response = upload(caregiver_client, child, entries, events)

    page = text_of(response)
    assert response.status_code == 200
    assert "2 new days" in page
    assert "1 day changed" in page
    assert "Eyes: 1 → 3" in page
    assert "1 new trigger" in page and "Vaccination, MMR (live)" in page
    assert "1 trigger already in the journal, not added again" in page
    assert DailyEntry.objects.for_child(child).count() == 1  # nothing written yet


def test_confirming_writes_what_the_preview_showed_and_records_each_change(
    caregiver_client, caregiver, child
):
    today = child.today()
    stored = DailyEntryFactory(child=child, date=today - 2 * DAY, opsoclonus=1)
    version = child.data_version
    entries = entries_file(day_line(today - 2 * DAY, ratings="3,1,2,0,1", rest="9.5,2,,,,,,"),
                           day_line(today - 5 * DAY, rest=",,,,,no,'=1,"))  # fmt: skip
    events = f"{EVENTS_HEADER}\r\n{today - 6 * DAY},,anaesthesia,MRI,\r\n".encode()
    upload(caregiver_client, child, entries, events)

    response = confirm(caregiver_client, child)

    assert response.status_code == 302
    assert response.url == reverse("data_page", args=[child.pk])
    stored.refresh_from_db()
    assert (stored.opsoclonus, stored.version) == (3, 2)
    new = DailyEntry.objects.get(child=child, date=today - 5 * DAY)
    assert (new.notes, new.doses, new.created_by) == ("=1", "no", caregiver)
    assert TriggerEvent.objects.get(child=child, type="anaesthesia").procedure == "MRI"
    actions = sorted(Change.objects.for_child(child).values_list("kind", "action"))
    assert actions == [("entry", "changed"), ("entry", "created"), ("event", "created")]
    child.refresh_from_db()
    assert child.data_version > version
    page = text_of(caregiver_client.get(response.url))
    assert "Imported: 1 new day, 1 changed day, 1 new trigger." in page
    assert confirm(caregiver_client, child).status_code == 302  # the session is emptied
    assert DailyEntry.objects.for_child(child).count() == 2


def test_one_bad_row_and_nothing_is_imported(owner_client, child):
    today = child.today()
    entries = entries_file(
        day_line(today - 3 * DAY), day_line(today - 2 * DAY, ratings="1,1,9,0,1")
    )
    response = upload(owner_client, child, entries)
    page = text_of(response)
    assert "Nothing was imported." in page
    assert 'entries.csv, line 3: ataxia is "9"' in page
    assert confirm(owner_client, child).status_code == 302
    assert not DailyEntry.objects.for_child(child).exists()


def test_a_change_meanwhile_shows_the_preview_again_and_writes_nothing(owner_client, owner, child):
    day = child.today() - 2 * DAY
    upload(owner_client, child, entries_file(day_line(day)))
    other = DailyEntry(child=child, date=day, opsoclonus=3)
    services.entry_save(entry=other, user=owner, expected_version=0)  # another caregiver

    response = confirm(owner_client, child)

    assert response.status_code == 200
    assert "journal changed since you chose the files" in text_of(response)
    assert "Eyes: 3 → 1" in text_of(response)
    assert DailyEntry.objects.get(child=child, date=day).opsoclonus == 3
    confirm(owner_client, child)  # confirming the new preview does it
    assert DailyEntry.objects.get(child=child, date=day).opsoclonus == 1


def test_the_same_file_again_has_nothing_to_import(owner_client, child):
    DailyEntryFactory(child=child)
    TriggerEventFactory(child=child)
    entries = writing.entries_csv(child).encode()
    events = writing.events_csv(child).encode()
    response = upload(owner_client, child, entries, events)
    assert "Nothing to import" in text_of(response)
    assert "data_import_confirm" not in response.content.decode()


def test_a_file_over_the_limit_is_refused_with_its_size(owner_client, child):
    big = entries_file() + b" " * (MAX_UPLOAD_BYTES + 1)
    response = upload(owner_client, child, big)
    assert "the most an import takes is 2 MB" in text_of(response)


def test_no_file_at_all_is_refused(owner_client, child):
    response = upload(owner_client, child)
    assert "Choose a file to import" in text_of(response)


def test_new_item_columns_become_items_when_asked(owner_client, child):
    data = entries_file(day_line(child.today() - DAY, rest=",,,,,,,,2"), header=HEADER + ",Speech")
    response = upload(owner_client, child, data, add_items="on")
    assert "New item to rate: Speech" in text_of(response)
    confirm(owner_client, child)
    item = TrackedItem.objects.get(child=child, name="Speech")
    assert item.anchor_3 == TrackedItem.PRESETS["Speech"][3]
    assert ItemRating.objects.get(item=item).value == 2


def test_only_an_owner_adds_items_through_the_import_as_on_the_items_page(caregiver_client, child):
    page = caregiver_client.get(reverse("data_page", args=[child.pk])).content.decode()
    assert 'name="add_items"' not in page
    data = entries_file(day_line(child.today() - DAY, rest=",,,,,,,,2"), header=HEADER + ",Speech")
    response = upload(caregiver_client, child, data, add_items="on")
    options = [value for value, _ in response.context["reading"]["columns"][-1]["options"]]
    assert "new_item" not in options and "notes" in options
    confirm(caregiver_client, child)
    assert not TrackedItem.objects.for_child(child).exists()
    assert DailyEntry.objects.get(child=child).notes == "Speech: 2"


def test_the_data_page_offers_downloads_to_all_and_the_import_to_writers(
    viewer_client, owner_client, child
):
    viewer_page = text_of(viewer_client.get(reverse("data_page", args=[child.pk])))
    assert "Daily entries (CSV)" in viewer_page
    assert "only owners and caregivers can import" in viewer_page
    owner_page = owner_client.get(reverse("data_page", args=[child.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in owner_page
    detail = owner_client.get(reverse("child_detail", args=[child.pk])).content.decode()
    assert reverse("data_page", args=[child.pk]) in detail


# --- the round trip ------------------------------------------------------------------------------


def empty_twin(child: Child) -> Child:
    """A child with no journal yet, born the same day and living in the same time zone."""
    owner = child.memberships.first().user
    return ChildFactory(
        name="Twin", birth_date=child.birth_date, time_zone=child.time_zone, owner=owner
    )


def import_into(child: Child, entries: str, events: str, add_items=True) -> Child:
    parsed = parse(child, entries.encode(), events.encode(), add_items=add_items)
    assert parsed.problems == []
    services.diary_import(child=child, user=None, plan=plan_import(child, parsed))
    return Child.objects.get(pk=child.pk)


def journal_of(child: Child) -> tuple[list, list]:
    """Every field of every day (items by name) and of every event."""
    days = []
    for entry in (
        DailyEntry.objects.for_child(child).order_by("date").prefetch_related("item_ratings__item")
    ):
        items = {r.item.name: r.value for r in entry.item_ratings.all()}
        days.append(({name: getattr(entry, name) for name in ENTRY_COLUMNS}, items))
    events = [
        {name: getattr(event, name) for name in TriggerEvent.CAREGIVER_FIELDS}
        for event in TriggerEvent.objects.for_child(child).order_by("start_date", "type", "pk")
    ]
    return days, events


def test_export_then_import_into_an_empty_child_loses_nothing(maya):
    item = hands(maya)
    days = list(maya.entries.order_by("date")[:40])
    for number, entry in enumerate(days):
        ItemRating.objects.create(entry=entry, item=item, value=number % 4)
    tricky = days[3]
    tricky.notes = "=cmd|' /C calc'!A0\r\nline two, \"quoted\"; Zoë 38 °C"
    tricky.question = "'=already quoted"
    tricky.save()
    TriggerEventFactory(child=maya, start_time=datetime.time(7, 5), notes="+1 at breakfast")
    twin = empty_twin(maya)

    import_into(twin, writing.entries_csv(maya), writing.events_csv(maya))

    assert journal_of(twin) == journal_of(maya)
    assert len(journal_of(twin)[0]) == 505
    assert TrackedItem.objects.get(child=twin).name == "Hands"
    assert Change.objects.for_child(twin).filter(kind="entry").count() == 505
    # The same possible relapses (their triggers differ: treatments are not imported).
    assert episodes_of(twin) == episodes_of(maya)


def episodes_of(child: Child) -> list[tuple]:
    found = writing.journal_json(child)["possible_relapses"]
    return [(e["onset"], e["end"], e["peak_date"], e["peak_score"], e["baseline"]) for e in found]


ratings = st.one_of(st.none(), st.integers(0, 3))
texts = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
entries_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "offset": st.integers(1, 900),
            **{name: ratings for name in ENTRY_COLUMNS[1:6]},
            "sleep_hours": st.one_of(st.none(), st.integers(0, 96).map(lambda q: Decimal(q) / 4)),
            "night_wakings": st.one_of(st.none(), st.integers(0, 20)),
            "rage_episodes": st.one_of(st.none(), st.integers(0, 50)),
            "rage_longest_minutes": st.one_of(st.none(), st.integers(0, 1440)),
            "max_temperature_c": st.one_of(
                st.none(), st.integers(340, 430).map(lambda t: Decimal(t) / 10)
            ),
            "doses": st.sampled_from(["", "yes", "partly", "no"]),
            "notes": texts,
            "question": texts,
        }
    ),
    max_size=12,
    unique_by=lambda d: d["offset"],
)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries_strategy)
def test_any_entries_survive_the_round_trip(child, days):
    source = ChildFactory(name="Source", birth_date=child.birth_date, time_zone=child.time_zone)
    for values in days:
        values = dict(values)
        day = source.today() - values.pop("offset") * DAY
        DailyEntry.objects.create(child=source, date=day, **values)
    twin = empty_twin(source)

    import_into(twin, writing.entries_csv(source), writing.events_csv(source))

    assert journal_of(twin) == journal_of(source)


cells = st.one_of(
    st.sampled_from(["", "0", "3", "4", "-1", "9.25", "1e308", "NaN", "yes", "2024-02-30", '"']),
    st.text(max_size=12),
)
junk_rows = st.lists(st.lists(cells, max_size=16).map(",".join), max_size=6)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.sampled_from([HEADER, EVENTS_HEADER, HEADER + ",Hands", "date", ""]),
    rows=junk_rows,
    raw=st.one_of(st.none(), st.binary(max_size=64)),
)
def test_any_file_gets_rows_or_problems_never_an_error(child, header, rows, raw):
    data = raw if raw is not None else "\n".join([header, *rows]).encode()
    parsed = parse(child, entries=data, events=data, add_items=True)
    if not parsed.problems:
        plan_import(child, parsed)
    assert all(problem.message for problem in parsed.problems)


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=junk_rows)
def test_the_import_page_answers_any_file_without_a_server_error(owner_client, child, rows):
    response = upload(owner_client, child, "\n".join([HEADER, *rows]).encode())
    assert response.status_code == 200
    assert not DailyEntry.objects.for_child(child).exists()
