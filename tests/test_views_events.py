"""Trigger events: the list, adding, changing and deleting them, and what bad input gets."""

import datetime

import pytest

from journal.access import VIEWER_REFUSAL
from journal.models import TriggerEvent
from tests.factories import TriggerEventFactory
from tests.view_helpers import (
    child_url as url,
)
from tests.view_helpers import (
    error_beside,
    errors_shown,
    form_values,
    html_of,
    snapshot,
    text_of,
    value_of,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def event_data(**values) -> dict[str, str]:
    """What the event form posts: every field, empty unless given."""
    data = dict.fromkeys(
        (
            "type",
            "start_date",
            "start_time",
            "end_date",
            "temperature_c",
            "illness_kind",
            "pathogen",
            "vaccine",
            "procedure",
            "drug",
            "change",
            "notes",
        ),
        "",
    )
    data["live_vaccine"] = "unknown"
    data.update({name: str(value) for name, value in values.items()})
    return data


@pytest.fixture
def today(child) -> datetime.date:
    return child.today()


@pytest.fixture
def fever(child, today):
    return TriggerEventFactory(child=child, start_date=today - 2 * DAY, notes="Teething?")


# --- reading -------------------------------------------------------------------------------------


def test_the_list_shows_each_event_with_its_detail(owner_client, child, today, fever):
    TriggerEventFactory(
        child=child,
        type=TriggerEvent.Type.VACCINATION,
        temperature_c=None,
        vaccine="MMR",
        live_vaccine=True,
        start_date=today - 10 * DAY,
    )
    response = owner_client.get(url("event_list", child))
    text = text_of(response)
    assert response.status_code == 200
    assert "<html" in html_of(response)
    assert "Fever" in text
    assert "38.9 °C" in text
    assert "Teething?" in text
    assert "MMR (live)" in text
    assert text.index("Fever") < text.index("MMR")  # newest first
    assert url("event_edit", child, fever) in html_of(response)
    assert "Log a trigger" in text


def test_an_empty_list_says_so(owner_client, child):
    response = owner_client.get(url("event_list", child))
    assert "No trigger logged yet." in text_of(response)


def test_a_viewer_sees_the_list_without_edit_links(viewer_client, child, fever):
    response = viewer_client.get(url("event_list", child))
    assert response.status_code == 200
    assert "38.9 °C" in text_of(response)
    assert url("event_edit", child, fever) not in html_of(response)
    assert url("event_add", child) not in html_of(response)


# --- adding and changing -------------------------------------------------------------------------


def test_the_add_form_starts_on_today_and_the_asked_type(owner_client, child, today):
    response = owner_client.get(url("event_add", child) + "?type=fever")
    assert response.status_code == 200
    assert "Log a trigger" in text_of(response)
    assert value_of(response, "start_date") == today.isoformat()
    assert value_of(response, "type") == "fever"


def test_an_unknown_type_in_the_link_is_harmless(owner_client, child):
    response = owner_client.get(url("event_add", child) + "?type=<script>")
    assert response.status_code == 200
    assert value_of(response, "type") == ""


def test_the_owner_logs_a_fever(owner, owner_client, child, today):
    response = owner_client.post(
        url("event_add", child),
        event_data(type="fever", start_date=today, start_time="18:30", temperature_c="39.2"),
    )
    assert response.status_code == 302
    assert response.url == url("event_list", child)
    event = TriggerEvent.objects.get(child=child)
    assert (event.type, event.start_date, str(event.temperature_c)) == ("fever", today, "39.2")
    assert event.start_time == datetime.time(18, 30)
    assert event.created_by == owner == event.updated_by
    assert "Saved: fever." in text_of(owner_client.get(response.url))


def test_a_caregiver_logs_an_illness_and_another_edits_it(
    owner, caregiver, owner_client, caregiver_client, child, today
):
    caregiver_client.post(
        url("event_add", child),
        event_data(
            type="illness",
            start_date=today - 3 * DAY,
            end_date=today - DAY,
            illness_kind="respiratory",
            pathogen="RSV",
        ),
    )
    event = TriggerEvent.objects.get(child=child)
    assert (event.illness_kind, event.pathogen, event.end_date) == (
        "respiratory",
        "RSV",
        today - DAY,
    )

    page = owner_client.get(url("event_edit", child, event))
    assert page.status_code == 200
    assert value_of(page, "illness_kind") == "respiratory"
    assert value_of(page, "pathogen") == "RSV"
    assert "Delete this trigger" in text_of(page)

    response = owner_client.post(
        url("event_edit", child, event),
        event_data(
            type="illness",
            start_date=(today - 3 * DAY).isoformat(),
            illness_kind="stomach",
            notes="Norovirus at nursery",
            version=value_of(page, "version"),  # as the opened form carries it
        ),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.illness_kind, event.notes, event.end_date) == (
        "stomach",
        "Norovirus at nursery",
        None,
    )
    assert event.created_by == caregiver
    assert event.updated_by == owner
    assert TriggerEvent.objects.count() == 1


def test_changing_the_type_forgets_the_other_types_fields(owner_client, child, today, fever):
    response = owner_client.post(
        url("event_edit", child, fever),
        event_data(
            type="vaccination",
            start_date=fever.start_date,
            vaccine="DTaP",
            live_vaccine="false",
            temperature_c="38.9",  # still in the hidden fever section
            illness_kind="stomach",
            version=fever.version,
        ),
    )
    assert response.status_code == 302
    fever.refresh_from_db()
    assert (fever.type, fever.vaccine, fever.live_vaccine) == ("vaccination", "DTaP", False)
    assert fever.temperature_c is None
    assert fever.illness_kind == ""


def test_the_owner_deletes_an_event_after_confirming(owner_client, child, fever):
    page = owner_client.get(url("event_delete", child, fever))
    assert page.status_code == 200
    assert "Delete Fever on" in text_of(page)
    assert url("event_edit", child, fever) in html_of(page)  # "keep it" goes back
    assert TriggerEvent.objects.filter(pk=fever.pk).exists()  # a GET deletes nothing

    response = owner_client.post(url("event_delete", child, fever))
    assert response.status_code == 302
    assert response.url == url("event_list", child)
    assert not TriggerEvent.objects.filter(pk=fever.pk).exists()
    assert "Deleted: Fever on" in text_of(owner_client.get(response.url))


def test_a_caregiver_can_delete_an_event(caregiver_client, child, fever):
    response = caregiver_client.post(url("event_delete", child, fever))
    assert response.status_code == 302
    assert not TriggerEvent.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("event_add", "get"),
        ("event_add", "post"),
        ("event_edit", "get"),
        ("event_edit", "post"),
        ("event_delete", "get"),
        ("event_delete", "post"),
    ],
)
def test_a_viewer_cannot_add_change_or_delete(viewer_client, child, today, fever, name, method):
    target = url(name, child, None if name == "event_add" else fever)
    before = snapshot()
    data = event_data(type="stress", start_date=today, notes="Viewer's note")
    response = getattr(viewer_client, method)(target, data if method == "post" else None)
    assert response.status_code == 403
    assert VIEWER_REFUSAL in text_of(response)
    assert snapshot() == before


