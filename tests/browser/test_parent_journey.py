"""What a parent does, start to finish, on a phone: sign up, add a child, log today with the tap
targets, see it in the history, change it, and log a fever."""

import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from journal.models import Child, DailyEntry, Membership, Role, TriggerEvent
from journal.scales import CORE_ITEMS

# The levels the parent settles on: a score of 2 + 1 + 3 + 0 + 1 = 7.
CHOSEN = {"Eyes": 2, "Jerks": 1, "Balance": 3, "Sleep": 0, "Rage": 1}
ANCHORS = {item.label: item.anchors for item in CORE_ITEMS}


def rating(page: Page, label: str):
    """The fieldset of one core item, found by its legend as a screen reader finds it."""
    return page.get_by_role("group", name=label, exact=True)


def tap_level(page: Page, label: str, level: int) -> None:
    """Tap the big target for `level` (its label: the radio itself is visually hidden)."""
    rating(page, label).locator("label").filter(has_text=re.compile(rf"^{level}:")).tap()


def expect_anchor_shown(page: Page, label: str, level: int | str) -> None:
    """The anchor of the chosen level ("" for not observed) is the only one shown."""
    group = rating(page, label)
    anchor = ANCHORS[label][level] if level != "" else "Not observed"
    expect(group.locator(".anchor").get_by_text(anchor)).to_be_visible()
    shown = f"{level}: {anchor}" if level != "" else anchor
    expect(group.locator(f'.anchor [data-level="{level}"]')).to_have_text(shown)
    for other in ["", *range(4)]:
        if other != level:
            expect(group.locator(f'.anchor [data-level="{other}"]')).to_be_hidden()


def expect_level_checked(page: Page, label: str, level: int) -> None:
    # The radio's accessible name is its label: the level and what it means.
    name = re.compile(rf"^{level}\s*: {re.escape(ANCHORS[label][level])}$")
    expect(rating(page, label).get_by_role("radio", name=name)).to_be_checked()


def save_without_reload(page: Page) -> None:
    """Tap Save and see "Saved at HH:MM" in the same document: htmx swapped the form in place."""
    page.evaluate("window.__beforeSave = 'still here'")
    navigations = []
    page.on(
        "framenavigated",
        lambda frame: navigations.append(frame.url) if frame == page.main_frame else None,
    )
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.locator(".save-state")).to_have_text(re.compile(r"✓ Saved at \d\d:\d\d"))
    assert page.evaluate("window.__beforeSave") == "still here"
    assert navigations == []


def child_nav(page: Page, name: str):
    return page.get_by_role("navigation", name="Mia's journal").get_by_role(
        "link", name=name, exact=True
    )


