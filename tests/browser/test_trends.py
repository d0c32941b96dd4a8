"""Trends on a phone: three bad days flag a possible relapse on the dashboard, with the chart
shaded; the range picker and "show as table" swap in place."""

import datetime
import re

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from journal import analysis, demo, trends
from journal.models import Child

DAY = datetime.timedelta(days=1)
WORST = {"Eyes": 3, "Jerks": 3, "Balance": 3}


def log_bad_day(page: Page, child: Child, day: datetime.date, opened: bool = False) -> None:
    if not opened:
        page.goto(f"/children/{child.pk}/entries/{day.isoformat()}/")
    for label, level in WORST.items():
        group = page.get_by_role("group", name=label, exact=True)
        group.locator("label").filter(has_text=re.compile(rf"^{level}:")).tap()
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.locator(".save-state")).to_have_text(re.compile(r"✓ Saved at \d\d:\d\d"))


def chart_svg(page: Page, name: str) -> str:
    """The SVG behind an <img> of the page, fetched with the page's own cookies."""
    src = page.get_by_role("img", name=name).first.get_attribute("src")
    response = page.request.get(src)
    assert response.ok
    assert response.headers["content-type"] == "image/svg+xml"
    return response.text()


def test_three_bad_days_flag_a_possible_relapse_on_the_demo_child(page: Page, maya, shot, axe):
    child = maya

    page.goto(f"/children/{child.pk}/")
    status = page.locator("#status")
    expect(status).not_to_contain_text("Possible relapse")
    score_chart = page.get_by_role("img", name=re.compile("^Daily score,"))
    # The chart shows the demo's cold of a few weeks ago, over now: one possible relapse.
    expect(score_chart).to_have_attribute("alt", re.compile("One possible relapse"))

    today = child.today()
    for day in (today - 2 * DAY, today - DAY):
        log_bad_day(page, child, day)

    # The third from the dashboard, then Back to it: it shows the save, not the page as it was.
    page.goto(f"/children/{child.pk}/")
    page.get_by_role("link", name="Log today").tap()
    log_bad_day(page, child, today, opened=True)
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/children/{child.pk}/$"))
    # Dated from the first bad day, or back to where the rise began: the demo's days just before
    # may already stand above calm (analysis.RelapseRule.days_dated_back).
    history = trends.load_history(child)
    onset = analysis.status(history.days, today, child.relapse_rule()).since
    assert today - (2 + child.relapse_rule().days_dated_back) * DAY <= onset <= today - 2 * DAY
    expect(status).to_contain_text(f"Possible relapse since {onset:%a} {onset.day} {onset:%b %Y}")
    expect(status).to_contain_text("not a diagnosis")
    image = page.get_by_role("img", name=re.compile("^Daily score,"))
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "Possible relapse" in chart_svg(page, re.compile("^Daily score,"))
    expect(image).to_have_attribute("alt", re.compile("Two possible relapses"))
    axe(page)
    shot(page, "dashboard-possible-relapse")


def test_the_range_picker_and_tables_swap_in_place(page: Page, maya, shot, axe):
    child = maya
    page.goto(f"/children/{child.pk}/trends/")
    expect(page.get_by_role("heading", name="Trends")).to_be_visible()
    page.evaluate("window.__stillHere = true")

    lit = page.locator(".range-picker [aria-current]")
    expect(lit).to_have_text("3 months")
    page.get_by_role("link", name="1 year", exact=True).tap()
    expect(page).to_have_url(re.compile(r"range=1y"))
    expect(lit).to_have_text("1 year")
    expect(page.locator(".range-picker .choice.current")).to_have_count(1)
    first = child.today() - 364 * DAY
    expect(page.locator("#charts h2")).to_contain_text(f"{first.day} {first:%b %Y}")
    assert page.evaluate("window.__stillHere") is True
    for image in page.locator("#charts img").all():
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Custom dates, from a page whose address already names a range.
    page.get_by_text("Custom dates").tap()
    start, end = child.today() - 200 * DAY, child.today() - 100 * DAY
    page.get_by_label("From").fill(start.isoformat())
    page.get_by_label("To").fill(end.isoformat())
    page.get_by_role("button", name="Show").tap()
    expect(page.locator("#charts h2")).to_contain_text(
        f"{start.day} {start:%b %Y} \N{EN DASH} {end.day} {end:%b %Y}"
    )
    expect(page).to_have_url(re.compile(rf"range=custom&start={start}&end={end}$"))
    assert page.evaluate("window.__stillHere") is True
    expect(lit).to_have_count(0)  # no preset is the period shown

    page.get_by_role("link", name="4 weeks", exact=True).tap()
    expect(lit).to_have_text("4 weeks")
    assert page.evaluate("window.__stillHere") is True

    page.locator("#chart-sleep").get_by_role("link", name="Show as table").tap()
    table = page.locator("#table-slot-sleep table")
    expect(table).to_contain_text("Hours slept")
    assert page.evaluate("window.__stillHere") is True
    axe(page)
    shot(page, "trends-1y")


def test_the_trends_page_works_without_javascript(phone, live_server):
    demo.seed()
    user = get_user_model().objects.get(username="demo")
    child = Child.objects.get(name="Maya")
    page = phone(user, java_script_enabled=False)
    page.goto(f"{live_server.url}/children/{child.pk}/trends/")
    page.get_by_role("link", name="4 weeks", exact=True).click()
    expect(page).to_have_url(re.compile(r"range=4w"))
    page.locator("#chart-score").get_by_role("link", name="Show as table").click()
    expect(page.get_by_role("heading", name="Daily score: the numbers")).to_be_visible()