# --- bad input -----------------------------------------------------------------------------------

BAD_INPUT = [
    # (id, what is posted, the field the message is beside, part of the message)
    ("no type", {"start_date": "today"}, "type", "This field is required"),
    ("unknown type", {"type": "flu", "start_date": "today"}, "type", "Select a valid choice"),
    ("no date", {"type": "stress", "start_date": ""}, "start_date", "This field is required"),
    (
        "not a date",
        {"type": "stress", "start_date": "yesterday"},
        "start_date",
        "Enter a valid date",
    ),
    ("future date", {"type": "stress", "start_date": "+1"}, "start_date", "hasn't happened yet"),
    (
        "before birth",
        {"type": "stress", "start_date": "birth-1"},
        "start_date",
        "before the child's birth date",
    ),
    (
        "end before start",
        {"type": "stress", "start_date": "today", "end_date": "-1"},
        "end_date",
        "can't be before the start",
    ),
    (
        "fever without temperature",
        {"type": "fever", "start_date": "today"},
        "temperature_c",
        "Please fill this in for this kind of event",
    ),
    (
        "fever of text",
        {"type": "fever", "start_date": "today", "temperature_c": "hot"},
        "temperature_c",
        "Enter a number",
    ),
    (
        "temperature too low for a fever",
        {"type": "fever", "start_date": "today", "temperature_c": "36.6"},
        "temperature_c",
        "greater than or equal to 37.5",
    ),
    (
        "illness without its kind",
        {"type": "illness", "start_date": "today", "pathogen": "RSV"},
        "illness_kind",
        "Please fill this in for this kind of event",
    ),
    (
        "vaccination without vaccine",
        {"type": "vaccination", "start_date": "today"},
        "vaccine",
        "Please fill this in",
    ),
    (
        "anaesthesia without procedure",
        {"type": "anaesthesia", "start_date": "today"},
        "procedure",
        "Please fill this in",
    ),
    (
        "immunotherapy change without the drug",
        {"type": "immunotherapy_change", "start_date": "today", "change": "missed_dose"},
        "drug",
        "Please fill this in",
    ),
    (
        "a time that isn't one",
        {"type": "stress", "start_date": "today", "start_time": "25:99"},
        "start_time",
        "Enter a valid time",
    ),
]


