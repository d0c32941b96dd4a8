"""Two caregivers save the same day at once, in two browsers: the second sees both versions."""

import re

from playwright.sync_api import Page, expect

from journal.models import DailyEntry


def tap_level(page: Page, label: str, level: int) -> None:
    group = page.get_by_role("group", name=label, exact=True)
    group.locator("label").filter(has_text=re.compile(rf"^{level}:")).tap()


def test_the_second_save_shows_both_versions_and_saving_mine_is_a_choice(
    phone, owner, caregiver, child, shot, axe
):
    day_url = f"/children/{child.pk}/entries/{child.today()}/"
    mum, dad = phone(user=owner), phone(user=caregiver)
    mum.goto(day_url)
    dad.goto(day_url)

    tap_level(mum, "Eyes", 2)
    mum.get_by_role("button", name="Save", exact=True).tap()
    expect(mum.locator(".saved")).to_be_visible()

    dad.evaluate("window.stillThisPage = true")
    tap_level(dad, "Eyes", 3)
    dad.get_by_label("Notes").fill("Bad evening, lots of darting")
    dad.get_by_role("button", name="Save", exact=True).tap()

    conflict = dad.get_by_role("alert").filter(has_text="while you were editing")
    expect(conflict).to_be_visible()
    expect(conflict).to_be_in_viewport()  # scrolled to, not left above the fold
    expect(conflict).to_contain_text("Changed by Olivia")
    expect(conflict.get_by_role("row", name="Eyes")).to_contain_text("2")
    expect(conflict.get_by_role("row", name="Eyes")).to_contain_text("3")
    assert dad.evaluate("window.stillThisPage") is True  # htmx swapped the 409 in place
    assert DailyEntry.objects.get(child=child).opsoclonus == 2
    shot(dad, "entry-conflict")
    axe(dad)

    conflict.get_by_role("button", name="Save mine over theirs").tap()
    expect(dad.locator(".saved")).to_be_visible()
    entry = DailyEntry.objects.get(child=child)
    assert (entry.opsoclonus, entry.notes, entry.updated_by) == (
        3,
        "Bad evening, lots of darting",
        caregiver,
    )
