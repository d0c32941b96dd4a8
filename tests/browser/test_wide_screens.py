"""On a clinic computer or a laptop the app uses the width: not a phone's column in the middle.

At 1366x900: the dashboard in two columns, the charts of Trends and of the shared summary side by
side and wider than a phone's, the history a table with what happened on each day's line; and the
charts' text no smaller than on a phone.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from journal import demo
from journal.models import Child
from tests.factories import ShareLinkFactory

DESKTOP = {"width": 1366, "height": 900}
SHARE_TOKEN = "a-token-for-the-clinic-computer"


@pytest.fixture
def desktop(phone):
    """The demo family on a laptop, its owner logged in; returns the page and the child."""
    demo.seed()
    page = phone(get_user_model().objects.get(username="demo"))
    page.set_viewport_size(DESKTOP)
    return page, Child.objects.get(name="Maya")


def boxes(page: Page, selector: str) -> list[dict]:
    return page.locator(selector).evaluate_all(
        "elements => elements.map(e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, top: r.top, width: r.width}; })"
    )


def side_by_side(first: dict, second: dict) -> bool:
    return abs(first["top"] - second["top"]) < 2 and second["left"] > first["left"] + first["width"]


def test_the_dashboard_is_two_columns(desktop, shot, axe):
    page, child = desktop
    page.goto(f"/children/{child.pk}/")
    sections = boxes(page, "main > section")
    assert side_by_side(sections[0], sections[1]), "where the child stands, then today beside it"
    assert page.locator("main").evaluate("m => m.getBoundingClientRect().width") > 1000
    shot(page, "desktop-dashboard")
    axe(page)


def test_the_trends_charts_use_the_width_and_keep_their_text_readable(desktop, shot, axe):
    page, child = desktop
    page.goto(f"/children/{child.pk}/trends/")
    cards = boxes(page, ".chart-card")
    assert side_by_side(cards[0], cards[1])
    images = page.locator(".chart-card img")
    for image in images.all():
        expect(image).to_have_js_property("complete", True)
    # Shown at least as large as drawn: the text is never smaller than in the SVG.
    scales = images.evaluate_all(
        "imgs => imgs.map(i => i.getBoundingClientRect().width / i.getAttribute('width'))"
    )
    assert min(scales) >= 0.95, scales
    assert cards[0]["width"] > 500
    shot(page, "desktop-trends")
    axe(page)


def test_the_history_is_a_table(desktop, shot):
    page, child = desktop
    page.goto(f"/children/{child.pk}/entries/")
    day_with_notes = page.locator(".day").filter(has=page.locator(".day-notes")).first
    link = day_with_notes.locator(".day-link").bounding_box()
    notes = day_with_notes.locator(".day-notes").bounding_box()
    assert notes["x"] >= link["x"] + link["width"] - 1, "what happened sits beside the day"
    assert notes["y"] < link["y"] + link["height"], "on the same line, not under it"
    shot(page, "desktop-history")


def test_the_shared_summary_uses_the_width(desktop, phone, shot, axe):
    _page, child = desktop
    ShareLinkFactory(child=child, token=SHARE_TOKEN)
    clinician = phone()
    clinician.set_viewport_size(DESKTOP)
    clinician.goto(f"/shared/{SHARE_TOKEN}/")
    expect(clinician.get_by_role("heading", level=1)).to_contain_text("Maya")
    assert clinician.locator("main").evaluate("m => m.getBoundingClientRect().width") > 1000
    chart = clinician.locator(".summary-chart img").first
    assert chart.evaluate("i => i.getBoundingClientRect().width") > 800
    shot(clinician, "desktop-shared-summary")
    axe(clinician)