def typed(value: str, child, today: datetime.date) -> str:
    days = {"today": today, "+1": today + DAY, "-1": today - DAY, "birth-1": child.birth_date - DAY}
    return days[value].isoformat() if value in days else value


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
@pytest.mark.parametrize("editing", [False, True], ids=["add", "edit"])
def test_bad_input_is_refused_beside_the_field_with_the_input_kept(
    owner_client, child, today, fever, posted, field, message, editing
):
    posted = {name: typed(value, child, today) for name, value in posted.items()}
    data = event_data(notes="Kept note", **posted)
    target = url("event_edit", child, fever) if editing else url("event_add", child)
    before = snapshot()

    response = owner_client.post(target, data)

    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert list(errors_shown(response)) == [field]
    assert "Please check the fields marked below." in text_of(response)
    values = form_values(response)
    for name, value in posted.items():
        if name != "type" or value in TriggerEvent.Type.values:
            assert values[name] == [value], name
    assert values["notes"] == ["Kept note"]
    assert snapshot() == before


def test_a_forged_child_field_is_ignored(owner_client, child, stranger_child, today):
    data = event_data(type="stress", start_date=today, child=stranger_child.pk)
    owner_client.post(url("event_add", child), data)
    assert TriggerEvent.objects.get().child == child


def test_a_refused_edit_keeps_the_saved_event_in_the_title(owner_client, child, fever):
    saved_title = f"<title>Edit {fever} · OMS Journal</title>"
    response = owner_client.post(
        url("event_edit", child, fever),
        {"type": "fever", "start_date": "2001-01-01", "temperature_c": "39"},
    )
    assert response.status_code == 200
    assert saved_title in response.content.decode()


# --- the same trigger twice ----------------------------------------------------------------------


def test_the_same_trigger_twice_is_asked_about_before_it_is_saved(owner_client, child, fever):
    data = event_data(type="fever", start_date=fever.start_date, temperature_c="38.4")

    warned = owner_client.post(url("event_add", child), data)

    assert warned.status_code == 200
    assert TriggerEvent.objects.filter(child=child).count() == 1
    text = text_of(warned)
    assert f"Fever on {fever.start_date:%-d %b %Y} is already logged" in text
    assert "Yours is not saved yet." in text
    assert value_of(warned, "temperature_c") == "38.4"  # what was typed is kept
    assert url("event_edit", child, fever) in html_of(warned)

    kept = owner_client.post(url("event_add", child), {**data, "keep_both": "1"})

    assert kept.status_code == 302
    assert TriggerEvent.objects.filter(child=child, start_date=fever.start_date).count() == 2


def test_another_type_or_day_is_saved_without_a_question(owner_client, child, fever):
    for data in (
        event_data(type="stress", start_date=fever.start_date),
        event_data(type="fever", start_date=fever.start_date - DAY, temperature_c="38.1"),
    ):
        assert owner_client.post(url("event_add", child), data).status_code == 302
    assert TriggerEvent.objects.filter(child=child).count() == 3


def test_a_pair_kept_is_not_asked_about_again_but_a_move_onto_one_is(owner_client, child, fever):
    twin = TriggerEventFactory(child=child, start_date=fever.start_date, notes="A second one")
    other = TriggerEventFactory(child=child, start_date=fever.start_date - 3 * DAY)
    edit = event_data(type="fever", start_date=twin.start_date, notes="Still two", version=1)
    edit["temperature_c"] = twin.temperature_c

    assert owner_client.post(url("event_edit", child, twin), edit).status_code == 302
    twin.refresh_from_db()
    assert twin.notes == "Still two"

    moved = event_data(type="fever", start_date=fever.start_date, version=1)
    moved["temperature_c"] = other.temperature_c
    warned = owner_client.post(url("event_edit", child, other), moved)
    assert warned.status_code == 200
    assert "is already logged" in text_of(warned)
    other.refresh_from_db()
    assert other.start_date == fever.start_date - 3 * DAY
