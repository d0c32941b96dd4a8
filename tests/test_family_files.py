"""Spreadsheets as families write them: their own headers, dates day-first and month-first,
°F, words for ratings, free-text triggers, as CSV, .xlsx (made with openpyxl) and .ods (made as
LibreOffice writes one); read by import_diary and by the page's preview, and the trigger words
back out in export_journal's JSON."""

import datetime
import io
import json
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from journal.exchange import words
from journal.exchange.reading import parse_files
from journal.exchange.sheets import MAX_UNPACKED_BYTES
from journal.models import Child, DailyEntry, ImportChoices, TrackedItem, TriggerEvent
from tests.factories import UserFactory
from tests.view_helpers import text_of

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
BIRTH = datetime.date(2022, 3, 1)
TODAY = datetime.date.today()


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods(rows: list[list[str]]) -> bytes:
    """An .ods as LibreOffice writes one: the mimetype first and stored, then content.xml."""
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
            "</text:p></table:table-cell>"
            for value in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Diary">{cells}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", words_mimetype(), compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def words_mimetype() -> str:
    return "application/vnd.oasis.opendocument.spreadsheet"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_diary", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def new_child(tmp_path, entries: tuple[str, bytes] | None, events=None, *more: str) -> Child:
    UserFactory(username="ana")
    args = ["--new-child", "Leo", "--owner", "ana", "--birth-date", str(BIRTH), *more]
    for option, given in (("--entries", entries), ("--events", events)):
        if given:
            path = tmp_path / given[0]
            path.write_bytes(given[1])
            args += [option, str(path)]
    out, err = run(*args)
    child = Child.objects.get(pk=int(out.strip()))
    child.read_out = err
    return child


def exported(child: Child, tmp_path) -> dict:
    target = tmp_path / "journal.json"
    call_command("export_journal", "--child", str(child.pk), "--json", str(target), verbosity=0)
    return json.loads(target.read_text(encoding="utf-8"))


def day(n: int) -> datetime.date:
    return TODAY - n * DAY


# --- import_diary -------------------------------------------------------------------------------


def test_an_excel_diary_with_its_own_headers_words_and_fahrenheit_comes_in(tmp_path):
    rows = [
        ["Date", "Dancing eyes", "Myoclonus", "Wobbly", "Sleep", "Rage", "Temp (F)", "Comments"],
        [day(3), "mild", 1, "moderate", "ok", "none", 102.3, "grumpy"],
        [day(2).strftime("%-d %b %Y"), "severe", "2 - moderate", 2, "bad", 1, None, "=1+1"],
        [day(1), 0, 0, 1, 1, 0, 98.6, "Temp: felt warm"],
    ]
    sheet = xlsx(rows)
    book = openpyxl.load_workbook(io.BytesIO(sheet))
    book.active["H3"] = "=1+1"  # a formula, saved without a value: never evaluated
    out = io.BytesIO()
    book.save(out)

    child = new_child(tmp_path, ("diary.xlsx", out.getvalue()))

    days = {e.date: e for e in DailyEntry.objects.for_child(child)}
    first, second, third = days[day(3)], days[day(2)], days[day(1)]
    assert (first.opsoclonus, first.ataxia, first.sleep, first.rage) == (1, 2, 0, 0)
    assert first.max_temperature_c == Decimal("39.1")  # 102.3 °F
    assert (second.opsoclonus, second.myoclonus, second.sleep) == (3, 2, 2)
    assert second.notes == ""  # the formula's text is not run, and it saved no value
    assert third.max_temperature_c == Decimal("37.0")
    assert '"Temp (F)" read as Temperature (guessed)' in child.read_out
    assert 'line 2: "102.3" -> 39.1' in child.read_out
    assert 'Rating word "mild" read as 1.' in child.read_out


