"""The home page, a child's overview, and adding or editing a child."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from journal.access import OWNER_REFUSAL
from journal.models import Child, Membership, Role
from tests.factories import (
    ChildFactory,
    DailyEntryFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
    UserFactory,
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


def child_data(**values) -> dict[str, str]:
    data = {
        "name": "Leo",
        "birth_date": "2022-03-14",
        "diagnosis_date": "2023-09-01",
        "tumour_found": "yes",
        "time_zone": "America/Chicago",
    }
    data.update({name: str(value) for name, value in values.items()})
    return data


def detail_url(child) -> str:
    return reverse("child_detail", kwargs={"child_id": child.pk})


def edit_url(child) -> str:
    return reverse("child_edit", kwargs={"child_id": child.pk})


# --- home ----------------------------------------------------------------------------------------


def test_home_welcomes_someone_without_a_child(client_for):
    response = client_for(UserFactory()).get(reverse("home"))
    assert response.status_code == 200
    assert "Welcome" in text_of(response)
    assert reverse("child_add") in html_of(response)


def test_home_lists_my_children_and_whether_today_is_logged(owner, owner_client, child):
    logged = ChildFactory(owner=owner, name="Ada")
    DailyEntryFactory(child=logged, date=logged.today())
    ChildFactory(name="Noah")  # someone else's

    response = owner_client.get(reverse("home"))
    text = text_of(response)

    assert response.status_code == 200
    assert text.index("Ada") < text.index("Mia")  # by name
    assert "Noah" not in text
    assert "Today is logged." in text
    assert "Today isn't logged yet." in text
    assert reverse("entry_today", kwargs={"child_id": child.pk}) in html_of(response)


def test_home_tells_a_viewer_they_can_read(viewer_client, child):
    response = viewer_client.get(reverse("home"))
    assert "You can read this journal." in text_of(response)
    assert "Log today" not in text_of(response)


def test_a_viewer_is_offered_to_see_todays_entry_not_to_change_it(viewer_client, child):
    DailyEntryFactory(child=child, date=child.today())
    text = text_of(viewer_client.get(reverse("home")))
    assert "See today's entry" in text
    assert "Change today's entry" not in text


# --- a child's overview --------------------------------------------------------------------------


def started_days_ago(child, days: int) -> None:
    started = timezone.now() - days * DAY
    type(child).objects.filter(pk=child.pk).update(created_at=started)
    child.refresh_from_db()


def test_the_overview_shows_today_the_fortnight_treatments_and_triggers(owner_client, child):
    started_days_ago(child, 30)
    today = child.today()
    DailyEntryFactory(child=child, date=today - DAY)
    TreatmentCourseFactory(child=child)
    TriggerEventFactory(child=child, start_date=today - 2 * DAY)

    response = owner_client.get(detail_url(child))
    text = text_of(response)

    assert response.status_code == 200
    assert "<html" in html_of(response)
    assert "Mia" in text
    assert "Log today" in text
    assert "1 of 14 days logged" in text
    assert "Prednisolone" in text  # a treatment going on
    assert "38.9 °C" in text  # a recent fever
    assert "<dt>Your role</dt><dd>Owner</dd>" in html_of(response)
    assert edit_url(child) in html_of(response)


def test_a_journal_begun_today_shows_first_steps_not_empty_charts(owner_client, child):
    response = owner_client.get(detail_url(child))
    text, html = text_of(response), html_of(response)
    assert "First steps" in text
    for view in ("entry_today", "treatment_add", "data_page", "team"):
        assert f'href="{reverse(view, args=[child.pk])}"' in html
    assert "Invite the other parent or a carer" in text
    assert "Import a paper diary or a spreadsheet" in text
    assert "✓ done" not in text
    assert "appear once 7 days are logged: 0 so far" in text
    assert "Last 7 days against the 28 before" not in text
    assert reverse("chart", args=[child.pk, "score"]) not in html  # no empty chart drawn
    assert "Last two weeks" not in text  # a strip of one empty day says nothing


def test_first_steps_are_ticked_as_they_are_done(owner_client, child, caregiver):
    DailyEntryFactory(child=child, date=child.today())
    TreatmentCourseFactory(child=child)
    text = text_of(owner_client.get(detail_url(child)))
    assert text.count("✓ done") == 3  # today, the treatments, the other parent
    assert "1 of 1 days logged" in text
    assert "appear once 7 days are logged: 1 so far" in text


def test_a_viewer_is_not_given_steps_they_cannot_take(viewer_client, child):
    text = text_of(viewer_client.get(detail_url(child)))
    assert "First steps" not in text
    assert "appear once 7 days are logged" in text


def test_a_week_logged_brings_the_charts_and_ends_the_first_steps(owner_client, child):
    started_days_ago(child, 10)
    for back in range(7):
        DailyEntryFactory(child=child, date=child.today() - back * DAY)
    response = owner_client.get(detail_url(child))
    assert "First steps" not in text_of(response)
    assert "Last 7 days against the 28 before" in text_of(response)
    assert reverse("chart", args=[child.pk, "score"]) in html_of(response)


def test_days_logged_before_the_journal_began_widen_the_fortnight(owner_client, child):
    DailyEntryFactory(child=child, date=child.today() - 3 * DAY)
    response = owner_client.get(detail_url(child))
    assert "1 of 4 days logged" in text_of(response)


def test_the_overview_shows_todays_score_once_logged(owner_client, child):
    DailyEntryFactory(child=child, date=child.today())
    response = owner_client.get(detail_url(child))
    assert "Change today's entry" in text_of(response)
    assert '<span class="score score-mild">5</span>' in html_of(response)


def test_a_viewer_sees_the_overview_without_write_buttons(viewer_client, child):
    response = viewer_client.get(detail_url(child))
    text = text_of(response)
    assert response.status_code == 200
    assert "Not logged yet." in text
    assert "Log today" not in text
    assert "Log a fever" not in text
    assert "<dt>Your role</dt><dd>Viewer</dd>" in html_of(response)
    assert edit_url(child) not in html_of(response)


# --- adding a child ------------------------------------------------------------------------------


def test_the_add_form_opens(owner_client):
    response = owner_client.get(reverse("child_add"))
    assert response.status_code == 200
    assert "Add a child" in text_of(response)
    assert value_of(response, "time_zone") == "Europe/London"


def test_adding_a_child_makes_me_its_owner(owner, owner_client):
    response = owner_client.post(reverse("child_add"), child_data())

    leo = Child.objects.get(name="Leo")
    assert response.status_code == 302
    assert response.url == detail_url(leo)
    assert (leo.birth_date, leo.diagnosis_date) == (
        datetime.date(2022, 3, 14),
        datetime.date(2023, 9, 1),
    )
    assert (leo.tumour_found, leo.time_zone) == ("yes", "America/Chicago")
    assert Membership.objects.get(child=leo).user == owner
    assert Membership.objects.get(child=leo).role == Role.OWNER
    assert "Leo's journal is ready" in text_of(owner_client.get(response.url))


BAD_INPUT = [
    # (id, what is posted over a valid child, the field with the message, part of the message)
    ("no name", {"name": ""}, "name", "This field is required"),
    ("name too long", {"name": "x" * 81}, "name", "at most 80 characters"),
    ("no birth date", {"birth_date": ""}, "birth_date", "This field is required"),
    ("birth date not a date", {"birth_date": "14/03/22x"}, "birth_date", "Enter a valid date"),
    (
        "birth in the future",
        {"birth_date": "future", "diagnosis_date": ""},
        "birth_date",
        "in the future",
    ),
    (
        "diagnosis before birth",
        {"diagnosis_date": "2021-12-31"},
        "diagnosis_date",
        "can't be before birth",
    ),
    ("diagnosis in the future", {"diagnosis_date": "future"}, "diagnosis_date", "in the future"),
    ("unknown time zone", {"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice"),
    ("unknown tumour answer", {"tumour_found": "maybe"}, "tumour_found", "Select a valid choice"),
]


def typed(value: str) -> str:
    future = datetime.date.today() + datetime.timedelta(days=3)
    return future.isoformat() if value == "future" else value


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
@pytest.mark.parametrize("editing", [False, True], ids=["add", "edit"])
def test_bad_input_is_refused_beside_the_field_with_the_input_kept(
    owner_client, child, posted, field, message, editing
):
    posted = {name: typed(value) for name, value in posted.items()}
    data = child_data(**posted)
    before = snapshot()

    response = owner_client.post(edit_url(child) if editing else reverse("child_add"), data)

    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert list(errors_shown(response)) == [field]
    assert "Please check the fields marked below." in text_of(response)
    values = form_values(response)
    for name, value in data.items():
        if name not in ("time_zone", "tumour_found") or name != field:  # not offered: not shown
            assert values[name] == [value], name
    assert snapshot() == before


# --- editing a child -----------------------------------------------------------------------------


def test_the_owner_edits_the_childs_details(owner_client, child):
    page = owner_client.get(edit_url(child))
    assert page.status_code == 200
    assert value_of(page, "name") == "Mia"
    assert value_of(page, "birth_date") == child.birth_date.isoformat()

    data = child_data(name="Mia Rose", birth_date=child.birth_date, time_zone="Asia/Tokyo")
    response = owner_client.post(edit_url(child), data)

    assert response.status_code == 302
    assert response.url == detail_url(child)
    child.refresh_from_db()
    assert (child.name, child.time_zone) == ("Mia Rose", "Asia/Tokyo")
    assert "Saved." in text_of(owner_client.get(response.url))


@pytest.mark.parametrize("role", ["caregiver", "viewer"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_an_owner_edits_the_childs_details(client_for, child, caregiver, viewer, role, method):
    client = client_for({"caregiver": caregiver, "viewer": viewer}[role])
    before = snapshot()
    response = getattr(client, method)(edit_url(child), child_data() if method == "post" else None)
    assert response.status_code == 403
    assert OWNER_REFUSAL in text_of(response)
    assert snapshot() == before


# --- where the child lives: a country and a city -------------------------------------------------


def test_the_time_zone_is_a_country_and_a_city(owner_client):
    html = html_of(owner_client.get(reverse("child_add")))
    assert '<optgroup label="France">' in html
    assert '<option value="Europe/Paris">France: Paris</option>' in html
    assert "United States: New York, Eastern (most areas)" in html
    assert 'value="Africa/Asmera"' not in html  # an old name, not offered
    assert "data-guess-zone" in html  # the phone may say better (static/js/app.js)
    assert html.count("<option") < 450


def test_an_old_zone_name_from_a_phone_is_taken_and_kept(owner, owner_client):
    response = owner_client.post(
        reverse("child_add"), child_data(name="Ravi", time_zone="Asia/Calcutta")
    )
    assert response.status_code == 302
    ravi = Child.objects.get(name="Ravi")
    assert ravi.time_zone == "Asia/Calcutta"
    edit = owner_client.get(reverse("child_edit", args=[ravi.pk]))
    assert value_of(edit, "time_zone") == "Asia/Calcutta"  # still listed, still chosen
    assert "data-guess-zone" not in html_of(edit)  # never over a zone already chosen


def test_the_dashboard_says_where_the_child_lives(owner_client, child):
    Child.objects.filter(pk=child.pk).update(time_zone="Europe/Paris")
    html = html_of(owner_client.get(detail_url(child)))
    assert "<dt>Lives in</dt><dd>France: Paris</dd>" in html
