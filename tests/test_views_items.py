"""Extra items a family rates each day: the list, adding and retiring one, rating it."""

import pytest
from django.urls import reverse

from journal.access import OWNER_REFUSAL
from journal.models import ItemRating, TrackedItem
from tests.factories import DailyEntryFactory
from tests.view_helpers import (
    error_beside,
    errors_shown,
    html_of,
    snapshot,
    text_of,
    value_of,
)

pytestmark = pytest.mark.django_db

ANCHORS = {
    "anchor_0": "Dry chin",
    "anchor_1": "Some drool",
    "anchor_2": "Bib needed",
    "anchor_3": "Soaked all day",
}


def list_url(child) -> str:
    return reverse("item_list", kwargs={"child_id": child.pk})


def edit_url(item) -> str:
    return reverse("item_edit", kwargs={"child_id": item.child_id, "pk": item.pk})


def entry_url(child, day) -> str:
    return reverse("entry_form", kwargs={"child_id": child.pk, "day": day})


@pytest.fixture
def drooling(child):
    return TrackedItem.objects.create(child=child, name="Drooling", **ANCHORS)


def test_the_list_starts_empty_with_a_form_for_the_owner(owner_client, child):
    response = owner_client.get(list_url(child))
    assert response.status_code == 200
    assert "<html" in html_of(response)
    assert "None yet: the daily entry asks about the core five only." in text_of(response)
    assert "Add an item" in text_of(response)


def test_the_owner_adds_a_suggested_item(owner_client, child):
    response = owner_client.post(list_url(child), {"preset": "Speech"})
    assert response.status_code == 302
    assert response.url == list_url(child)
    item = TrackedItem.objects.get(child=child)
    assert item.name == "Speech"
    assert item.anchors == TrackedItem.PRESETS["Speech"]
    page = owner_client.get(list_url(child))
    assert "Speech is now on the daily entry." in text_of(page)
    assert "3: No words" in text_of(page)


def test_the_owner_adds_an_own_item(owner_client, child):
    response = owner_client.post(list_url(child), {"name": "Drooling", **ANCHORS})
    assert response.status_code == 302
    assert TrackedItem.objects.get(child=child).anchors == tuple(ANCHORS.values())


BAD_ITEMS = [
    ("no name", {"name": ""}, "name", "This field is required"),
    ("a core item's name", {"name": "eyes"}, "name", "already one of the five core items"),
    ("a name taken", {"name": "DROOLING"}, "name", "already has an item with this name"),
    ("an anchor missing", {"anchor_2": ""}, "anchor_2", "This field is required"),
]


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [case[1:] for case in BAD_ITEMS],
    ids=[case[0] for case in BAD_ITEMS],
)
def test_a_bad_item_is_refused_beside_the_field(
    owner_client, child, drooling, posted, field, message
):
    data = {"name": "Mood swings", **ANCHORS} | posted
    before = snapshot()
    response = owner_client.post(list_url(child), data)
    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert list(errors_shown(response)) == [field]
    for name, value in data.items():
        assert value_of(response, name) == value
    assert snapshot() == before


def test_the_owner_retires_an_item_and_its_ratings_stay(owner_client, child, drooling):
    entry = DailyEntryFactory(child=child)
    ItemRating.objects.create(entry=entry, item=drooling, value=2)
    page = owner_client.get(edit_url(drooling))
    assert page.status_code == 200
    assert value_of(page, "name") == "Drooling"

    response = owner_client.post(edit_url(drooling), {"name": "Drooling", **ANCHORS})

    assert response.status_code == 302
    drooling.refresh_from_db()
    assert drooling.active is False
    assert "(no longer asked)" in text_of(owner_client.get(list_url(child)))
    assert ItemRating.objects.get().value == 2
    # Not asked on a new day, still shown on the day that rated it.
    assert "Drooling" not in text_of(owner_client.get(entry_url(child, child.today())))
    assert "Drooling" in text_of(owner_client.get(entry_url(child, entry.date)))


def test_a_caregiver_reads_the_items_but_cannot_change_them(caregiver_client, child, drooling):
    page = caregiver_client.get(list_url(child))
    assert page.status_code == 200
    assert "Drooling" in text_of(page)
    assert "Add an item" not in text_of(page)
    assert edit_url(drooling) not in html_of(page)

    before = snapshot()
    for response in (
        caregiver_client.post(list_url(child), {"preset": "Mood"}),
        caregiver_client.get(edit_url(drooling)),
        caregiver_client.post(edit_url(drooling), {"name": "Renamed", **ANCHORS}),
    ):
        assert response.status_code == 403
        assert OWNER_REFUSAL in text_of(response)
    assert snapshot() == before


def test_the_entry_form_asks_about_the_item_and_saves_its_rating(caregiver_client, child, drooling):
    today = child.today()
    field = f"item_{drooling.pk}"
    page = caregiver_client.get(entry_url(child, today))
    assert "<legend>Drooling</legend>" in html_of(page)
    assert "Bib needed" in text_of(page)

    response = caregiver_client.post(entry_url(child, today), {"date": today, field: "2"})
    assert response.status_code == 302
    assert ItemRating.objects.get(item=drooling).value == 2
    page = caregiver_client.get(entry_url(child, today))
    assert value_of(page, field) == "2"

    # Back to "not observed" clears it (the day keeps a rating: an empty day is not saved).
    data = {"date": today, field: "", "rage": "1", "version": value_of(page, "version")}
    caregiver_client.post(entry_url(child, today), data)
    assert not ItemRating.objects.exists()


def test_an_item_rated_4_is_refused_beside_it(caregiver_client, child, drooling):
    today = child.today()
    field = f"item_{drooling.pk}"
    before = snapshot()
    response = caregiver_client.post(
        entry_url(child, today), {"date": today, field: "4", "notes": "Kept"}
    )
    assert response.status_code == 200
    assert "Choose 0, 1, 2 or 3" in error_beside(response, field)
    assert value_of(response, "notes") == "Kept"
    assert snapshot() == before
