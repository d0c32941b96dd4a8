"""The REST API's writes of trigger events, treatment courses and extra items: the pages' own
forms and services behind them (their messages, bounds, versions and change history)."""

import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from journal.access import OWNER_REFUSAL, VIEWER_REFUSAL
from journal.api.access import READ_ONLY_REFUSAL
from journal.models import Change, DoseChange, TrackedItem, TreatmentCourse, TriggerEvent
from tests.api_helpers import TokenClient, token_for
from tests.factories import DoseChangeFactory, TreatmentCourseFactory, TriggerEventFactory
from tests.test_conflicts import save_concurrently

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def api(owner):
    return TokenClient(token_for(owner))


def events_url(child) -> str:
    return f"/api/v1/children/{child.pk}/events"


def courses_url(child) -> str:
    return f"/api/v1/children/{child.pk}/treatments"


def items_url(child) -> str:
    return f"/api/v1/children/{child.pk}/items"


def post(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def delete(client, url, **headers):
    return client.delete(url, headers=headers)


def fever(child, **fields) -> dict:
    day = child.today() - 2 * DAY
    return {"type": "fever", "start_date": day.isoformat(), "temperature_c": 38.9, **fields}


def course(child, **fields) -> dict:
    start = child.today() - 10 * DAY
    return {
        "drug": "prednisolone",
        "purpose": "immunotherapy",
        "regimen": "taper",
        "dose": 20,
        "unit": "mg",
        "route": "oral",
        "start_date": start.isoformat(),
        "dose_changes": [
            {"date": (start + 7 * DAY).isoformat(), "dose": 15},
            {"date": (child.today() + 4 * DAY).isoformat(), "dose": 10, "note": "planned"},
        ],
        **fields,
    }


# --- trigger events ----------------------------------------------------------------------------


def test_a_trigger_logged_then_changed_then_deleted_is_in_the_history(api, child, owner):
    logged = post(api, events_url(child), fever(child, notes="Ear infection"))
    assert logged.status_code == 201, logged.json()
    event = TriggerEvent.objects.get(child=child)
    assert logged.json()["id"] == event.pk
    assert logged.json()["detail"] == "38.9 °C"
    assert logged["ETag"] == '"1"'
    assert (event.created_by, event.temperature_c) == (owner, Decimal("38.9"))
    url = f"{events_url(child)}/{event.pk}"

    changed = api.put_json(url, fever(child, temperature_c=39.4), If_Match='"1"')
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["temperature_c"], changed.json()["notes"]) == (39.4, "")
    assert changed["ETag"] == '"2"'
    assert api.get(url).json()["version"] == 2

    assert delete(api, url, If_Match='"2"').status_code == 204
    assert not TriggerEvent.objects.exists()
    actions = list(Change.objects.filter(kind="event").order_by("pk").values_list("action", "user"))
    assert actions == [("created", owner.pk), ("changed", owner.pk), ("deleted", owner.pk)]
    assert api.get(url).status_code == 404


def test_a_trigger_gets_the_trigger_pages_messages_and_bounds(api, child):
    tomorrow = child.today() + DAY
    response = post(api, events_url(child), fever(child, start_date=tomorrow.isoformat()))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "start_date": ["This day hasn't happened yet where the child lives."]
    }
    no_temperature = post(api, events_url(child), fever(child, temperature_c=None))
    assert no_temperature.json()["errors"] == {
        "temperature_c": ["Please fill this in for this kind of event."]
    }
    before_birth = child.birth_date - DAY
    response = post(api, events_url(child), fever(child, start_date=before_birth.isoformat()))
    assert response.json()["errors"]["start_date"] == ["This day is before the child's birth date."]
    wrong = post(api, events_url(child), {**fever(child), "colour": "red", "notes": ["a"]})
    assert wrong.json()["errors"] == {
        "colour": ["There is no such field here."],
        "notes": ["Send a number, text or null here."],
    }
    assert not TriggerEvent.objects.exists()
    assert not Change.objects.exists()