def test_free_text_triggers_keep_their_words_in_the_exported_json(tmp_path):
    rows = [
        ["When", "What", "Details"],
        [day(9).strftime("%d/%m/%Y"), "sick", "cold"],
        [day(8).strftime("%d/%m/%Y"), "temp", "39.2 C"],
        [day(7).strftime("%d/%m/%Y"), "fever", "39.2C"],
        [day(6).strftime("%d/%m/%Y"), "taper", "prednisolone taper step"],
        [day(5).strftime("%d/%m/%Y"), "jab", "MMR"],
        [day(4).strftime("%d/%m/%Y"), "GA", "MRI of the spine"],
        [day(3).strftime("%d/%m/%Y"), "virus", "ear infection"],
        [day(2).strftime("%d/%m/%Y"), "", "tummy bug, vomiting all night"],
        [day(1).strftime("%d/%m/%Y"), "grandma visit", ""],
    ]
    child = new_child(tmp_path, None, ("triggers.ods", ods(rows)))

    events = {e.start_date: e for e in TriggerEvent.objects.for_child(child)}
    assert (events[day(9)].type, events[day(9)].illness_kind) == ("illness", "respiratory")
    assert events[day(8)].temperature_c == Decimal("39.2")
    assert events[day(7)].temperature_c == Decimal("39.2")
    assert (events[day(6)].change, events[day(6)].drug) == ("taper_step", "Prednisolone")
    assert (events[day(5)].vaccine, events[day(5)].live_vaccine) == ("MMR", True)
    assert events[day(4)].procedure == "MRI of the spine"
    assert events[day(3)].illness_kind == "other"
    assert events[day(2)].illness_kind == "stomach"
    assert events[day(1)].type == "other"
    text = json.dumps(exported(child, tmp_path)["child"]["events"], ensure_ascii=False)
    for _, what, detail in rows[1:]:
        assert detail in text and what in text


def test_dates_tell_day_first_or_month_first_from_their_values(child):
    def order(*dates: str) -> tuple[str, bool]:
        data = ("date,eyes\r\n" + "".join(f"{d},1\r\n" for d in dates)).encode()
        parsed = parse_files(entries=data, events=None, child=child, items=[])
        return parsed.date_order, parsed.date_order_told

    assert order("13/03/2026", "01/04/2026") == (words.DAY_FIRST, True)
    assert order("03/13/2026", "04/01/2026") == (words.MONTH_FIRST, True)
    assert order("01/02/2026", "02/02/2026", "03/02/2026") == (words.DAY_FIRST, True)
    assert order("02/01/2026", "02/02/2026", "02/03/2026") == (words.MONTH_FIRST, True)
    assert order("05/06/2026") == (words.DAY_FIRST, False)  # asked; the hint: day-first here


def test_dates_that_cant_tell_are_read_as_told(tmp_path):
    data = f"Day,Eyes\r\n{day(40):%m/%d/%Y},1\r\n".encode()
    ambiguous = day(40).day <= 12
    child = new_child(tmp_path, ("diary.csv", data), None, "--date-order", "month-first")
    assert DailyEntry.objects.get(child=child).date == day(40)
    assert ambiguous or "could be either" not in child.read_out


def test_columns_set_by_hand_and_remembered_for_the_next_file(tmp_path):
    data = f"Day,Wobbles,Meds\r\n{day(3)},2,pred 10mg\r\n".encode()
    child = new_child(
        tmp_path, ("diary.csv", data), None, "--columns", "Wobbles=jerks", "--columns",
        "Meds=leave out",
    )  # fmt: skip
    entry = DailyEntry.objects.get(child=child)
    assert (entry.myoclonus, entry.ataxia, entry.notes) == (2, None, "")
    assert ImportChoices.objects.get(child=child).columns["entries:wobbles"] == "myoclonus"
    again = tmp_path / "more.csv"
    again.write_text(f"Day,Wobbles,Meds\r\n{day(2)},3,pred 5mg\r\n")
    run("--child", str(child.pk), "--entries", str(again))
    assert DailyEntry.objects.get(child=child, date=day(2)).myoclonus == 3