def test_a_parent_signs_up_logs_today_changes_it_and_logs_a_fever(
    page: Page, live_server, shot, axe
):
    # Sign up through the real form.
    page.goto("/accounts/signup/")
    shot(page, "journey-signup")
    page.get_by_label("Username").fill("hannah")
    page.get_by_label("Email").fill("hannah@example.org")
    page.get_by_label(re.compile(r"^Password\W*$")).fill("a-quiet-evening-42")
    page.get_by_label("Password confirmation").fill("a-quiet-evening-42")
    page.get_by_role("button", name="Create my account").tap()
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    shot(page, "journey-home-empty")

    # Add a child through the real form.
    page.get_by_role("link", name="Add your child").tap()
    page.get_by_label("Name").fill("Mia")
    page.get_by_label("Birth date").fill("2022-03-14")
    page.get_by_label("Date of diagnosis").fill("2023-09-01")
    page.locator("label.choice").filter(has_text=re.compile(r"^Yes$")).tap()
    page.get_by_label("Where the child lives").select_option("Europe/London")
    shot(page, "journey-child-form")
    page.get_by_role("button", name="Start the journal").tap()

    # The child's page.
    expect(page.get_by_role("status")).to_contain_text("Mia's journal is ready")
    child = Child.objects.get(name="Mia")
    assert Membership.objects.get(child=child).role == Role.OWNER
    assert page.url == f"{live_server.url}/children/{child.pk}/"
    shot(page, "journey-child-page-empty")
    today = child.today()

    # Log today with the tap targets.
    page.get_by_role("link", name="Log today").tap()
    expect(page).to_have_url(f"{live_server.url}/children/{child.pk}/entries/{today}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    shot(page, "journey-entry-form-empty")
    for label in CHOSEN:
        expect_anchor_shown(page, label, "")  # nothing chosen yet: "Not observed"
        for level in range(4):
            tap_level(page, label, level)
            expect_level_checked(page, label, level)
            expect_anchor_shown(page, label, level)
        tap_level(page, label, CHOSEN[label])
        expect_anchor_shown(page, label, CHOSEN[label])
    expect(
        rating(page, "Eyes").locator(".anchor").get_by_text("Darting many times a day")
    ).to_be_visible()

    page.get_by_text("Details: sleep, rage, temperature, doses").tap()
    page.get_by_label("Hours slept").fill("10.5")
    save_without_reload(page)
    shot(page, "journey-entry-form-saved")
    axe(page)

    entry = DailyEntry.objects.get(child=child)
    assert entry.date == today
    assert entry.ratings == {
        "opsoclonus": 2,
        "myoclonus": 1,
        "ataxia": 3,
        "sleep": 0,
        "rage": 1,
    }
    assert entry.sleep_hours == Decimal("10.5")
    assert entry.score == 7

    # The history shows today with its daily score.
    child_nav(page, "History").tap()
    today_row = page.locator(".day").first
    expect(today_row).to_contain_text(f"{today.day} {today:%b}")
    expect(today_row.locator(".score")).to_have_text("7")
    expect(today_row).to_contain_text("daily score 7")
    shot(page, "journey-history")

    # Open today again: the choices are kept; change Eyes from 2 to 1.
    child_nav(page, "Log").tap()
    for label, level in CHOSEN.items():
        expect_level_checked(page, label, level)
        expect_anchor_shown(page, label, level)
    expect(page.get_by_label("Hours slept")).to_have_value("10.5")  # as typed, not 10.50
    tap_level(page, "Eyes", 1)
    expect_anchor_shown(page, "Eyes", 1)
    save_without_reload(page)
    expect_level_checked(page, "Eyes", 1)  # the swapped-in form shows what was saved
    assert DailyEntry.objects.filter(child=child).count() == 1
    entry.refresh_from_db()
    assert entry.opsoclonus == 1
    assert entry.score == 6
    assert entry.sleep_hours == Decimal("10.5")

    # Log a fever: the temperature is asked only once the type is Fever.
    child_nav(page, "Triggers").tap()
    shot(page, "journey-triggers-empty")
    page.get_by_role("link", name="Log a trigger").tap()
    temperature = page.get_by_label("Highest temperature (°C)")
    expect(temperature).to_be_hidden()
    shot(page, "journey-trigger-form-empty")
    page.locator("label.choice").filter(has_text=re.compile(r"^Fever$")).tap()
    expect(temperature).to_be_visible()
    expect(page.get_by_label("Kind of illness")).to_be_hidden()
    temperature.fill("39.2")
    shot(page, "journey-trigger-form-fever")
    axe(page)
    page.get_by_role("button", name="Save", exact=True).tap()

    expect(page.get_by_role("status")).to_contain_text("Saved: fever.")
    fever = TriggerEvent.objects.get(child=child)
    assert (fever.type, fever.start_date, fever.temperature_c) == ("fever", today, Decimal("39.2"))
    row = page.locator(".row").filter(has_text="Fever")
    expect(row).to_contain_text("39.2 °C")
    expect(row).to_contain_text(f"{today.day} {today:%b %Y}")
    shot(page, "journey-triggers")

    # And in the history, beside today.
    child_nav(page, "History").tap()
    today_row = page.locator(".day").first
    expect(today_row.locator(".score")).to_have_text("6")
    expect(today_row.get_by_role("link", name="Fever")).to_be_visible()
    expect(today_row.locator(".day-notes")).to_contain_text("39.2 °C")
    shot(page, "journey-history-with-fever")
