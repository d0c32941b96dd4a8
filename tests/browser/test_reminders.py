"""The reminder's settings page in Chromium at 390x844, and this phone's notifications as far as
a browser goes with no push service reachable (it cannot get a real subscription here)."""

import re

import pytest
from playwright.sync_api import expect

from journal.management.commands.vapid_keys import key_pair
from journal.reminders.models import Reminder

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_caregiver_sets_a_reminder_and_tries_this_phone(
    context, login, owner, child, settings, shot, axe
):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = key_pair()
    context.grant_permissions(["notifications"])
    login(owner)
    page = context.new_page()
    page.goto(f"/children/{child.pk}/")
    page.get_by_role("link", name=f"Remind me to log {child.name}'s day").click()
    expect(page.get_by_text(f"Time to log {child.name}'s day")).to_be_visible()
    page.get_by_label("Remind me").check()
    page.get_by_role("combobox", name="At").select_option("20:30")
    page.get_by_label("By email").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved: a reminder at 20:30")
    reminder = Reminder.objects.get(membership__user=owner)
    assert reminder.enabled and reminder.by_email and str(reminder.at) == "20:30:00"

    phone = page.locator("#push-phone")
    expect(phone.get_by_role("status")).to_have_text("This phone does not show your reminders.")
    shot(page, "43-reminder-settings")
    axe(page)
    phone.get_by_role("button", name="Allow on this phone").click()
    # No push service answers here: the page says so, and nothing is stored.
    expect(phone.get_by_role("status")).to_have_text(
        re.compile(r"This phone could not be signed up for notifications")
    )
    assert not owner.push_subscriptions.exists()
