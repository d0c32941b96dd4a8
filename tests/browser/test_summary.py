"""The visit summary on a phone: found from the child's page, other days picked, the PDF
downloaded and read back."""

import datetime
import io
import re

from playwright.sync_api import Page, expect
from pypdf import PdfReader

DAY = datetime.timedelta(days=1)


def test_a_parent_prints_or_downloads_the_summary_for_the_visit(page: Page, maya, shot, axe):
    page.goto(f"/children/{maya.pk}/")
    page.get_by_role("link", name="Visit summary for the neurologist").tap()
    expect(page.get_by_role("heading", name="Maya: visit summary")).to_be_visible()
    first = maya.today() - 90 * DAY
    expect(page.locator(".summary-period")).to_have_text(
        f"{first:%-d %b %Y} \N{EN DASH} {maya.today():%-d %b %Y}"
    )
    # Every chart is drawn: inline, so it needs no other request.
    charts = page.locator(".summary-chart img")
    expect(charts).to_have_count(4)
    for index in range(4):
        charts.nth(index).scroll_into_view_if_needed()
        assert charts.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "summary")
    axe(page)

    # Six months instead, on Letter paper.
    start = maya.today() - 181 * DAY
    page.get_by_label("From").fill(start.isoformat())
    page.get_by_role("button", name="Show these days").tap()
    expect(page.locator(".summary-period")).to_have_text(re.compile(f"^{start:%-d %b %Y} "))
    page.get_by_text("US Letter").tap()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").tap()
    name = download.value.suggested_filename
    assert name == f"oms-journal-maya-visit-summary-{start}-to-{maya.today()}.pdf"
    reader = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    assert round(reader.pages[0].mediabox.width) == 612  # Letter
    assert "Maya: visit summary" in reader.pages[0].extract_text()


def test_bad_dates_are_explained_and_nothing_is_downloaded(page: Page, maya):
    page.goto(f"/children/{maya.pk}/summary/")
    page.get_by_label("To").fill((maya.today() + 3 * DAY).isoformat())
    page.get_by_role("button", name="Download PDF").tap()
    expect(page.get_by_text("This day hasn't happened yet.")).to_be_visible()
    expect(page.get_by_label("To")).to_have_value((maya.today() + 3 * DAY).isoformat())
