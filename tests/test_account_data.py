"""An account holder downloads everything, and can delete the account with what it alone owned."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from journal.models import Child, DailyEntry, Role
from tests.factories import (
    PASSWORD,
    ChildFactory,
    DailyEntryFactory,
    DoseChangeFactory,
    MembershipFactory,
    TrackedItemFactory,
    TriggerEventFactory,
)
from tests.view_helpers import error_beside, snapshot, text_of

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_the_download_holds_the_account_and_every_journal_it_is_on(
    caregiver_client, caregiver, child, stranger_child
):
    item = TrackedItemFactory(child=child, name="Drooling")
    entry = DailyEntryFactory(child=child, date=child.today(), rage=2, notes="Long day")
    entry.item_ratings.create(item=item, value=1)
    TriggerEventFactory(child=child)
    DoseChangeFactory(course__child=child)
    DailyEntryFactory(child=stranger_child, notes="Not yours")

    response = caregiver_client.get(reverse("account_download"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert 'attachment; filename="oms-journal-carl-' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["username"] == "carl"
    [journal] = data["journals"]
    assert journal["your_role"] == "caregiver"
    assert journal["child"]["name"] == "Mia"
    [saved] = journal["child"]["entries"]
    assert (saved["date"], saved["rage"], saved["notes"], saved["items"]) == (
        child.today().isoformat(),
        2,
        "Long day",
        {"Drooling": 1},
    )
    assert journal["child"]["events"][0]["type"] == "fever"
    assert journal["child"]["treatments"][0]["dose_changes"][0]["dose"] == "1.500"
    assert {m["username"] for m in journal["child"]["care_team"]} == {"olivia", "carl"}
    assert "Not yours" not in response.content.decode()
    assert "Noah" not in response.content.decode()


def test_the_delete_page_says_which_journals_go_with_the_account(owner_client, child, caregiver):
    response = owner_client.get(reverse("account_delete"))
    text = text_of(response)
    assert "will be deleted with your account" in text
    assert "Mia" in text
    assert "Carl (Mia)" in text


def test_a_wrong_password_deletes_nothing(owner_client, child):
    before = snapshot()
    response = owner_client.post(reverse("account_delete"), {"password": "not it"})
    assert response.status_code == 200
    assert "This is not your password." in error_beside(response, "password")
    assert snapshot() == before
    assert User.objects.filter(username="olivia").exists()


def test_deleting_an_account_deletes_what_it_alone_owned_and_nothing_else(
    owner, owner_client, child, caregiver, stranger_child
):
    shared = ChildFactory(name="Ben", owner=owner)
    MembershipFactory(child=shared, user=caregiver, role=Role.OWNER)
    kept_entry = DailyEntryFactory(child=shared, created_by=owner, updated_by=owner)

    response = owner_client.post(reverse("account_delete"), {"password": PASSWORD}, follow=True)

    assert "Your account and the journals of Mia are deleted." in text_of(response)
    assert not User.objects.filter(username="olivia").exists()
    assert not Child.objects.filter(pk=child.pk).exists()  # olivia alone owned Mia
    assert Child.objects.filter(pk=shared.pk).exists()  # carl owns Ben too
    assert Child.objects.filter(pk=stranger_child.pk).exists()
    kept_entry.refresh_from_db()
    assert (kept_entry.created_by, kept_entry.updated_by) == (None, None)
    assert owner_client.get(reverse("home")).status_code == 302  # logged out


def test_a_caregiver_deleting_their_account_leaves_the_journal(caregiver_client, caregiver, child):
    entry = DailyEntryFactory(child=child, created_by=caregiver, updated_by=caregiver)
    caregiver_client.post(reverse("account_delete"), {"password": PASSWORD})
    assert Child.objects.filter(pk=child.pk).exists()
    assert DailyEntry.objects.filter(pk=entry.pk).exists()


def test_wrong_passwords_on_the_delete_page_count_towards_the_lockout(owner_client, child):
    for _ in range(5):
        owner_client.post(reverse("account_delete"), {"password": "guess"})
    response = owner_client.post(reverse("account_delete"), {"password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in text_of(response)
    assert User.objects.filter(username="olivia").exists()
