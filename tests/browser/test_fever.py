"""A fever typed into a day, in the browser: saved in place, it is offered as a trigger with its
temperature filled in, and shows on the dashboard and in the history."""

import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from journal.models import TriggerEvent


def test_a_days_fever_is_offered_as_a_trigger_and_shows_where_the_day_shows(
    page: Page, login, owner, child, shot, axe
):
    login(owner)
    today = child.today()
    page.goto(f"/children/{child.pk}/entries/{today}/")
    page.get_by_role("group", name="Eyes", exact=True).locator("label").filter(
        has_text=re.compile(r"^1:")
    ).tap()
    page.get_by_text("Details: sleep, rage, temperature, doses").tap()
    page.get_by_label("Temperature (°C)").fill("39.6")
    page.evaluate("window.__stillHere = true")
    page.get_by_role("button", name="Save", exact=True).tap()

    offer = page.locator("#fever-offer")
    expect(offer).to_contain_text("39.6 °C is a fever: it counts as one for possible relapses.")
    assert page.evaluate("window.__stillHere") is True  # saved in place
    axe(page)
    shot(page, "entry-form-fever-offer")

    page.goto(f"/children/{child.pk}/")
    expect(page.locator("body")).to_contain_text(f"Fever {today:%-d %b %Y}, 39.6 °C")
    shot(page, "dashboard-fever")
    page.goto(f"/children/{child.pk}/entries/")
    expect(page.locator(".day").first).to_contain_text("Fever 39.6 °C")
    shot(page, "history-fever")

    page.goto(f"/children/{child.pk}/entries/{today}/")
    page.locator("#fever-offer").get_by_role("link", name="Log it as a trigger").tap()
    expect(page.get_by_label("Highest temperature (°C)")).to_have_value("39.6")
    expect(page.get_by_role("radio", name="Fever")).to_be_checked()
    shot(page, "event-form-fever-filled")
    page.get_by_role("button", name=re.compile("^Save")).tap()
    expect(page.get_by_role("status").filter(has_text="Saved: fever.")).to_be_visible()
    assert TriggerEvent.objects.get(child=child).temperature_c == Decimal("39.6")

    page.goto(f"/children/{child.pk}/entries/{today}/")
    expect(page.locator("#fever-offer")).to_be_hidden()  # logged: nothing more to offer
