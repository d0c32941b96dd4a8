"""The REST API: tokens, reading the journal, and writing a day as the day page does."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from journal.api.authentication import REFUSED
from journal.models import AccessToken, Change, DailyEntry, ItemRating, TrackedItem, hash_token
from tests.api_helpers import TokenClient, day_url, days_url, token_for
from tests.factories import (
    DailyEntryFactory,
    DoseChangeFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
    UserFactory,
)
from tests.test_conflicts import save_concurrently

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def api(owner):
    return TokenClient(token_for(owner))


@pytest.fixture
def yesterday(child):
    return child.today() - DAY


# --- tokens ------------------------------------------------------------------------------------


def test_a_token_made_on_the_account_page_is_shown_once_and_stored_hashed(owner_client, child):
    response = owner_client.post(
        "/accounts/tokens/", {"name": "Bedside button", "scope": "write", "child": "", "days": 90}
    )
    assert response.status_code == 302
    page = owner_client.get("/accounts/tokens/").content.decode()
    stored = AccessToken.objects.get(name="Bedside button")
    token = page.split('id="new-token" class="copy-field" type="text" readonly value="')[1]
    token = token.split('"')[0]
    assert token.startswith("omsj_")
    assert stored.token_hash == hash_token(token)
    assert token not in str(AccessToken.objects.values_list())
    assert "Never used" in page
    again = owner_client.get("/accounts/tokens/").content.decode()
    assert token not in again  # shown once
    assert "Bedside button" in again
    assert TokenClient(token).get("/api/v1/children").status_code == 200
    assert "Last used" in owner_client.get("/accounts/tokens/").content.decode()


def test_a_revoked_or_expired_token_is_refused(owner, owner_client, child):
    token = token_for(owner)
    access = AccessToken.objects.get(token_hash=hash_token(token))
    response = owner_client.post(f"/accounts/tokens/{access.pk}/revoke/")
    assert response.status_code == 302
    refused = TokenClient(token).get("/api/v1/children")
    assert refused.status_code == 401
    assert refused.json()["detail"] == REFUSED
    expired = token_for(owner)
    AccessToken.objects.filter(token_hash=hash_token(expired)).update(
        expires_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )
    assert TokenClient(expired).get("/api/v1/children").status_code == 401


def test_nobody_revokes_someone_elses_token(owner, stranger_client):
    access = AccessToken.objects.get(token_hash=hash_token(token_for(owner)))
    assert stranger_client.post(f"/accounts/tokens/{access.pk}/revoke/").status_code == 404
    access.refresh_from_db()
    assert access.status == "valid"


def test_a_token_in_the_url_is_not_read(owner, child):
    token = token_for(owner)
    response = Client().get(f"/api/v1/children?token={token}&access_token={token}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_token_for_one_child_sees_no_other(owner, child):
    from tests.factories import ChildFactory

    second = ChildFactory(name="Zoe", owner=owner)
    api = TokenClient(token_for(owner, child=child))
    names = [c["name"] for c in api.get("/api/v1/children").json()["results"]]
    assert names == ["Mia"]
    assert api.get(f"/api/v1/children/{second.pk}/days").status_code == 404


def test_requests_are_limited_per_token_in_the_database(owner, child, settings):
    settings.API_RATE_LIMIT = "3/hour"
    first, second = TokenClient(token_for(owner)), TokenClient(token_for(owner))
    answers = [first.get("/api/v1/children") for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200] * 3 + [429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 3600
    assert second.get("/api/v1/children").status_code == 200  # its own count
    # The counts are rows of the database cache, which every worker and process shares.
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM oms_throttle")
        keys = [row[0] for row in cursor.fetchall()]
    assert sum(":api-rate:token:" in key for key in keys) == 2


# --- reading -----------------------------------------------------------------------------------


def test_children_say_where_each_stands(api, child):
    body = api.get(f"/api/v1/children/{child.pk}").json()
    assert body["name"] == "Mia"
    assert body["your_role"] == "owner"
    assert body["status"]["kind"] == "not_enough_data"
    assert body["possible_relapses"] == []
    assert api.get("/api/v1/children").json()["count"] == 1


def test_a_possible_relapse_is_read_with_its_usual_level_label_and_triggers(api, child):
    """Three weeks at the usual level, then a fever and four days with every sign up: a possible
    relapse, illness-associated, the fever among its possible triggers."""
    today = child.today()
    for back in range(30, 5, -1):
        DailyEntryFactory(child=child, date=today - back * DAY, opsoclonus=0, myoclonus=0, ataxia=1)
    for back in range(5, 1, -1):
        DailyEntryFactory(child=child, date=today - back * DAY, opsoclonus=2, myoclonus=2, ataxia=2)
    TriggerEventFactory(child=child, start_date=today - 6 * DAY)

    (episode,) = api.get(f"/api/v1/children/{child.pk}").json()["possible_relapses"]
    assert episode["onset"] == (today - 5 * DAY).isoformat()
    assert episode["end"] is None
    assert episode["usual_score"] == 2
    assert episode["illness_associated"] is True
    assert [(t["type"], t["days_before_onset"]) for t in episode["possible_triggers"]] == [
        ("fever", 1)
    ]


def test_days_are_read_by_date_range_oldest_first(api, child):
    today = child.today()
    for back in (1, 3, 10):
        DailyEntryFactory(child=child, date=today - back * DAY, opsoclonus=back % 4)
    url = days_url(child)
    body = api.get(url, {"from": (today - 5 * DAY).isoformat()}).json()
    assert [d["date"] for d in body["results"]] == [
        (today - 3 * DAY).isoformat(),
        (today - DAY).isoformat(),
    ]
    assert body["results"][0]["opsoclonus"] == 3
    assert api.get(url, {"page_size": 1}).json()["next"]
    bad = api.get(url, {"from": "2024-02-30"})
    assert bad.status_code == 400
    assert "from" in bad.json()["errors"]
    backwards = api.get(url, {"from": today.isoformat(), "to": (today - DAY).isoformat()})
    assert backwards.json()["errors"]["to"] == ["The last day can't come before the first."]


def test_a_listed_day_reads_as_the_day_itself(api, child, owner, caregiver):
    """The list shows plain rows (queries.days_between, serializers.day_data): each day exactly
    as DaySerializer shows it, in the child's time zone, with its items and its authors, a
    deleted author as null, a day of notes only with no score."""
    child.time_zone = "America/New_York"
    child.save()
    hands = TrackedItem.objects.create(
        child=child, name="Hands", anchor_0="a", anchor_1="b", anchor_2="c", anchor_3="d"
    )
    today = child.today()
    rated = DailyEntryFactory(
        child=child, date=today - 3 * DAY, created_by=caregiver, updated_by=owner, doses="partly"
    )
    ItemRating.objects.create(entry=rated, item=hands, value=2)
    gone = UserFactory(username="gone")
    DailyEntryFactory(
        child=child,
        date=today - DAY,
        opsoclonus=None,
        myoclonus=None,
        ataxia=None,
        sleep=None,
        rage=None,
        sleep_hours=None,
        max_temperature_c=Decimal("38.5"),
        notes="Only a note",
        created_by=gone,
        updated_by=gone,
    )
    gone.delete()
    listed = api.get(days_url(child)).json()["results"]
    shown = [api.get(day_url(child, today - back * DAY)).json() for back in (3, 1)]
    assert listed == shown
    assert [list(day) for day in listed] == [list(day) for day in shown]  # the same order
    assert listed[0]["items"] == {"Hands": 2}
    assert listed[0]["created_at"].endswith("-05:00")  # New York's winter time
    assert (listed[1]["daily_score"], listed[1]["created_by"]) == (None, None)


def test_the_days_read_again_show_a_write_at_once(api, child):
    """The list is kept per version of the journal: a save through the API or a page is read
    by the next request."""
    day = child.today() - DAY
    DailyEntryFactory(child=child, date=day, rage=1)
    assert api.get(days_url(child)).json()["results"][0]["rage"] == 1
    assert api.put_json(day_url(child, day), {"rage": 3}, If_Match='"1"').status_code == 200
    assert api.get(days_url(child)).json()["results"][0]["rage"] == 3


def test_events_treatments_and_items(api, child, yesterday):
    TriggerEventFactory(child=child, type="stress", start_date=yesterday)
    course = TreatmentCourseFactory(child=child, start_date=yesterday - 20 * DAY)
    DoseChangeFactory(course=course, date=yesterday - 5 * DAY)
    TrackedItem.objects.create(
        child=child, name="Hands", anchor_0="a", anchor_1="b", anchor_2="c", anchor_3="d"
    )
    events = api.get(f"/api/v1/children/{child.pk}/events").json()["results"]
    assert [e["type"] for e in events] == ["stress"]
    courses = api.get(f"/api/v1/children/{child.pk}/treatments").json()["results"]
    assert len(courses[0]["dose_changes"]) == 1
    later = (yesterday + DAY).isoformat()
    none = api.get(f"/api/v1/children/{child.pk}/events", {"from": later}).json()
    assert none["results"] == []
    items = api.get(f"/api/v1/children/{child.pk}/items").json()["results"]
    assert items[0]["anchors"] == ["a", "b", "c", "d"]


def test_another_familys_child_is_404(api, stranger_child):
    for tail in ("", "/days", "/events", "/treatments", "/items", "/fhir"):
        assert api.get(f"/api/v1/children/{stranger_child.pk}{tail}").status_code == 404


def test_api_answers_are_never_cached(api, child):
    assert "no-store" in api.get(days_url(child))["Cache-Control"]


# --- writing a day -----------------------------------------------------------------------------


def test_a_put_without_a_version_is_428(api, child, yesterday):
    response = api.put_json(day_url(child, yesterday), {"rage": 2})
    assert response.status_code == 428
    assert not DailyEntry.objects.exists()


def test_logging_a_day_then_changing_it(api, child, yesterday, owner):
    url = day_url(child, yesterday)
    made = api.put_json(url, {"rage": 2, "sleep_hours": 9.5, "notes": "Tired"}, If_None_Match="*")
    assert made.status_code == 201, made.content
    assert made["ETag"] == '"1"'
    assert made.json()["daily_score"] == 2
    changed = api.put_json(url, {**made.json(), "rage": 3}, If_Match=made["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] == '"2"'
    entry = DailyEntry.objects.get(child=child, date=yesterday)
    assert (entry.rage, entry.sleep_hours, entry.notes) == (3, 9.5, "Tired")
    assert (entry.created_by, entry.updated_by) == (owner, owner)
    # The change history, as from the page: who, and the day before and after.
    changes = list(Change.objects.filter(child=child).order_by("at", "pk"))
    assert [c.action for c in changes] == ["created", "changed"]
    assert changes[1].before["Rage"] == "2" and changes[1].after["Rage"] == "3"
    assert changes[1].user == owner


def test_the_same_put_again_changes_nothing(api, child, yesterday):
    url = day_url(child, yesterday)
    body = {"opsoclonus": 1, "notes": "Same"}
    first = api.put_json(url, body, If_Match='"0"')
    again = api.put_json(url, body, If_Match='"0"')  # its answer was lost: sent again
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["ETag"] == first["ETag"] == '"1"'
    assert Change.objects.filter(child=child).count() == 1


def test_a_stale_version_is_412_with_the_stored_day(api, child, yesterday):
    DailyEntryFactory(child=child, date=yesterday, rage=1, notes="Theirs")
    DailyEntry.objects.filter(child=child).update(version=4)
    response = api.put_json(day_url(child, yesterday), {"rage": 3}, If_Match='"3"')
    assert response.status_code == 412
    assert response["ETag"] == '"4"'
    assert response.json()["day"]["notes"] == "Theirs"
    assert DailyEntry.objects.get(child=child).rage == 1


def test_bad_values_get_the_day_pages_messages_and_nothing_is_saved(api, child, yesterday):
    response = api.put_json(
        day_url(child, yesterday),
        {"sleep_hours": 9.1, "rage": 7, "night_wakings": "many", "colour": "red"},
        If_Match='"0"',
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"colour": ["The day has no such field."]}
    response = api.put_json(
        day_url(child, yesterday),
        {"sleep_hours": 9.1, "rage": 7, "night_wakings": "many", "notes": ["a"]},
        If_Match='"0"',
    )
    assert response.json()["errors"] == {"notes": ["Send a number, text or null here."]}
    response = api.put_json(
        day_url(child, yesterday),
        {"sleep_hours": 9.1, "rage": 7, "night_wakings": "many"},
        If_Match='"0"',
    )
    errors = response.json()["errors"]
    assert errors["sleep_hours"] == ["Use quarter hours, such as 9, 9.25, 9.5 or 9.75."]
    assert errors["rage"] == ["Choose 0, 1, 2 or 3, or leave it as not observed."]
    assert errors["night_wakings"] == ["Enter a whole number, such as 2."]
    future = api.put_json(day_url(child, child.today() + DAY), {"rage": 1}, If_Match='"0"')
    assert future.status_code == 400
    assert future.json()["errors"]["date"] == [
        "This day hasn't happened yet where the child lives."
    ]
    assert not DailyEntry.objects.exists()


def test_extra_items_are_rated_by_name(api, child, yesterday):
    TrackedItem.objects.create(
        child=child, name="Hands", anchor_0="a", anchor_1="b", anchor_2="c", anchor_3="d"
    )
    url = day_url(child, yesterday)
    made = api.put_json(url, {"items": {"Hands": 2}}, If_Match='"0"')
    assert made.json()["items"] == {"Hands": 2}
    unknown = api.put_json(url, {"items": {"Feet": 2}}, If_Match=made["ETag"])
    assert unknown.json()["errors"] == {
        "items.Feet": ["This child has no item of this name being tracked."]
    }
    wrong = api.put_json(url, {"items": {"Hands": 5}}, If_Match=made["ETag"])
    assert wrong.json()["errors"] == {
        "items.Hands": ["Choose 0, 1, 2 or 3, or leave it as not observed."]
    }


def test_a_viewer_or_a_read_only_token_cannot_write(viewer, owner, child, yesterday):
    for token in (token_for(viewer, scope="write"), token_for(owner, scope="read")):
        response = TokenClient(token).put_json(
            day_url(child, yesterday), {"rage": 1}, If_Match='"0"'
        )
        assert response.status_code == 403
    assert not DailyEntry.objects.exists()


def test_the_session_needs_csrf_to_write(owner, child, yesterday):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get(days_url(child)).status_code == 200
    response = client.put(
        day_url(child, yesterday),
        {"rage": 1},
        content_type="application/json",
        headers={"If-Match": '"0"'},
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not DailyEntry.objects.exists()


# --- two clients at once -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_clients_putting_the_same_day_from_the_same_version_lose_nothing(
    owner, caregiver, child
):
    """Both read the day at version 1 and PUT their change at the same instant: one is saved,
    the other is 412 with the day as the first saved it, and nothing was written over."""
    day = child.today() - DAY
    DailyEntryFactory(child=child, date=day, rage=1, notes="Before")
    clients = {
        "owner": TokenClient(token_for(owner)),
        "caregiver": TokenClient(token_for(caregiver)),
    }
    jobs = [
        lambda name=name, api=api: api.put_json(
            day_url(child, day), {"rage": 2, "notes": f"By the {name}"}, If_Match='"1"'
        )
        for name, api in clients.items()
    ]
    answers = save_concurrently(jobs)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 412]
    saved = next(a for a in answers if a.status_code == 200).json()
    refused = next(a for a in answers if a.status_code == 412).json()
    assert refused["day"]["notes"] == saved["notes"]  # the refused one is shown what was saved
    entry = DailyEntry.objects.get(child=child, date=day)
    assert (entry.notes, entry.version) == (saved["notes"], 2)
    assert Change.objects.filter(child=child, action="changed").count() == 1
