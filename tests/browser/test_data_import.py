"""The import on a phone: from the child's page to "Your data", a file with a bad row refused
with its line, then good files previewed and confirmed; a family's own spreadsheet, read as
they wrote it, a column changed in the preview."""

import datetime
import io

import openpyxl
from playwright.sync_api import Page, expect

from journal.exchange.columns import ENTRY_COLUMNS, EVENT_COLUMNS
from journal.models import DailyEntry, TriggerEvent

PHONE_WIDTH = 390


def csv_file(name: str, lines: list[str]) -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": "\r\n".join(lines).encode()}


def days_ago(days: int) -> str:
    # The families of the tests live in Europe/London: a few days back is in the past there.
    return (datetime.date.today() - datetime.timedelta(days=days)).isoformat()


def entries_with_a_bad_row() -> dict:
    header = ",".join(ENTRY_COLUMNS)
    return csv_file("entries.csv", [header, f"{days_ago(5)},1,1,1,0,1", f"{days_ago(4)},1,7,1,0,1"])


def good_entries() -> dict:
    header = ",".join(ENTRY_COLUMNS)
    rows = [f"{days_ago(n)},1,1,2,0,1,9.5,2,,,,yes,From the paper diary," for n in (5, 4, 2)]
    return csv_file("entries.csv", [header, *rows])


def good_events() -> dict:
    return csv_file(
        "events.csv", [",".join(EVENT_COLUMNS), f"{days_ago(6)},,vaccination,MMR (live),"]
    )


def upload_bad_file(page: Page) -> None:
    page.get_by_label("Daily entries (CSV, Excel or LibreOffice)").set_input_files(
        entries_with_a_bad_row()
    )
    page.get_by_role("button", name="Check the files").tap()
    expect(page.get_by_role("alert")).to_contain_text("line 3")


def upload_good_files(page: Page) -> None:
    page.get_by_label("Daily entries (CSV, Excel or LibreOffice)").set_input_files(good_entries())
    page.get_by_label("Triggers (CSV, Excel or LibreOffice)").set_input_files(good_events())
    page.get_by_role("button", name="Check the files").tap()
    expect(page.get_by_role("heading", name="Check before importing")).to_be_visible()


def fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page is {width}px wide"


def test_a_caregiver_imports_a_paper_diary_after_a_preview(
    page: Page, login, caregiver, child, shot, axe
):
    DailyEntry.objects.create(child=child, date=datetime.date.fromisoformat(days_ago(2)), ataxia=3)
    login(caregiver)
    page.goto(f"/children/{child.pk}/")
    page.get_by_role("link", name="Your data").tap()
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()

    upload_bad_file(page)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was imported.")
    expect(alert).to_contain_text('entries.csv, line 3: myoclonus is "7"')
    fits_the_phone(page)
    shot(page, "data-import-refused")
    assert not DailyEntry.objects.filter(child=child, notes__startswith="From").exists()

    upload_good_files(page)
    summary = page.locator(".import-summary")
    expect(summary).to_contain_text("2 new days")
    expect(summary).to_contain_text("1 day changed")
    expect(summary).to_contain_text("1 new trigger")
    expect(page.locator(".row").first).to_contain_text("Balance: 3 → 2")
    fits_the_phone(page)
    shot(page, "data-import-preview")
    axe(page)
    assert DailyEntry.objects.filter(child=child).count() == 1  # nothing written before "Import"

    page.get_by_role("button", name="Import into Mia's journal").tap()
    expect(page.get_by_role("status")).to_contain_text(
        "Imported: 2 new days, 1 changed day, 1 new trigger."
    )
    assert DailyEntry.objects.filter(child=child).count() == 3
    assert DailyEntry.objects.get(child=child, date=days_ago(2)).ataxia == 2
    assert TriggerEvent.objects.get(child=child).vaccine == "MMR"


def family_workbook() -> dict:
    """A diary as a family keeps it in Excel: their headers, their words, °F, day-first dates."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["Day", "Dancing eyes", "Jerks", "Wobbly", "Sleep", "Rage", "Temp", "Meds", "Notes"]
    )
    for n, eyes, wobbly, temp in ((6, "mild", "bad", "101.3F"), (5, "severe", "moderate", ""),
                                  (4, "none", "ok", "99.1")):  # fmt: skip
        day = datetime.date.today() - datetime.timedelta(days=n)
        sheet.append([day.strftime("%d/%m/%Y"), eyes, 1, wobbly, 2, 0, temp, "pred 10mg",
                      f"Day {n}: grumpy at nursery"])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return {"name": "Leo's diary.xlsx", "mimeType": kind, "buffer": out.getvalue()}


def test_an_owner_imports_the_familys_own_spreadsheet_and_corrects_a_column(
    page: Page, login, owner, child, shot, axe
):
    login(owner)
    page.goto(f"/children/{child.pk}/data/")
    page.get_by_label("Daily entries (CSV, Excel or LibreOffice)").set_input_files(
        family_workbook()
    )
    page.get_by_role("button", name="Check the files").tap()
    reading = page.locator(".columns-read")
    expect(reading).to_contain_text("“101.3F” → 38.5")
    expect(reading).to_contain_text("“mild” → 1")
    expect(page.get_by_label("Meds")).to_have_value("notes")
    fits_the_phone(page)
    shot(page, "data-import-family-preview")
    axe(page)

    page.get_by_label("Meds").select_option("skip")
    page.get_by_label("“bad” is").select_option("3")
    page.get_by_role("button", name="Read again with these choices").tap()
    expect(page.get_by_role("status")).to_contain_text("Read again with your choices")
    expect(page.get_by_label("Meds")).to_have_value("skip")
    page.get_by_role("button", name="Import into Mia's journal").tap()
    expect(page.get_by_role("status")).to_contain_text("Imported: 3 new days")

    first = DailyEntry.objects.get(child=child, date=datetime.date.today() - 6 * DAY)
    assert (first.opsoclonus, first.ataxia, first.notes) == (1, 3, "Day 6: grumpy at nursery")
    assert str(first.max_temperature_c) == "38.5"


DAY = datetime.timedelta(days=1)
