"""A new family's first visit on a phone: the time zone guessed from the phone, a dashboard of
first steps, a history that starts with the journal."""

import re

import pytest
from playwright.sync_api import Page, expect

from journal.models import Child
from tests.browser.conftest import TIMEOUT_MS, session_cookie


@pytest.fixture
def phone_in(browser, browser_context_args, live_server):
    """`phone_in(user, zone, **context_args)`: a phone set to another time zone, logged in."""
    contexts = []

    def make(user, zone: str, **context_args):
        context = browser.new_context(
            **{**browser_context_args, "timezone_id": zone, **context_args}
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies([session_cookie(user, live_server.url)])
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_a_new_child_lives_where_the_phone_is(phone_in, owner, shot, axe):
    page = phone_in(owner, "America/New_York")
    page.goto("/children/add/")
    where = page.get_by_label("Where the child lives")
    expect(where).to_have_value("America/New_York")
    expect(page.get_by_text("Set from this phone's time zone")).to_be_visible()
    shot(page, "child-add-time-zone")
    axe(page)

    page.get_by_label("Name").fill("Leo")
    page.get_by_label("Birth date").fill("2023-04-02")
    page.locator("label.choice").filter(has_text=re.compile(r"^No$")).tap()
    page.get_by_role("button", name="Start the journal").tap()

    expect(page.get_by_role("heading", name="First steps")).to_be_visible()
    leo = Child.objects.get(name="Leo")
    assert leo.time_zone == "America/New_York"
    expect(page.locator("dd").filter(has_text="United States: New York")).to_be_visible()
    expect(page.locator(".chart")).to_have_count(0)
    shot(page, "child-new-dashboard")
    axe(page)

    page.get_by_role("link", name="History").first.tap()
    expect(page.locator(".day")).to_have_count(1)
    expect(page.get_by_text("Leo's journal began on")).to_be_visible()
    shot(page, "history-new-journal")


def test_a_phone_that_names_its_zone_by_an_old_name_is_understood(phone_in, owner):
    page = phone_in(owner, "Asia/Kolkata")
    page.goto("/children/add/")
    zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    expect(page.get_by_label("Where the child lives")).to_have_value(zone)


def test_without_javascript_the_server_default_stands(phone_in, owner):
    page = phone_in(owner, "Asia/Tokyo", java_script_enabled=False)
    page.goto("/children/add/")
    expect(page.get_by_label("Where the child lives")).to_have_value("Europe/London")


def test_the_other_small_things_at_phone_size(page: Page, login, owner, child, shot, axe):
    login(owner)
    page.goto("/accounts/profile/")
    page.get_by_label("Your name, as your care team sees it").fill("Olivia (Mia's mum)")
    page.get_by_role("button", name="Save the name").tap()
    expect(page.get_by_text("Saved: the name your care team sees.")).to_be_visible()
    shot(page, "account-display-name")
    axe(page)
    page.goto(f"/children/{child.pk}/team/")
    expect(page.get_by_text("Olivia (Mia's mum) (you)")).to_be_visible()
