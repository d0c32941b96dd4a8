"""Dates at the ends of what a journal holds: the forms keep them in bounds, and the readers of
the journal (the analysis, every page, the PDF, the downloads) never break on whatever is stored.

The bounds (DOMAIN.md, "Dates"): birth dates from 1900; every date of the journal between birth
and the child's today; a course's planned end and a taper's planned steps up to two years ahead.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from journal import analysis
from journal.analysis import Course, Day, Trigger
from journal.models import PLAN_AHEAD, Child, DoseChange, TreatmentCourse, TriggerEvent
from journal.trends import MAX_PERIOD_DAYS
from tests.factories import (
    DailyEntryFactory,
    DoseChangeFactory,
    ShareLinkFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
)
from tests.test_views_events import event_data
from tests.test_views_treatments import course_data
from tests.view_helpers import child_url, error_beside, snapshot, text_of

DAY = datetime.timedelta(days=1)
LAST = datetime.date.max  # 9999-12-31, a year typed as 9999
FIRST = datetime.date.min  # 0001-01-01


# --- the analysis, whatever is stored -----------------------------------------------------------


CALM_DAYS = 21  # the usual level's 14 days, and the most recent week it leaves out


def raised_days(onset: datetime.date) -> list[Day]:
    """Three weeks of calm logged days, then three raised ones from `onset`: a possible
    relapse."""
    calm = [Day(onset - (CALM_DAYS - n) * DAY, {"rage": 0}) for n in range(CALM_DAYS)]
    return calm + [Day(onset + n * DAY, {"rage": 3, "sleep": 3}) for n in range(3)]


def test_a_course_ending_on_the_last_day_python_holds_stops_on_that_day():
    course = Course("Prednisolone", datetime.date(2026, 1, 1), LAST, ((LAST, 1.0),))
    (stopped,) = analysis.treatment_triggers([course])
    assert stopped.date == LAST
    assert stopped.type == analysis.TREATMENT_STOPPED


@pytest.mark.parametrize("trigger_day", [FIRST, LAST])
def test_an_illness_at_either_end_of_the_calendar_never_overflows(trigger_day):
    onset = datetime.date(2026, 3, 1)
    illness = Trigger(trigger_day, "illness", "Illness", end_date=trigger_day)
    assert analysis.illness_associated(onset, [illness]) is False
    (episode,) = analysis.episodes(raised_days(onset), [illness])
    assert episode.onset == onset


def test_an_illness_lasting_to_the_last_day_covers_an_onset():
    onset = datetime.date(2026, 3, 1)
    illness = Trigger(onset - 2 * DAY, "illness", "Illness", end_date=LAST)
    assert analysis.illness_associated(onset, [illness]) is True


def test_days_at_the_first_day_python_holds_are_read():
    days = raised_days(FIRST + CALM_DAYS * DAY)
    (episode,) = analysis.episodes(days)
    assert episode.onset == FIRST + CALM_DAYS * DAY
    means = analysis.seven_day_means(days, FIRST, FIRST + 3 * DAY)
    assert [day for day, _ in means] == [FIRST + n * DAY for n in range(4)]
    assert analysis.status(days, FIRST).kind == "not_enough_data"
    assert analysis.shifted(FIRST, -7) == FIRST
    assert analysis.shifted(LAST, 1) == LAST


# --- what the forms take ----------------------------------------------------------------------


def child_data(**values) -> dict:
    return {"name": "Leo", "tumour_found": "no", "time_zone": "Europe/Paris", **values}


@pytest.mark.django_db
@pytest.mark.parametrize(("birth", "taken"), [("1899-12-31", False), ("1900-01-01", True)])
def test_birth_dates_are_taken_from_1900(owner_client, birth, taken):
    before = snapshot()
    response = owner_client.post(reverse("child_add"), child_data(birth_date=birth))
    if taken:
        assert response.status_code == 302
        assert Child.objects.get(name="Leo").birth_date == datetime.date(1900, 1, 1)
    else:
        assert response.status_code == 200
        assert "Dates from 1 January 1900 are taken." in error_beside(response, "birth_date")
        assert snapshot() == before


@pytest.mark.django_db
def test_the_birth_date_field_says_where_it_starts(owner_client):
    response = owner_client.get(reverse("child_add"))
    assert 'min="1900-01-01"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("ahead", [1, 1 + (LAST - datetime.date.today()).days])
def test_an_event_ends_by_the_childs_today(owner_client, child, ahead):
    today = child.today()
    end = (today + ahead * DAY) if ahead < 10_000 else LAST
    data = event_data(type="stress", start_date=today, end_date=end)
    response = owner_client.post(child_url("event_add", child), data)
    assert response.status_code == 200
    assert "hasn't happened yet" in error_beside(response, "end_date")
    assert not TriggerEvent.objects.filter(child=child).exists()


@pytest.mark.django_db
def test_an_event_may_end_today(owner_client, child):
    today = child.today()
    data = event_data(type="stress", start_date=today - DAY, end_date=today)
    assert owner_client.post(child_url("event_add", child), data).status_code == 302
    assert TriggerEvent.objects.get(child=child).end_date == today


@pytest.mark.django_db
@pytest.mark.parametrize(("ahead", "taken"), [(PLAN_AHEAD, True), (PLAN_AHEAD + DAY, False)])
def test_a_course_may_be_planned_to_end_two_years_ahead(owner_client, child, ahead, taken):
    today = child.today()
    data = course_data(start_date=today, end_date=today + ahead)
    response = owner_client.post(child_url("treatment_add", child), data)
    if taken:
        assert response.status_code == 302
        assert TreatmentCourse.objects.get(child=child).end_date == today + ahead
    else:
        assert response.status_code == 200
        assert "two years ahead at most" in error_beside(response, "end_date")
        assert not TreatmentCourse.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("ahead", "taken"), [(PLAN_AHEAD, True), (PLAN_AHEAD + DAY, False)])
def test_a_taper_step_may_be_planned_two_years_ahead(owner_client, child, ahead, taken):
    today = child.today()
    step = {"date": today + ahead, "dose": "1"}
    data = course_data(start_date=today, changes=[step])
    response = owner_client.post(child_url("treatment_add", child), data)
    if taken:
        assert response.status_code == 302
        assert DoseChange.objects.get().date == today + ahead
    else:
        assert response.status_code == 200
        assert "two years ahead at most" in error_beside(response, "changes-0-date")
        assert not TreatmentCourse.objects.exists()


@pytest.mark.django_db
def test_a_step_too_far_ahead_is_refused_by_the_model_too(child):
    course = TreatmentCourseFactory(child=child)
    change = DoseChange(course=course, date=LAST, dose=Decimal(1))
    with pytest.raises(Exception, match="two years ahead at most"):
        change.full_clean()


# --- every page of the child, whatever is stored --------------------------------------------------

PAGES = ("child_detail", "trends", "summary", "summary_pdf", "treatment_list", "event_list")


def far_future(child, kind: str) -> None:
    """What a date typed as 9999 stored before the forms held it: of each kind the issue saw."""
    if kind == "course_end":
        TreatmentCourseFactory(child=child, end_date=LAST)
    elif kind == "illness_end":
        TriggerEventFactory(child=child, type="illness", illness_kind="respiratory", end_date=LAST)
    elif kind == "dose_change":
        DoseChangeFactory(course=TreatmentCourseFactory(child=child), date=LAST, dose=0)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["course_end", "illness_end", "dose_change"])
def test_every_page_reads_a_date_stored_at_9999(owner, owner_client, anon_client, child, kind):
    today = child.today()
    for back in range(20, 0, -1):  # calm days, then a possible relapse over the last three
        rating = 3 if back <= 3 else 0
        DailyEntryFactory(child=child, date=today - back * DAY, rage=rating, sleep=rating)
    far_future(child, kind)
    urls = [reverse("home"), *(child_url(name, child) for name in PAGES)]
    urls += [reverse("data_download", args=[child.pk, kind]) for kind in ("journal", "all")]
    for url in urls:
        assert owner_client.get(url).status_code == 200, url
    ShareLinkFactory(child=child, token="far-future-link")
    for name in ("shared_summary", "shared_summary_pdf"):
        url = reverse(name, args=["far-future-link"])
        assert anon_client.get(url).status_code == 200, url


# --- every period bounded -----------------------------------------------------------------------

TABLE = "chart_table"


def born_long_ago(child, birth: datetime.date) -> None:
    """A birth date stored before the forms held it (or at their bound), with a day logged then
    and one today."""
    Child.objects.filter(pk=child.pk).update(birth_date=birth)
    child.refresh_from_db()
    DailyEntryFactory(child=child, date=birth, rage=1)
    DailyEntryFactory(child=child, date=child.today(), rage=2)


@pytest.mark.django_db
def test_a_custom_range_of_a_century_is_refused_beside_the_field(owner_client, child):
    """1900 to today was a 4 MB table and half a minute of a worker."""
    born_long_ago(child, datetime.date(1900, 1, 1))
    query = {"range": "custom", "start": "1900-01-08", "end": "2026-01-01"}
    response = owner_client.get(child_url("trends", child), query)
    assert "Pick at most ten years at a time." in error_beside(response, "start")
    # The table of the same query shows the default period, 3 months, not a century.
    response = owner_client.get(reverse(TABLE, args=[child.pk, "score"]), query)
    assert response.status_code == 200
    assert len(response.content) < 100_000


@pytest.mark.django_db
def test_ten_years_are_shown(owner_client, child):
    born_long_ago(child, datetime.date(1900, 1, 1))
    today = child.today()
    start = today - (MAX_PERIOD_DAYS - 1) * DAY
    url = reverse(TABLE, args=[child.pk, "score"])
    response = owner_client.get(url, {"range": "custom", "start": start, "end": today})
    assert response.status_code == 200
    assert f"{start:%-d %b %Y}" in text_of(response)


@pytest.mark.django_db
def test_all_of_a_journal_from_1900_shows_its_last_ten_years(owner_client, child):
    born_long_ago(child, datetime.date(1900, 1, 1))
    first = child.today() - (MAX_PERIOD_DAYS - 1) * DAY
    for name in ("trends", TABLE):
        args = [child.pk, "score"] if name == TABLE else [child.pk]
        response = owner_client.get(reverse(name, args=args), {"range": "all"})
        assert response.status_code == 200
        assert f"{first.day} {first:%b %Y}" in text_of(response)


@pytest.mark.django_db
def test_a_period_from_the_first_day_python_holds_is_drawn(owner_client, child):
    """A birth date of 0001-01-01, stored before the forms held it: the week before the period
    (for the 7-day mean) was an OverflowError."""
    born_long_ago(child, FIRST)
    for kind in ("score", "items", "sleep", "rage"):
        query = {"range": "custom", "start": "0001-01-01", "end": "0001-03-01"}
        assert owner_client.get(reverse(TABLE, args=[child.pk, kind]), query).status_code == 200
        assert owner_client.get(reverse("chart", args=[child.pk, kind]), query).status_code == 200
    query = {"start": "0001-01-01", "end": "0001-03-01"}
    assert owner_client.get(child_url("summary", child), query).status_code == 200
    assert owner_client.get(child_url("summary_pdf", child), query).status_code == 200


@pytest.mark.django_db
def test_a_summary_of_more_than_ten_years_is_refused(owner_client, child):
    born_long_ago(child, datetime.date(1900, 1, 1))
    query = {"start": "1900-01-01", "end": child.today().isoformat()}
    response = owner_client.get(child_url("summary", child), query)
    assert "Pick at most ten years at a time." in error_beside(response, "start")


@pytest.mark.django_db
def test_a_share_link_of_more_than_ten_years_is_refused(owner_client, child):
    born_long_ago(child, datetime.date(1900, 1, 1))
    data = {"note": "Dr R", "first": "1900-01-01", "last": "", "days": "30"}
    response = owner_client.post(child_url("share_links", child), data)
    assert response.status_code == 200
    assert "Pick at most ten years at a time." in error_beside(response, "first")
    assert not child.share_links.exists()


@pytest.mark.django_db
def test_a_planned_end_and_planned_steps_are_listed_as_plans(owner_client, child):
    today = child.today()
    course = TreatmentCourseFactory(
        child=child, start_date=today - 10 * DAY, end_date=today + 60 * DAY
    )
    DoseChangeFactory(course=course, date=today - 3 * DAY, dose=Decimal("1.5"))
    DoseChangeFactory(course=course, date=today + 30 * DAY, dose=Decimal("1"))
    text = text_of(owner_client.get(child_url("treatment_list", child)))
    # "(end planned)": the course itself began; only its end lies ahead.
    assert f"{today + 60 * DAY:%-d %b %Y} (end planned)" in text
    assert f"{today + 30 * DAY:%-d %b %Y}: 1 mg/kg planned" in text
    assert f"{today - 3 * DAY:%-d %b %Y}: 1.5 mg/kg planned" not in text