def test_the_same_trigger_twice_is_asked_about_as_on_the_page(api, child):
    first = post(api, events_url(child), fever(child))
    again = post(api, events_url(child), fever(child, temperature_c=39))
    assert again.status_code == 409
    assert again.json()["event"]["id"] == first.json()["id"]
    assert TriggerEvent.objects.count() == 1
    both = post(api, events_url(child), fever(child, temperature_c=39, keep_both=True))
    assert both.status_code == 201
    assert TriggerEvent.objects.count() == 2


def test_a_post_sent_again_with_its_key_stores_one_trigger(api, child, owner):
    """A bedside button's answer lost on the way: the second sending stores nothing more and
    answers with what the first stored."""
    first = post(api, events_url(child), fever(child), Idempotency_Key="button-1")
    again = post(api, events_url(child), fever(child), Idempotency_Key="button-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert TriggerEvent.objects.count() == 1
    other = post(api, courses_url(child), course(child), Idempotency_Key="button-1")
    assert other.status_code == 409
    assert "Idempotency-Key" in other.json()["detail"]
    assert not TreatmentCourse.objects.exists()


def test_a_put_needs_the_version_and_a_stale_one_is_412(api, child):
    event = TriggerEventFactory(child=child, type="stress", start_date=child.today() - DAY)
    url = f"{events_url(child)}/{event.pk}"
    body = {"type": "stress", "start_date": event.start_date.isoformat(), "notes": "Moved"}
    assert api.put_json(url, body).status_code == 428
    assert api.put_json(url, body, If_Match='"1"').status_code == 200
    stale = api.put_json(url, {**body, "notes": "Moved house"}, If_Match='"1"')
    assert stale.status_code == 412
    assert stale.json()["event"]["notes"] == "Moved"
    assert stale["ETag"] == '"2"'
    # The same PUT again (its answer lost): nothing to write, whatever version it names.
    again = api.put_json(url, body, If_Match='"1"')
    assert (again.status_code, again.json()["version"]) == (200, 2)
    assert delete(api, url, If_Match='"1"').status_code == 412
    assert TriggerEvent.objects.filter(pk=event.pk).exists()


# --- treatment courses ---------------------------------------------------------------------------


def test_a_course_with_its_dose_changes_is_added_and_changed_all_or_nothing(api, child, owner):
    added = post(api, courses_url(child), course(child))
    assert added.status_code == 201, added.json()
    saved = TreatmentCourse.objects.get(child=child)
    assert [(c.date, c.dose) for c in saved.changes.all()] == [
        (child.today() - 3 * DAY, 15),
        (child.today() + 4 * DAY, 10),
    ]
    assert [step["dose"] for step in added.json()["dose_changes"]] == [15, 10]
    url = f"{courses_url(child)}/{saved.pk}"
    kept = DoseChange.objects.get(course=saved, date=child.today() - 3 * DAY)

    # One step changed, one removed, one added; the kept step keeps its row.
    steps = [
        {"date": kept.date.isoformat(), "dose": 12.5},
        {"date": (child.today() + 20 * DAY).isoformat(), "dose": 5},
    ]
    changed = api.put_json(url, course(child, dose_changes=steps), If_Match='"1"')
    assert changed.status_code == 200, changed.json()
    assert [(c.pk == kept.pk, c.dose) for c in saved.changes.all()] == [(True, 12.5), (False, 5)]
    change = Change.objects.get(kind="treatment", action="changed")
    assert change.after["Dose changes"].endswith(": 12.5; " + steps[1]["date"] + ": 5")

    # A step beyond two years ahead: the page's message, nothing written.
    far = child.today() + datetime.timedelta(days=2 * 366 + 1)
    refused = api.put_json(
        url,
        course(child, dose_changes=[*steps, {"date": far.isoformat(), "dose": 1}]),
        If_Match='"2"',
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "dose_changes[2].date": ["A plan can reach two years ahead at most."]
    }
    assert saved.changes.count() == 2
    assert delete(api, url).status_code == 204
    assert not DoseChange.objects.exists()


def test_a_course_gets_the_treatment_pages_messages(api, child):
    body = course(
        child,
        drug="other",
        end_date=(child.today() - 20 * DAY).isoformat(),
        dose_changes=[{"date": "2000-01-01", "dose": 1}, {"date": "not a day", "dose": "x"}],
    )
    response = post(api, courses_url(child), body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["drug_other"] == ["Please name the drug."]
    assert errors["end_date"] == ["The end date can't be before the start."]
    assert errors["dose_changes[1].date"] == ["Enter a valid date."]
    assert errors["dose_changes[1].dose"] == ["Enter a number."]
    same_day = course(child)
    same_day["dose_changes"][1]["date"] = same_day["dose_changes"][0]["date"]
    response = post(api, courses_url(child), same_day)
    assert response.json()["errors"] == {
        "dose_changes[1].date": ["Two dose changes on the same day: keep one."]
    }
    assert not TreatmentCourse.objects.exists()


# --- extra items -------------------------------------------------------------------------------


def test_an_owner_adds_renames_and_retires_an_item(api, child):
    added = post(api, items_url(child), {"preset": "Hands"}, Idempotency_Key="k1")
    assert added.status_code == 201, added.json()
    assert added.json()["anchors"] == list(TrackedItem.PRESETS["Hands"])
    assert post(api, items_url(child), {"preset": "Hands"}, Idempotency_Key="k1").status_code == 200
    taken = post(api, items_url(child), {"preset": "Hands"})
    assert taken.json()["errors"] == {"name": ["This child already has an item with this name."]}
    url = f"{items_url(child)}/{added.json()['id']}"
    anchors = ["Usual", "Clumsy", "Hard", "Can't"]
    renamed = api.put_json(url, {"name": "Hand use", "anchors": anchors})
    assert (renamed.status_code, renamed.json()["active"]) == (200, True)
    retired = api.put_json(url, {"name": "Hand use", "anchors": anchors, "active": False})
    assert retired.json()["active"] is False
    core = api.put_json(url, {"name": "Eyes", "anchors": anchors})
    assert core.json()["errors"] == {"name": ["This is already one of the five core items."]}
    blank = api.put_json(url, {"name": "Hand use", "anchors": ["", "b", "c", "d"]})
    assert blank.json()["errors"] == {"anchors[0]": ["This field is required."]}
    assert list(TrackedItem.objects.values_list("name", "active")) == [("Hand use", False)]


# --- who may write -----------------------------------------------------------------------------


def test_a_caregiver_writes_triggers_but_not_items(caregiver, child):
    api = TokenClient(token_for(caregiver))
    assert post(api, events_url(child), fever(child)).status_code == 201
    refused = post(api, items_url(child), {"preset": "Hands"})
    assert (refused.status_code, refused.json()["detail"]) == (403, OWNER_REFUSAL)


def test_a_viewer_or_a_read_only_token_never_writes(viewer, owner, child):
    event = TriggerEventFactory(child=child)
    attempts = [
        ("post", events_url(child), fever(child)),
        ("put", f"{events_url(child)}/{event.pk}", fever(child)),
        ("delete", f"{events_url(child)}/{event.pk}", None),
        ("post", courses_url(child), course(child)),
    ]
    for token, refusal in (
        (token_for(viewer), VIEWER_REFUSAL),
        (token_for(owner, scope="read"), READ_ONLY_REFUSAL),
    ):
        api = TokenClient(token)
        for method, url, body in attempts:
            response = getattr(api, method)(
                url, body, content_type="application/json", headers={"If-Match": '"1"'}
            )
            assert (response.status_code, response.json()["detail"]) == (403, refusal), url
    assert list(TriggerEvent.objects.all()) == [event]
    assert not TreatmentCourse.objects.exists()


def test_another_familys_records_are_404(api, child, stranger_child):
    theirs = TriggerEventFactory(child=stranger_child)
    their_course = TreatmentCourseFactory(child=stranger_child)
    for url in (
        f"{events_url(child)}/{theirs.pk}",
        f"{courses_url(child)}/{their_course.pk}",
        f"{events_url(stranger_child)}/{theirs.pk}",
    ):
        assert api.get(url).status_code == 404
        assert api.put_json(url, fever(child), If_Match='"1"').status_code == 404
        assert delete(api, url).status_code == 404
    assert post(api, events_url(stranger_child), fever(stranger_child)).status_code == 404
    assert TriggerEvent.objects.filter(pk=theirs.pk).exists()


# --- two clients at once -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_clients_changing_the_same_course_from_the_same_version_lose_nothing(
    owner, caregiver, child
):
    """Both read the course at version 1 and PUT their change at the same instant: one is
    saved, the other is 412 with the course as the first saved it; nothing is written over."""
    stored = TreatmentCourseFactory(child=child, start_date=child.today() - 30 * DAY)
    DoseChangeFactory(course=stored, date=child.today() - 10 * DAY)
    url = f"{courses_url(child)}/{stored.pk}"
    clients = {"owner": token_for(owner), "caregiver": token_for(caregiver)}
    jobs = [
        lambda name=name, token=token: TokenClient(token).put_json(
            url,
            course(child, start_date=stored.start_date.isoformat(), notes=f"By the {name}"),
            If_Match='"1"',
        )
        for name, token in clients.items()
    ]
    answers = save_concurrently(jobs)
    assert sorted(answer.status_code for answer in answers) == [200, 412]
    saved = next(a for a in answers if a.status_code == 200).json()
    refused = next(a for a in answers if a.status_code == 412).json()
    assert refused["treatment"]["notes"] == saved["notes"]
    stored.refresh_from_db()
    assert (stored.notes, stored.version) == (saved["notes"], 2)
    assert Change.objects.filter(kind="treatment", action="changed").count() == 1


# --- the README's examples -----------------------------------------------------------------------


def readme_bodies() -> dict[str, dict]:
    """The JSON of each `curl -X POST` of the README's API section, by the URL's last part."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("\n## API\n", 1)[1].split("\n## ", 1)[0]
    bodies = {}
    for found in re.finditer(
        r"curl -X POST .*?/children/1/(\w+)\" \\\n\s+-d '(.*?)'", section, re.S
    ):
        bodies[found[1]] = json.loads(found[2])
    return bodies


def test_the_readmes_examples_are_answered_as_it_says(api, child):
    bodies = readme_bodies()
    assert set(bodies) == {"events", "treatments"}
    logged = post(api, events_url(child), bodies["events"], Idempotency_Key="readme")
    assert (logged.status_code, logged["ETag"]) == (201, '"1"'), logged.json()
    added = post(api, courses_url(child), bodies["treatments"])
    assert (added.status_code, added["ETag"]) == (201, '"1"'), added.json()


@pytest.mark.django_db(transaction=True)
def test_the_same_post_sent_twice_at_once_stores_one_trigger(owner, child):
    """A phone's queue and a retry send the same key at the same instant: one stores the
    trigger, the other waits for it and answers with it."""
    token = token_for(owner)
    jobs = [
        lambda: post(TokenClient(token), events_url(child), fever(child), Idempotency_Key="twice")
        for _ in range(2)
    ]
    answers = save_concurrently(jobs)
    assert sorted(answer.status_code for answer in answers) == [200, 201]
    assert answers[0].json() == answers[1].json()
    assert TriggerEvent.objects.count() == 1
    assert Change.objects.filter(kind="event").count() == 1
