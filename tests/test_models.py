"""journal.models: validation rules, database constraints, and scoped QuerySets."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from journal.models import (
    Child,
    DailyEntry,
    Drug,
    Invitation,
    Role,
    TreatmentCourse,
    TriggerEvent,
)
from journal.scales import CORE_FIELDS
from tests.factories import (
    ChildFactory,
    DailyEntryFactory,
    InvitationFactory,
    MembershipFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def errors_of(obj) -> dict[str, list[str]]:
    """The field errors full_clean() raises, or fail if it raises none."""
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


@pytest.fixture
def frozen_now(monkeypatch):
    """`frozen_now(datetime)`: timezone.now() returns that instant from then on."""

    def freeze(instant: datetime.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: instant)

    return freeze


# 11:30 UTC on 10 March 2024 is still the 10th in London and Los Angeles, already the 11th in
# Auckland (UTC+13).
INSTANT = datetime.datetime(2024, 3, 10, 11, 30, tzinfo=datetime.UTC)


# --- Child -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "time_zone", "today"),
    [
        (INSTANT, "Europe/London", datetime.date(2024, 3, 10)),
        (INSTANT, "Pacific/Auckland", datetime.date(2024, 3, 11)),
        (INSTANT, "America/Los_Angeles", datetime.date(2024, 3, 10)),
        # 02:00 UTC on the 11th: London has moved on; Los Angeles is on the evening of the 10th.
        (
            datetime.datetime(2024, 3, 11, 2, 0, tzinfo=datetime.UTC),
            "Europe/London",
            datetime.date(2024, 3, 11),
        ),
        (
            datetime.datetime(2024, 3, 11, 2, 0, tzinfo=datetime.UTC),
            "America/Los_Angeles",
            datetime.date(2024, 3, 10),
        ),
    ],
)
def test_child_today_is_counted_in_the_childs_time_zone(frozen_now, instant, time_zone, today):
    frozen_now(instant)
    child = Child(name="Mia", birth_date=datetime.date(2020, 1, 1), time_zone=time_zone)
    assert child.today() == today


def test_child_time_zone_must_exist():
    child = ChildFactory.build(time_zone="Mars/Olympus_Mons")
    assert errors_of(child) == {
        "time_zone": ["Pick a time zone from the list, such as Europe/London."]
    }


def test_child_diagnosis_cannot_be_before_birth():
    child = ChildFactory.build(
        birth_date=datetime.date(2021, 5, 1), diagnosis_date=datetime.date(2021, 4, 30)
    )
    assert errors_of(child) == {"diagnosis_date": ["The diagnosis can't be before birth."]}


def test_child_birth_date_cannot_be_in_the_future():
    child = ChildFactory.build(birth_date=timezone.now().date() + 3 * DAY, diagnosis_date=None)
    assert errors_of(child) == {"birth_date": ["This date is in the future."]}


def test_a_valid_child_passes_full_clean():
    ChildFactory.build().full_clean()


# --- DailyEntry: dates -------------------------------------------------------------------------


def test_entry_for_today_in_auckland_is_fine_though_utc_is_a_day_behind(frozen_now):
    frozen_now(INSTANT)
    child = ChildFactory(birth_date=datetime.date(2020, 1, 1), time_zone="Pacific/Auckland")
    DailyEntryFactory.build(child=child, date=datetime.date(2024, 3, 11)).full_clean()


def test_entry_for_a_day_not_yet_begun_where_the_child_lives_is_refused(frozen_now):
    frozen_now(INSTANT)
    child = ChildFactory(birth_date=datetime.date(2020, 1, 1), time_zone="America/Los_Angeles")
    entry = DailyEntryFactory.build(child=child, date=datetime.date(2024, 3, 11))
    assert errors_of(entry) == {"date": ["This day hasn't happened yet where the child lives."]}


def test_entry_far_in_the_future_is_refused(child):
    entry = DailyEntryFactory.build(child=child, date=child.today() + 5 * DAY)
    assert "This day hasn't happened yet where the child lives." in errors_of(entry)["date"]


def test_entry_before_birth_is_refused(child):
    entry = DailyEntryFactory.build(child=child, date=child.birth_date - DAY)
    assert errors_of(entry) == {"date": ["This day is before the child's birth date."]}


def test_entry_on_the_birth_date_and_today_are_fine(child):
    DailyEntryFactory.build(child=child, date=child.birth_date).full_clean()
    DailyEntryFactory.build(child=child, date=child.today()).full_clean()


def test_second_entry_for_the_same_day_is_refused(child):
    day = child.today() - 2 * DAY
    DailyEntryFactory(child=child, date=day)
    duplicate = DailyEntryFactory.build(child=child, date=day)
    assert "__all__" in errors_of(duplicate)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


# --- DailyEntry: ratings -----------------------------------------------------------------------


@pytest.mark.parametrize("field", CORE_FIELDS)
def test_rating_of_4_is_refused_by_full_clean(child, field):
    entry = DailyEntryFactory.build(child=child, **{field: 4})
    errors = errors_of(entry)
    assert errors[field] == ["Ensure this value is less than or equal to 3."]


@pytest.mark.parametrize("field", CORE_FIELDS)
def test_rating_of_4_is_refused_by_the_database(child, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyEntry.objects.create(child=child, date=child.today(), **{field: 4})
    assert not DailyEntry.objects.exists()


def test_ratings_of_3_and_unrated_items_are_stored(child):
    entry = DailyEntry.objects.create(
        child=child, date=child.today(), opsoclonus=3, myoclonus=None, rage=0
    )
    entry.refresh_from_db()
    assert entry.ratings == {
        "opsoclonus": 3,
        "myoclonus": None,
        "ataxia": None,
        "sleep": None,
        "rage": 0,
    }


def test_entry_score_and_band(child):
    entry = DailyEntryFactory.build(
        child=child, opsoclonus=1, myoclonus=1, ataxia=2, sleep=0, rage=1
    )
    assert (entry.score, entry.band) == (5, "mild")


def test_entry_with_nothing_rated_has_no_score(child):
    unrated = dict.fromkeys(CORE_FIELDS)
    entry = DailyEntryFactory.build(child=child, notes="Out all day with grandma.", **unrated)
    entry.full_clean()
    assert (entry.score, entry.band) == (None, "none")


# --- TriggerEvent ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_type", "required"),
    [
        (TriggerEvent.Type.FEVER, {"temperature_c"}),
        (TriggerEvent.Type.ILLNESS, {"illness_kind"}),
        (TriggerEvent.Type.VACCINATION, {"vaccine"}),
        (TriggerEvent.Type.ANAESTHESIA, {"procedure"}),
        (TriggerEvent.Type.IMMUNOTHERAPY_CHANGE, {"change", "drug"}),
    ],
)
def test_event_type_requires_its_own_fields(child, event_type, required):
    event = TriggerEventFactory.build(child=child, type=event_type, temperature_c=None)
    errors = errors_of(event)
    assert set(errors) == required
    for field in required:
        assert errors[field] == ["Please fill this in for this kind of event."]


@pytest.mark.parametrize("event_type", [TriggerEvent.Type.STRESS, TriggerEvent.Type.OTHER])
def test_event_types_without_required_fields_need_only_a_date(child, event_type):
    TriggerEventFactory.build(child=child, type=event_type, temperature_c=None).full_clean()


def test_event_forgets_fields_of_another_type(child):
    event = TriggerEventFactory.build(
        child=child,
        type=TriggerEvent.Type.FEVER,
        temperature_c=Decimal("39.2"),
        vaccine="MMR",
        live_vaccine=True,
        procedure="MRI",
        drug="Dexamethasone",
    )
    event.full_clean()
    assert event.temperature_c == Decimal("39.2")
    assert (event.vaccine, event.live_vaccine, event.procedure, event.drug) == ("", None, "", "")


def test_event_cannot_end_before_it_starts(child):
    start = child.today() - 3 * DAY
    event = TriggerEventFactory.build(child=child, start_date=start, end_date=start - DAY)
    assert errors_of(event) == {"end_date": ["The end date can't be before the start."]}


def test_event_ending_before_it_starts_is_refused_by_the_database(child):
    start = child.today() - 3 * DAY
    with pytest.raises(IntegrityError), transaction.atomic():
        TriggerEventFactory(child=child, start_date=start, end_date=start - DAY)


def test_event_in_the_future_or_before_birth_is_refused(child):
    future = TriggerEventFactory.build(child=child, start_date=child.today() + DAY)
    assert errors_of(future)["start_date"] == [
        "This day hasn't happened yet where the child lives."
    ]
    unborn = TriggerEventFactory.build(child=child, start_date=child.birth_date - DAY)
    assert errors_of(unborn) == {"start_date": ["This day is before the child's birth date."]}


def test_event_detail_says_what_happened(child):
    fever = TriggerEventFactory.build(child=child, temperature_c=Decimal("38.9"))
    vaccination = TriggerEventFactory.build(
        child=child,
        type=TriggerEvent.Type.VACCINATION,
        temperature_c=None,
        vaccine="MMR",
        live_vaccine=True,
    )
    assert fever.detail == "38.9 °C"
    assert vaccination.detail == "MMR (live)"


# --- TreatmentCourse ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "   "])
def test_other_drug_needs_a_name(child, name):
    course = TreatmentCourseFactory.build(child=child, drug=Drug.OTHER, drug_other=name)
    assert errors_of(course) == {"drug_other": ["Please name the drug."]}


def test_other_drug_goes_by_its_name(child):
    course = TreatmentCourseFactory.build(child=child, drug=Drug.OTHER, drug_other="Ofatumumab")
    course.full_clean()
    assert course.drug_name == "Ofatumumab"
    assert str(course).startswith("Ofatumumab from ")


def test_listed_drug_goes_by_its_label(child):
    assert TreatmentCourseFactory.build(child=child, drug=Drug.IVIG).drug_name == "IVIG"


def test_course_cannot_end_before_it_starts(child):
    course = TreatmentCourseFactory.build(
        child=child, start_date=child.today() - 10 * DAY, end_date=child.today() - 11 * DAY
    )
    assert errors_of(course) == {"end_date": ["The end date can't be before the start."]}


def test_course_ending_before_it_starts_is_refused_by_the_database(child):
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentCourseFactory(
            child=child, start_date=child.today() - 10 * DAY, end_date=child.today() - 11 * DAY
        )


def test_course_in_the_future_is_refused(child):
    course = TreatmentCourseFactory.build(child=child, start_date=child.today() + DAY)
    assert errors_of(course) == {
        "start_date": ["This day hasn't happened yet where the child lives."]
    }


def test_courses_ongoing_on_a_day(child):
    today = child.today()
    running = TreatmentCourseFactory(child=child, start_date=today - 30 * DAY)
    finished = TreatmentCourseFactory(
        child=child, drug=Drug.IVIG, start_date=today - 40 * DAY, end_date=today - 10 * DAY
    )
    recent = TreatmentCourseFactory(child=child, drug=Drug.RITUXIMAB, start_date=today - 5 * DAY)
    TreatmentCourseFactory(start_date=today - 30 * DAY)  # another child's

    courses = TreatmentCourse.objects.for_child(child)
    assert set(courses.ongoing_on(today - 20 * DAY)) == {running, finished}
    assert set(courses.ongoing_on(today - 10 * DAY)) == {running, finished}
    assert set(courses.ongoing_on(today)) == {running, recent}
    assert (running.is_ongoing, finished.is_ongoing) == (True, False)


# --- scoping -----------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["owner", "caregiver", "viewer"])
def test_care_team_sees_the_child(request, child, stranger_child, person):
    user = request.getfixturevalue(person)
    assert list(Child.objects.visible_to(user)) == [child]


def test_stranger_sees_only_their_own_child(child, stranger, stranger_child):
    assert list(Child.objects.visible_to(stranger)) == [stranger_child]


def test_anonymous_sees_no_child(child):
    assert not Child.objects.visible_to(AnonymousUser()).exists()


def test_user_without_a_team_sees_no_child(child):
    assert not Child.objects.visible_to(UserFactory()).exists()


def test_member_of_two_teams_sees_each_child_once(owner, child, stranger_child):
    MembershipFactory(child=stranger_child, user=owner, role=Role.VIEWER)
    DailyEntryFactory(child=child)
    visible = list(Child.objects.visible_to(owner))
    assert sorted(c.name for c in visible) == ["Mia", "Noah"]
    assert len(visible) == len(set(visible))


def test_entries_for_a_child_between_two_days(child, stranger_child):
    today = child.today()
    yesterday = DailyEntryFactory(child=child, date=today - DAY)
    five_days_ago = DailyEntryFactory(child=child, date=today - 5 * DAY)
    DailyEntryFactory(child=child, date=today - 10 * DAY)
    DailyEntryFactory(child=stranger_child, date=today - 5 * DAY)

    entries = DailyEntry.objects.for_child(child).between(today - 6 * DAY, today - DAY)
    assert list(entries) == [yesterday, five_days_ago]  # newest first


def test_events_for_a_child(child, stranger_child):
    mine = TriggerEventFactory(child=child)
    TriggerEventFactory(child=stranger_child)
    assert list(TriggerEvent.objects.for_child(child)) == [mine]


# --- Membership and Invitation -----------------------------------------------------------------


def test_roles_that_can_write(child, owner, caregiver, viewer):
    memberships = {m.user: m for m in child.memberships.all()}
    assert (memberships[owner].can_write, memberships[owner].is_owner) == (True, True)
    assert (memberships[caregiver].can_write, memberships[caregiver].is_owner) == (True, False)
    assert (memberships[viewer].can_write, memberships[viewer].is_owner) == (False, False)


def test_one_membership_per_child_and_user(child, owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(child=child, user=owner, role=Role.VIEWER)


def test_invitation_status_and_pending(child, stranger):
    now = timezone.now()
    pending = InvitationFactory(child=child)
    accepted = InvitationFactory(child=child, accepted_by=stranger, accepted_at=now)
    revoked = InvitationFactory(child=child, revoked_at=now)
    expired = InvitationFactory(child=child, expires_at=now - datetime.timedelta(minutes=1))

    assert [i.status for i in (pending, accepted, revoked, expired)] == [
        "pending",
        "accepted",
        "revoked",
        "expired",
    ]
    assert list(Invitation.objects.pending()) == [pending]


def test_birth_date_cannot_move_after_days_already_in_the_journal(child):
    first = child.today() - datetime.timedelta(days=30)
    DailyEntryFactory(child=child, date=first)
    child.diagnosis_date = None
    child.birth_date = first + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        child.full_clean()
    assert "before this date" in caught.value.message_dict["birth_date"][0]

    child.birth_date = first
    child.full_clean()