def test_a_meaning_no_column_has_is_refused_plainly(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(f"Day,Eyes\r\n{day(1)},1\r\n")
    UserFactory(username="ana")
    with pytest.raises(CommandError, match='"colour" is not a meaning'):
        run("--new-child", "L", "--owner", "ana", "--birth-date", str(BIRTH),
            "--entries", str(path), "--columns", "Eyes=colour")  # fmt: skip


def test_bad_values_are_still_named_by_file_and_line(tmp_path):
    rows = [["Date", "Eyes", "Temp"], [day(2), 1, 52], [day(1), 7, 38], ["someday", 1, ""]]
    path = tmp_path / "diary.xlsx"
    path.write_bytes(xlsx(rows))
    UserFactory(username="ana")
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 problems: nothing was imported"):
        call_command("import_diary", "--new-child", "L", "--owner", "ana", "--birth-date",
                     str(BIRTH), "--entries", str(path), stderr=err)  # fmt: skip
    printed = err.getvalue()
    assert 'diary.xlsx, line 3: Eyes is "7": use 0, 1, 2 or 3' in printed
    assert "diary.xlsx, line 2: Temp: Ensure this value is greater than" in printed  # 52 °F
    assert 'diary.xlsx, line 4: date "someday" is not a date' in printed
    assert not Child.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("diary.xlsx", b"date,eyes\r\n2025-01-01,1\r\n", "is named .xlsx but is not a Excel"),
        ("diary.csv", None, "is a spreadsheet workbook or a zip, not CSV text"),
        ("diary.ods", None, "is named .ods but is a Excel spreadsheet"),
        ("diary.xls", b"\xd0\xcf\x11\xe0", "old Excel file (.xls)"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(child, name, data, expected):
    data = data or xlsx([["date"], ["2025-01-01"]])
    parsed = parse_files(entries=data, events=None, child=child, items=[], names=(name, ""))
    assert [expected in p.message for p in parsed.problems] == [True], parsed.problems


def test_a_workbook_that_unpacks_too_big_is_refused_before_it_is_read(child):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (MAX_UNPACKED_BYTES + 1))
    parsed = parse_files(
        entries=out.getvalue(), events=None, child=child, items=[], names=("bomb.xlsx", "")
    )
    assert "unpacks to more than 40 MB" in parsed.problems[0].message


# --- the page -----------------------------------------------------------------------------------


def upload(client, child, name: str, data: bytes, **extra):
    files = {"entries": SimpleUploadedFile(name, data)}
    return client.post(reverse("data_import", args=[child.pk]), {**files, **extra})


def choices_of(response) -> dict:
    """The preview form's fields as the page sets them."""
    reading = response.context["reading"]
    posted = {"preview": response.context["preview_id"]}
    posted |= {f"column-{c['index']}": c["chosen"] for c in reading["columns"]}
    posted |= {f"word-{i}": value for i, _, value in reading["rating_words"]}
    return posted


def test_the_preview_shows_how_each_value_was_read_and_takes_the_familys_changes(
    owner_client, child
):
    data = (
        "Day,Dancing eyes,Wobbly,Sleep,Temp,Comments\r\n"
        f"{day(3):%d/%m/%Y},mild,bad,ok,101.3F,good day\r\n"
        f"{day(2):%d/%m/%Y},severe,1,9h30,,\r\n"
    ).encode()
    response = upload(owner_client, child, "diary.csv", data)
    page = text_of(response)
    assert "How your files were read" in page
    assert "“101.3F” → 38.5" in page and "“mild” → 1" in page
    assert "“9h30” → kept in the notes" in page  # Sleep holds ratings: hours are words here

    posted = choices_of(response)
    sleep = next(c for c in response.context["reading"]["columns"] if c["column"].header == "Sleep")
    posted[f"column-{sleep['index']}"] = "skip"
    bad = next(i for i, word, _ in response.context["reading"]["rating_words"] if word == "bad")
    posted[f"word-{bad}"] = "3"
    again = owner_client.post(reverse("data_import_confirm", args=[child.pk]), posted)
    assert "Read again with your choices" in text_of(again)
    assert not DailyEntry.objects.for_child(child).exists()

    done = owner_client.post(
        reverse("data_import_confirm", args=[child.pk]), {**choices_of(again), "action": "import"}
    )
    assert done.status_code == 302
    first = DailyEntry.objects.get(child=child, date=day(3))
    assert (first.opsoclonus, first.ataxia, first.sleep, first.notes) == (1, 3, None, "good day")
    remembered = ImportChoices.objects.get(child=child)
    assert remembered.columns["entries:sleep"] == "skip"
    assert remembered.rating_words == {"bad": 3}

    next_file = upload(owner_client, child, "more.csv", data.replace(b"good day", b"later"))
    chosen = {c["column"].header: c["chosen"] for c in next_file.context["reading"]["columns"]}
    assert chosen["Sleep"] == "skip"


def test_the_page_asks_the_date_order_once_when_the_dates_cant_tell(owner_client, child):
    data = b"Day,Eyes\r\n05/06/2026,1\r\n"
    if datetime.date(2026, 6, 5) > child.today():
        data = b"Day,Eyes\r\n05/06/2025,1\r\n"
    response = upload(owner_client, child, "diary.csv", data)
    assert "Your dates could be read two ways" in text_of(response)
    posted = {**choices_of(response), "date_order": words.MONTH_FIRST, "action": "import"}
    again = owner_client.post(reverse("data_import_confirm", args=[child.pk]), posted)
    assert "Your dates could be read two ways" not in text_of(again)
    owner_client.post(
        reverse("data_import_confirm", args=[child.pk]), {**choices_of(again), "action": "import"}
    )
    assert DailyEntry.objects.get(child=child).date.month == 5
    assert ImportChoices.objects.get(child=child).date_order == words.MONTH_FIRST


def test_an_item_column_of_words_becomes_an_item_for_an_owner_who_asks(owner_client, child):
    data = f"Day,Tremor\r\n{day(1)},moderate\r\n".encode()
    response = upload(owner_client, child, "diary.csv", data, add_items="on")
    assert "New item to rate: Tremor" in text_of(response)
    owner_client.post(
        reverse("data_import_confirm", args=[child.pk]), {**choices_of(response), "action": "x"}
    )
    assert TrackedItem.objects.get(child=child).name == "Tremor"


def test_a_diary_with_a_title_row_weekdays_halves_and_ranges_comes_in(tmp_path):
    lines = [
        "Leo's OMS diary,,,",
        "Date,Eyes,Jerks,Hours of sleep",
        f"{day(3):%a %d/%m/%Y},1.5,1-2,9-10",
        f"{day(2):%A %-d %B %Y},0,1,10 hrs",
    ]
    child = new_child(tmp_path, ("diary.csv", "\r\n".join(lines).encode("cp1252")))
    first, second = DailyEntry.objects.for_child(child).order_by("date")
    assert (first.date, first.opsoclonus, first.myoclonus, first.sleep_hours) == (
        day(3), 2, 2, Decimal("9.5"),
    )  # fmt: skip
    assert (second.date, second.sleep_hours) == (day(2), Decimal(10))


def test_two_illnesses_on_a_day_and_one_still_going_on_both_come_in(tmp_path):
    lines = ["Date,End,Trigger,Details", f"{day(4)},ongoing,sick,cold", f"{day(4)},,sick,cough"]
    child = new_child(tmp_path, None, ("events.csv", "\r\n".join(lines).encode()))
    events = TriggerEvent.objects.for_child(child).order_by("notes")
    assert [(e.end_date, e.notes) for e in events] == [
        (None, "As written: sick: cold\nEnd: ongoing"),
        (None, "As written: sick: cough"),
    ]
    run("--child", str(child.pk), "--events", str(tmp_path / "events.csv"))  # the same again
    assert TriggerEvent.objects.for_child(child).count() == 2  # not added twice


def test_one_workbook_with_a_sheet_of_days_and_a_sheet_of_triggers(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Diary"
    book.active.append(["Date", "Eyes", "Jerks"])
    book.active.append([day(3), "mild", 0])
    triggers = book.create_sheet("Triggers")
    triggers.append(["Date", "Trigger", "Notes"])
    triggers.append([day(4), "ear infection", "antibiotics"])
    out = io.BytesIO()
    book.save(out)

    child = new_child(tmp_path, ("family.xlsx", out.getvalue()))

    assert DailyEntry.objects.get(child=child).opsoclonus == 1
    event = TriggerEvent.objects.get(child=child)
    assert (event.type, event.illness_kind) == ("illness", "other")
    assert event.notes == "As written: ear infection\nantibiotics"
    assert '"Trigger" read as Trigger type (guessed)' in child.read_out


def test_a_column_the_family_left_unnamed_is_kept_in_the_notes(child):
    data = f"Date,Eyes,\r\n{day(2)},1,slept at granny's\r\n".encode()
    [row] = parse_files(entries=data, events=None, child=child, items=[]).entries
    assert row.values["notes"] == "slept at granny's"  # the only column of notes


def test_a_damaged_workbook_is_refused_plainly(child):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not a workbook")
    parsed = parse_files(
        entries=out.getvalue(), events=None, child=child, items=[], names=("diary.xlsx", "")
    )
    assert "this .xlsx file can't be read" in parsed.problems[0].message


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Day", "date"), ("Datum", "date"), ("Opsoclonus (0-3)", "opsoclonus"),
        ("dancing eyes", "opsoclonus"), ("Myoclonus", "myoclonus"), ("Wobbly", "ataxia"),
        ("Ataxia", "ataxia"), ("Irritability", "rage"), ("Hours of sleep", "sleep_hours"),
        ("Temp (°F)", "max_temperature_c"), ("Fever", "max_temperature_c"),
        ("Comments", "notes"), ("Question for Dr", "question"), ("Augen", "opsoclonus"),
    ],
)  # fmt: skip
def test_headers_as_families_write_them(header, target):
    assert words.header_target(header, words.ENTRY_HEADERS) == target


