"""The daily entry form in the browser: without JavaScript, with bad input, and for a viewer."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from journal.models import DailyEntry, TriggerEvent
from tests.factories import DailyEntryFactory


def rating(page: Page, label: str):
    return page.get_by_role("group", name=label, exact=True)


def tap_level(page: Page, label: str, level: int) -> None:
    rating(page, label).locator("label").filter(has_text=re.compile(rf"^{level}:")).tap()


def field_box(page: Page, label: str):
    """The block that holds one field: its label, input, help and error message."""
    return page.locator(".field").filter(has=page.get_by_label(label, exact=True))


@pytest.fixture
def today_url(child):
    return f"/children/{child.pk}/entries/{child.today()}/"


def test_without_javascript_the_form_posts_and_says_saved(phone, owner, child, today_url, shot):
    page = phone(user=owner, java_script_enabled=False)
    page.goto(today_url)
    assert page.evaluate("typeof window.htmx") == "undefined"  # the page's scripts never ran

    tap_level(page, "Eyes", 3)
    tap_level(page, "Rage", 0)
    # The anchor follows the choice with CSS alone.
    expect(rating(page, "Eyes").locator(".anchor").get_by_text("Almost constant")).to_be_visible()
    page.get_by_text("Details: sleep, rage, temperature, doses").tap()
    page.get_by_label("Hours slept").fill("9.75")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).tap()

    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(today_url) + "$"))
    shot(page, "entry-form-saved-no-js")
    entry = DailyEntry.objects.get(child=child)
    assert (entry.opsoclonus, entry.rage, entry.myoclonus) == (3, 0, None)
    assert entry.sleep_hours == Decimal("9.75")
    expect(rating(page, "Eyes").get_by_role("radio", name=re.compile(r"^3"))).to_be_checked()


def test_bad_numbers_are_shown_beside_their_fields_and_the_typing_is_kept(
    page: Page, login, owner, child, today_url, shot, axe
):
    login(owner)
    page.goto(today_url)
    tap_level(page, "Eyes", 2)
    tap_level(page, "Balance", 1)
    page.get_by_text("Details: sleep, rage, temperature, doses").tap()
    page.get_by_label("Hours slept").fill("10.3")
    page.get_by_label("Night wakings").fill("twice")
    page.get_by_label("Notes").fill("Grumpy after nursery.")
    page.get_by_role("button", name="Save", exact=True).tap()

    expect(page.get_by_role("alert")).to_have_text("Please check the fields marked below.")
    sleep_box = field_box(page, "Hours slept")
    expect(sleep_box.locator(".error")).to_have_text(
        "Use quarter hours, such as 9, 9.25, 9.5 or 9.75."
    )
    wakings_box = field_box(page, "Night wakings")
    expect(wakings_box.locator(".error")).to_have_text("Enter a whole number, such as 2.")
    # A screen reader hears the message on reaching the field, not only the red text.
    expect(page.get_by_label("Night wakings")).to_have_accessible_description(
        re.compile("Enter a whole number, such as 2.")
    )
    expect(page.get_by_label("Hours slept")).to_have_accessible_description(
        re.compile("Use quarter hours")
    )
    # Everything typed or tapped is still there.
    expect(page.get_by_label("Hours slept")).to_have_value("10.3")
    expect(page.get_by_label("Night wakings")).to_have_value("twice")
    expect(page.get_by_label("Notes")).to_have_value("Grumpy after nursery.")
    expect(rating(page, "Eyes").get_by_role("radio", name=re.compile(r"^2"))).to_be_checked()
    expect(rating(page, "Balance").get_by_role("radio", name=re.compile(r"^1"))).to_be_checked()
    expect(page.locator(".save-state")).to_have_text("Not saved yet")
    assert not DailyEntry.objects.exists()
    shot(page, "entry-form-bad-numbers")
    axe(page)

    # Put it right and save.
    page.get_by_label("Hours slept").fill("10.25")
    page.get_by_label("Night wakings").fill("2")
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.locator(".save-state")).to_contain_text("Saved at")
    expect(page.locator(".error")).to_have_count(0)
    entry = DailyEntry.objects.get(child=child)
    assert (entry.sleep_hours, entry.night_wakings, entry.opsoclonus) == (Decimal("10.25"), 2, 2)


def test_a_temperature_typed_with_a_comma_is_refused_beside_the_field(
    page: Page, login, owner, child, shot
):
    login(owner)
    page.goto(f"/children/{child.pk}/events/add/?type=fever")
    temperature = page.get_by_label("Highest temperature (°C)")
    expect(temperature).to_be_visible()  # the type came from the link, so its field shows
    temperature.fill("39,2")
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(field_box(page, "Highest temperature (°C)").locator(".error")).to_contain_text(
        "Enter a number"
    )
    expect(temperature).to_have_value("39,2")
    expect(page.get_by_label("Fever", exact=True)).to_be_checked()
    assert not TriggerEvent.objects.exists()
    shot(page, "trigger-form-comma")


def test_a_viewer_sees_the_entry_read_only(page: Page, login, viewer, child, shot, axe):
    DailyEntryFactory(child=child, date=child.today(), opsoclonus=2)
    login(viewer)
    page.goto("/")
    expect(page.get_by_role("link", name="Mia")).to_be_visible()
    expect(page.get_by_role("link", name="Log today")).to_have_count(0)

    page.goto(f"/children/{child.pk}/")
    expect(page.get_by_role("link", name="Log today")).to_have_count(0)
    expect(page.get_by_role("link", name="Log a fever")).to_have_count(0)
    page.get_by_role("link", name="See today's entry").tap()

    expect(page.locator(".notice")).to_have_text(
        "You can read this journal but not change it: your role is viewer."
    )
    expect(page.locator("fieldset.entry-fields")).to_have_attribute("disabled", "")
    eyes_two = rating(page, "Eyes").get_by_role("radio", name=re.compile(r"^2"))
    expect(eyes_two).to_be_checked()
    expect(eyes_two).to_be_disabled()
    expect(page.get_by_label("Notes")).to_be_disabled()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    shot(page, "entry-form-viewer")
    axe(page)


def test_saving_twice_without_reload_goes_on_from_the_saved_version(
    phone, owner, child, today_url, shot
):
    """A save answers with the form's new version only, swapped in out of band: the next tap
    on Save must start from it, not be refused as a conflict."""
    page = phone(user=owner)
    page.goto(today_url)
    for level, version in ((2, 1), (3, 2)):
        tap_level(page, "Eyes", level)
        with page.expect_response(lambda response: response.request.method == "POST") as saved:
            page.get_by_role("button", name="Save", exact=True).tap()
        assert saved.value.status == 200
        expect(page.locator("#id_version")).to_have_value(str(version))
        expect(page.locator(".save-state")).to_have_text(re.compile(r"✓ Saved at \d\d:\d\d"))
        expect(
            rating(page, "Eyes").get_by_role("radio", name=re.compile(rf"^{level}"))
        ).to_be_checked()
    expect(page.locator(".conflict")).to_have_count(0)
    expect(page.locator("form#entry-form")).to_have_count(1)
    # The request is over: Save is no longer dimmed.
    expect(page.locator("form#entry-form")).not_to_have_class(re.compile("htmx-request"))
    shot(page, "entry-form-saved-twice")
    entry = DailyEntry.objects.get(child=child)
    assert (entry.opsoclonus, entry.version) == (3, 2)


def test_what_each_level_means_shows_before_choosing_and_stays(
    phone, owner, child, today_url, shot
):
    page = phone(user=owner)
    page.goto(today_url)
    eyes_anchors = rating(page, "Eyes").locator(".anchor [data-level]:visible")
    expect(eyes_anchors).to_have_text(["Not observed"])  # only the chosen level's meaning

    page.get_by_label("What 0-3 mean, under each sign").tap()
    expect(eyes_anchors).to_have_count(4)
    expect(eyes_anchors.first).to_have_text(re.compile(r"^0: none seen", re.IGNORECASE))
    assert not DailyEntry.objects.filter(child=child).exists()  # showing meanings saves nothing

    # Remembered on this phone: after a reload, and after a save swaps the form.
    page.reload()
    expect(page.get_by_label("What 0-3 mean, under each sign")).to_be_checked()
    tap_level(page, "Eyes", 1)
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.locator(".save-state")).to_have_text(re.compile(r"✓ Saved at"))
    page.reload()
    expect(rating(page, "Jerks").locator(".anchor [data-level]:visible")).to_have_count(4)
    shot(page, "entry-form-anchors-shown")


def test_same_as_yesterday_fills_the_ratings_to_adjust_and_saves_only_on_save(
    phone, owner, child, today_url, shot
):
    yesterday = DailyEntryFactory(
        child=child, opsoclonus=2, myoclonus=1, ataxia=3, sleep=None, rage=0
    )
    page = phone(user=owner)
    page.goto(today_url)
    page.get_by_role("button", name="Same as yesterday").tap()
    for label, level in {"Eyes": 2, "Jerks": 1, "Balance": 3, "Rage": 0}.items():
        expect(
            rating(page, label).get_by_role("radio", name=re.compile(rf"^{level}"))
        ).to_be_checked()
    expect(rating(page, "Sleep").get_by_role("radio", name="Not observed")).to_be_checked()
    expect(page.locator(".save-state")).to_contain_text("change what differs, then Save")
    expect(page.locator(".save-state")).not_to_contain_text("Saved")
    assert DailyEntry.objects.filter(child=child).count() == 1  # nothing saved by the button

    tap_level(page, "Balance", 2)
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.locator(".save-state")).to_have_text(re.compile(r"✓ Saved at"))
    today = DailyEntry.objects.get(child=child, date=child.today())
    assert (today.opsoclonus, today.myoclonus, today.ataxia, today.sleep, today.rage) == (
        2,
        1,
        2,
        None,
        0,
    )
    yesterday.refresh_from_db()
    assert yesterday.ataxia == 3
    shot(page, "entry-form-same-as-yesterday")


def test_same_as_yesterday_is_offered_only_when_yesterday_was_logged(
    phone, owner, child, today_url
):
    page = phone(user=owner)
    page.goto(today_url)
    expect(page.get_by_label("What 0-3 mean, under each sign")).to_be_visible()
    expect(page.get_by_role("button", name="Same as yesterday")).to_have_count(0)


def test_a_save_the_server_cannot_take_is_kept_on_the_phone_and_the_typing_stays(
    phone, owner, child, today_url, shot
):
    """While the database restarts the app answers a save 503 (journal.middleware): the page
    must not look saved; the day is kept on the phone, and what was typed stays for the next
    tap on Save."""
    page = phone(user=owner)
    page.goto(today_url)
    unavailable = (Path(__file__).parents[2] / "templates" / "503.html").read_text()
    refused = []

    def refuse_once(route):
        if route.request.method == "POST" and not refused:
            refused.append(route.request.url)
            route.fulfill(status=503, body=unavailable, headers={"Retry-After": "5"})
        else:
            route.continue_()

    page.route(re.compile(re.escape(today_url) + "$"), refuse_once)
    tap_level(page, "Eyes", 2)
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.locator(".save-state")).to_have_text(re.compile("^Kept on this phone"))
    expect(rating(page, "Eyes").get_by_role("radio", name=re.compile(r"^2"))).to_be_checked()
    shot(page, "entry-form-not-saved")
    assert not DailyEntry.objects.filter(child=child).exists()

    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.locator(".save-state")).to_have_text(re.compile(r"✓ Saved at \d\d:\d\d"))
    assert DailyEntry.objects.get(child=child).opsoclonus == 2