@pytest.mark.parametrize(
    "header",
    [
        ["Fecha", "Ojos", "Sacudidas", "Equilibrio", "Sueño", "Rabia", "Horas de sueño",
         "Temperatura (°C)", "Notas", "Pregunta"],
        ["Datum", "Augen", "Zuckungen", "Gleichgewicht", "Schlaf", "Wut", "Stunden Schlaf",
         "Temperatur (°C)", "Notizen", "Frage"],
    ],
    ids=["es", "de"],
)  # fmt: skip
def test_a_diary_with_spanish_or_german_headers_comes_in(tmp_path, header):
    rows = [header, [day(1), 1, 0, 2, 1, 3, "9,5", "38,5", "müde", "¿Dosis?"]]
    child = new_child(tmp_path, ("diary.xlsx", xlsx(rows)))

    entry = DailyEntry.objects.for_child(child).get(date=day(1))
    ratings = (entry.opsoclonus, entry.myoclonus, entry.ataxia, entry.sleep, entry.rage)
    assert ratings == (1, 0, 2, 1, 3)
    assert entry.sleep_hours == Decimal("9.5")  # a decimal comma read as today
    assert entry.max_temperature_c == Decimal("38.5")
    assert (entry.notes, entry.question) == ("müde", "¿Dosis?")


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Fecha", "date"), ("Ojos (0-3)", "opsoclonus"), ("Horas de sueño", "sleep_hours"),
        ("Yeux", "opsoclonus"), ("Réveils", "night_wakings"), ("Température", "max_temperature_c"),
        ("Längster Wutanfall", "rage_longest_minutes"), ("Occhi", "opsoclonus"),
        ("Risvegli", "night_wakings"), ("Olhos", "opsoclonus"), ("Horas de sono", "sleep_hours"),
        ("Ogen", "opsoclonus"), ("Uren slaap", "sleep_hours"), ("Vraag", "question"),
    ],
)  # fmt: skip
def test_headers_in_every_shipped_language(header, target):
    assert words.header_target(header, words.ENTRY_HEADERS) == target


def test_a_header_of_one_language_means_one_column_in_every_language():
    seen: dict[str, str] = {}
    for target, said in words.ENTRY_HEADERS.items():
        for word in said:
            assert seen.setdefault(word, target) == target, word
