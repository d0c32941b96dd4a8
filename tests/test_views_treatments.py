"""Treatment courses and their dose changes: the list, the form, deleting, and bad input."""

import datetime
import re
from decimal import Decimal

import pytest

from journal.access import VIEWER_REFUSAL
from journal.models import DoseChange, TreatmentCourse, plain_number
from tests.factories import DoseChangeFactory, TreatmentCourseFactory
from tests.view_helpers import (
    child_url as url,
)
from tests.view_helpers import (
    error_beside,
    errors_shown,
    form_values,
    html_of,
    is_fragment,
    snapshot,
    text_of,
    value_of,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def course_data(*, changes=(), initial=0, **values) -> dict[str, str]:
    """What the treatment form posts, with its dose-change rows (each a dict of date, dose...)."""
    data = {
        "drug": "prednisolone",
        "drug_other": "",
        "purpose": "immunotherapy",
        "regimen": "taper",
        "dose": "2",
        "unit": "mg/kg",
        "route": "oral",
        "start_date": "",
        "end_date": "",
        "notes": "",
        "changes-TOTAL_FORMS": str(max(len(changes), 2)),
        "changes-INITIAL_FORMS": str(initial),
        "changes-MIN_NUM_FORMS": "0",
        "changes-MAX_NUM_FORMS": "1000",
    }
    for n, change in enumerate(changes):
        for name, value in change.items():
            data[f"changes-{n}-{name}"] = str(value)
    data.update({name: str(value) for name, value in values.items()})
    return data


@pytest.fixture
def today(child) -> datetime.date:
    return child.today()


@pytest.fixture
def course(child, today):
    """Prednisolone from 30 days ago, stepped down to 1.5 mg/kg a week in."""
    course = TreatmentCourseFactory(child=child, start_date=today - 30 * DAY, notes="From Dr K")
    DoseChangeFactory(course=course, date=today - 23 * DAY, dose=Decimal("1.5"))
    return course


# --- reading -------------------------------------------------------------------------------------


def test_the_list_shows_each_course_with_its_steps(owner_client, child, course):
    TreatmentCourseFactory(
        child=child,
        drug="other",
        drug_other="Clonidine",
        purpose="symptom_control",
        regimen="daily",
        dose=Decimal("0.025"),
        unit="mg",
        start_date=course.start_date - 100 * DAY,
        end_date=course.start_date - 50 * DAY,
    )
    response = owner_client.get(url("treatment_list", child))
    text = text_of(response)
    assert response.status_code == 200
    assert "<html" in html_of(response)
    assert "Prednisolone" in text
    assert "Taper, 2 mg/kg, by mouth" in text
    assert "ongoing" in text
    assert "1.5 mg/kg" in text  # the step
    assert "Clonidine" in text
    assert "Daily, 0.025 mg" in text
    assert text.index("Prednisolone") < text.index("Clonidine")  # newest first
    assert url("treatment_edit", child, course) in html_of(response)


def test_an_empty_list_says_so(owner_client, child):
    assert "No treatment logged yet." in text_of(owner_client.get(url("treatment_list", child)))


def test_a_viewer_sees_the_list_without_edit_links(viewer_client, child, course):
    response = viewer_client.get(url("treatment_list", child))
    assert response.status_code == 200
    assert "Prednisolone" in text_of(response)
    assert url("treatment_edit", child, course) not in html_of(response)
    assert url("treatment_add", child) not in html_of(response)


# --- adding, changing, deleting ------------------------------------------------------------------


def test_the_add_form_starts_today_with_empty_steps(owner_client, child, today):
    response = owner_client.get(url("treatment_add", child))
    assert response.status_code == 200
    assert "Add a treatment" in text_of(response)
    assert value_of(response, "start_date") == today.isoformat()
    assert value_of(response, "changes-TOTAL_FORMS") == "2"
    assert value_of(response, "changes-0-date") == ""


def test_the_owner_adds_a_course_with_its_taper(owner, owner_client, child, today):
    start = today - 14 * DAY
    response = owner_client.post(
        url("treatment_add", child),
        course_data(
            start_date=start,
            notes="Plan from clinic",
            changes=[
                {"date": start + 7 * DAY, "dose": "1.5", "note": "Step 1"},
                {"date": start + 14 * DAY, "dose": "1"},
            ],
        ),
    )
    assert response.status_code == 302
    assert response.url == url("treatment_list", child)
    course = TreatmentCourse.objects.get(child=child)
    assert (course.drug, course.dose, course.start_date) == ("prednisolone", Decimal(2), start)
    assert course.created_by == owner == course.updated_by
    assert [(c.date, c.dose, c.note) for c in course.changes.all()] == [
        (start + 7 * DAY, Decimal("1.5"), "Step 1"),
        (start + 14 * DAY, Decimal(1), ""),
    ]
    assert "Saved: Prednisolone." in text_of(owner_client.get(response.url))


def test_empty_step_rows_are_ignored(owner_client, child, today):
    response = owner_client.post(url("treatment_add", child), course_data(start_date=today))
    assert response.status_code == 302
    assert DoseChange.objects.count() == 0


def test_a_caregiver_edits_a_course_and_its_steps(
    owner, caregiver, caregiver_client, child, today, course
):
    step = course.changes.get()
    page = caregiver_client.get(url("treatment_edit", child, course))
    assert page.status_code == 200
    assert value_of(page, "changes-0-dose") == "1.5"  # as a person writes it
    assert value_of(page, "notes") == "From Dr K"
    assert "Remove this step" in text_of(page)

    response = caregiver_client.post(
        url("treatment_edit", child, course),
        course_data(
            start_date=course.start_date,
            end_date=today,
            version=value_of(page, "version"),  # as the opened form carries it
            initial=1,
            changes=[
                {"id": step.pk, "course": course.pk, "date": step.date, "dose": "1.25"},
                {"date": today - 5 * DAY, "dose": "0.5"},
            ],
        ),
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.end_date == today
    assert course.created_by == owner
    assert course.updated_by == caregiver
    assert [(c.date, c.dose) for c in course.changes.all()] == [
        (step.date, Decimal("1.25")),
        (today - 5 * DAY, Decimal("0.5")),
    ]


def test_a_step_can_be_removed(owner_client, child, course):
    step = course.changes.get()
    response = owner_client.post(
        url("treatment_edit", child, course),
        course_data(
            start_date=course.start_date,
            version=course.version,
            initial=1,
            changes=[
                {
                    "id": step.pk,
                    "course": course.pk,
                    "date": step.date,
                    "dose": "1.5",
                    "DELETE": "on",
                }
            ],
        ),
    )
    assert response.status_code == 302
    assert not DoseChange.objects.exists()


def test_the_owner_deletes_a_course_and_its_steps(owner_client, child, course):
    page = owner_client.get(url("treatment_delete", child, course))
    assert page.status_code == 200
    assert "Delete Prednisolone from" in text_of(page)
    assert TreatmentCourse.objects.exists()

    response = owner_client.post(url("treatment_delete", child, course))
    assert response.status_code == 302
    assert response.url == url("treatment_list", child)
    assert not TreatmentCourse.objects.exists()
    assert not DoseChange.objects.exists()
    assert "Deleted: Prednisolone." in text_of(owner_client.get(response.url))


@pytest.mark.parametrize(
    ("name", "method"),
    [
        (name, method)
        for name in ("treatment_add", "treatment_edit", "treatment_delete")
        for method in ("get", "post")
    ],
)
def test_a_viewer_cannot_add_change_or_delete(viewer_client, child, today, course, name, method):
    target = url(name, child, None if name == "treatment_add" else course)
    before = snapshot()
    data = course_data(start_date=today, dose="5")
    response = getattr(viewer_client, method)(target, data if method == "post" else None)
    assert response.status_code == 403
    assert VIEWER_REFUSAL in text_of(response)
    assert snapshot() == before


# --- bad input -----------------------------------------------------------------------------------

BAD_INPUT = [
    # (id, what is posted over a valid course, the field with the message, part of the message)
    ("no dose", {"dose": ""}, "dose", "This field is required"),
    ("text dose", {"dose": "two"}, "dose", "Enter a number"),
    ("negative dose", {"dose": "-1"}, "dose", "greater than or equal to 0"),
    ("no drug", {"drug": ""}, "drug", "Choose the drug, or Other."),
    ("unknown drug", {"drug": "aspirin"}, "drug", "Select a valid choice"),
    ("other drug without a name", {"drug": "other"}, "drug_other", "Please name the drug"),
    ("unknown unit", {"unit": "spoons"}, "unit", "Select a valid choice"),
    ("no start", {"start_date": ""}, "start_date", "This field is required"),
    ("future start", {"start_date": "day+1"}, "start_date", "hasn't happened yet"),
    ("start before birth", {"start_date": "birth-1"}, "start_date", "before the child's birth"),
    ("end before start", {"end_date": "day-31"}, "end_date", "can't be before the start"),
    (
        "dose change before the course start",
        {"changes-0-date": "day-31", "changes-0-dose": "1"},
        "changes-0-date",
        "before the course started",
    ),
    (
        "dose change after the course ended",
        {"end_date": "day-1", "changes-0-date": "today", "changes-0-dose": "1"},
        "changes-0-date",
        "after the course ended",
    ),
    (
        "two dose changes on one day",
        {
            "changes-0-date": "day-7",
            "changes-0-dose": "1",
            "changes-1-date": "day-7",
            "changes-1-dose": "0.5",
        },
        "changes-1-date",
        "Two dose changes on the same day",
    ),
    (
        "dose change without a dose",
        {"changes-0-date": "day-7", "changes-0-dose": ""},
        "changes-0-dose",
        "This field is required",
    ),
    (
        "dose change of text",
        {"changes-0-date": "day-7", "changes-0-dose": "half"},
        "changes-0-dose",
        "Enter a number",
    ),
]


def typed(value: str, child, today: datetime.date) -> str:
    if value == "today":
        return today.isoformat()
    if value == "birth-1":
        return (child.birth_date - DAY).isoformat()
    if value.startswith("day"):
        return (today + int(value.removeprefix("day")) * DAY).isoformat()
    return value


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
@pytest.mark.parametrize("editing", [False, True], ids=["add", "edit"])
def test_bad_input_is_refused_beside_the_field_with_the_input_kept(
    owner_client, child, today, course, posted, field, message, editing
):
    """A course starting 30 days ago, with one thing wrong; when editing, the existing step is
    kept as it was (row 0), so the rows typed here come after it."""
    start = today - 30 * DAY
    raw = posted.get(field, "")
    posted = {name: typed(value, child, today) for name, value in posted.items()}
    rows = []
    if editing:
        step = course.changes.get()
        rows.append({"id": step.pk, "course": course.pk, "date": step.date, "dose": "1.5"})
        shift = {"changes-0": "changes-1", "changes-1": "changes-2"}
        posted = {shift.get(name[:9], name[:9]) + name[9:]: v for name, v in posted.items()}
        field = shift.get(field[:9], field[:9]) + field[9:]
    data = course_data(start_date=start, notes="Kept note", changes=rows, initial=len(rows))
    data["changes-TOTAL_FORMS"] = "3"
    data.update(posted)
    target = url("treatment_edit", child, course) if editing else url("treatment_add", child)
    before = snapshot()

    response = owner_client.post(target, data)

    assert response.status_code == 200
    assert message in error_beside(response, field)
    # Only there; but a course whose start moves to the future leaves its step before it.
    also = {"changes-0-date"} if editing and field == "start_date" and "+" in raw else set()
    assert set(errors_shown(response)) == {field} | also
    values = form_values(response)
    for name, value in posted.items():
        if name not in ("drug", "unit"):  # a choice not offered can't be shown as chosen
            assert values[name] == [value], name
    assert values["notes"] == ["Kept note"]
    assert snapshot() == before


def test_moving_the_start_after_an_existing_step_is_refused(owner_client, child, today, course):
    """The step is untouched, but the course now starts after it: the step would lie outside."""
    step = course.changes.get()
    before = snapshot()
    data = course_data(
        start_date=step.date + DAY,
        initial=1,
        changes=[{"id": step.pk, "course": course.pk, "date": step.date, "dose": "1.500"}],
    )
    response = owner_client.post(url("treatment_edit", child, course), data)
    assert response.status_code == 200
    assert "before the course started" in error_beside(response, "changes-0-date")
    assert value_of(response, "start_date") == (step.date + DAY).isoformat()
    assert snapshot() == before


def test_ending_the_course_before_an_existing_step_is_refused(owner_client, child, course):
    step = course.changes.get()
    before = snapshot()
    data = course_data(
        start_date=course.start_date,
        end_date=step.date - DAY,
        initial=1,
        changes=[{"id": step.pk, "course": course.pk, "date": step.date, "dose": "1.500"}],
    )
    response = owner_client.post(url("treatment_edit", child, course), data)
    assert response.status_code == 200
    assert "after the course ended" in error_beside(response, "changes-0-date")
    assert snapshot() == before


def test_a_new_step_on_the_day_of_an_existing_one_is_refused_beside_its_date(
    owner_client, child, course
):
    step = course.changes.get()
    before = snapshot()
    data = course_data(
        start_date=course.start_date,
        initial=1,
        changes=[
            {"id": step.pk, "course": course.pk, "date": step.date, "dose": "1.500"},
            {"date": step.date, "dose": "1", "note": "Typed twice"},
        ],
    )
    response = owner_client.post(url("treatment_edit", child, course), data)
    assert response.status_code == 200
    assert "Two dose changes on the same day" in error_beside(response, "changes-1-date")
    assert value_of(response, "changes-1-note") == "Typed twice"
    assert "Please check the dose changes marked below." in text_of(response)
    assert snapshot() == before


def test_a_step_removed_meanwhile_is_explained(owner_client, child, today, course):
    """Another caregiver removed the step while this form was open."""
    step = course.changes.get()
    row = {"id": step.pk, "course": course.pk, "date": step.date, "dose": "1.25"}
    step.delete()
    before = snapshot()
    data = course_data(start_date=course.start_date, initial=1, changes=[row])
    response = owner_client.post(url("treatment_edit", child, course), data)
    assert response.status_code == 200
    assert "This step was removed meanwhile" in text_of(response)
    assert value_of(response, "changes-0-dose") == "1.25"
    assert snapshot() == before


def test_a_forged_step_id_from_another_family_changes_nothing_of_theirs(
    owner_client, child, today, stranger_child
):
    mine = TreatmentCourseFactory(child=child)
    theirs = DoseChangeFactory(course=TreatmentCourseFactory(child=stranger_child))
    their_rows = list(DoseChange.objects.filter(pk=theirs.pk).values())
    data = course_data(
        start_date=mine.start_date,
        version=mine.version,
        initial=1,
        changes=[{"id": theirs.pk, "course": mine.pk, "date": today, "dose": "9"}],
    )
    response = owner_client.post(url("treatment_edit", child, mine), data)
    assert response.status_code in (200, 302)
    assert list(DoseChange.objects.filter(pk=theirs.pk).values()) == their_rows
    assert not DoseChange.objects.filter(course=mine).exists()


def test_a_forged_child_field_is_ignored(owner_client, child, stranger_child, today):
    data = course_data(start_date=today, child=stranger_child.pk)
    owner_client.post(url("treatment_add", child), data)
    assert TreatmentCourse.objects.get().child == child


# --- steps in place, and the taper helper --------------------------------------------------------


def test_the_drug_is_one_tap_among_real_choices(owner_client, child):
    html = html_of(owner_client.get(url("treatment_add", child)))
    assert "---------" not in html
    assert html.count('type="radio" name="drug"') == 10
    assert 'name="drug" value="acth"' in html
    assert 'name="drug" value="other"' in html
    assert not re.search(r'name="drug"[^>]*checked', html)  # none chosen for the parent


def rows_of(response) -> list[tuple[str, str]]:
    values = form_values(response)
    total = int(values["changes-TOTAL_FORMS"][0])
    return [(values[f"changes-{n}-date"][0], values[f"changes-{n}-dose"][0]) for n in range(total)]


@pytest.mark.parametrize("htmx", [False, True], ids=["without JavaScript", "htmx"])
def test_a_step_is_added_in_place_with_everything_typed_kept(owner_client, child, today, htmx):
    typed = course_data(
        dose="",  # not valid yet: the caregiver is still filling the form in
        notes="Dr K's plan",
        changes=[{"date": today, "dose": "1.5"}, {"date": "", "dose": ""}],
        step_action="add",
    )
    headers = {"HX-Request": "true"} if htmx else {}

    response = owner_client.post(url("treatment_add", child), typed, headers=headers)

    assert response.status_code == 200
    assert rows_of(response) == [(today.isoformat(), "1.5"), ("", ""), ("", "")]
    assert "autofocus" in html_of(response)
    assert errors_shown(response) == {}  # nothing judged before Save
    assert not TreatmentCourse.objects.exists()
    if htmx:
        assert is_fragment(response)
        assert html_of(response).lstrip().startswith('<fieldset class="steps-fieldset"')
    else:
        assert value_of(response, "notes") == "Dr K's plan"
        assert value_of(response, "dose") == ""


def test_a_ten_step_acth_taper_takes_one_helper_and_one_save(owner, owner_client, child, today):
    start = today - 10 * DAY
    data = course_data(
        drug="acth",
        dose="150",
        unit="IU/m2",
        route="im",
        start_date=start,
        changes=[{"date": "", "dose": ""}, {"date": "", "dose": ""}],
        step_action="taper",
        **{"taper-start": "150", "taper-step": "15", "taper-every": "7"},
        **{"taper-first": today - 3 * DAY, "taper-last": "0"},
    )

    drafted = owner_client.post(url("treatment_add", child), data, headers={"HX-Request": "true"})

    assert drafted.status_code == 200
    assert is_fragment(drafted)
    steps = [(f"{today + (7 * n - 3) * DAY:%Y-%m-%d}", str(135 - 15 * n)) for n in range(10)]
    assert rows_of(drafted) == steps  # the two empty rows are filled, not kept before them
    assert "10 steps added below: check them, then save." in text_of(drafted)
    assert not TreatmentCourse.objects.exists()

    saved = owner_client.post(
        url("treatment_add", child),
        {**data, **form_flat(drafted)}
        | {
            "step_action": "",
        },
    )

    assert saved.status_code == 302
    course = TreatmentCourse.objects.get(child=child)
    assert [(f"{c.date:%Y-%m-%d}", plain_number(c.dose)) for c in course.changes.all()] == steps


def form_flat(response) -> dict[str, str]:
    return {name: values[0] for name, values in form_values(response).items() if values}


def test_the_last_step_lands_on_the_last_dose(owner_client, child, course, today):
    data = course_data(
        initial=1,
        **{"changes-0-id": course.changes.get().pk, "changes-0-course": course.pk},
        **{"changes-0-date": today - 23 * DAY, "changes-0-dose": "1.5"},
        step_action="taper",
        version=course.version,
        **{"taper-start": "10", "taper-step": "3", "taper-every": "2", "taper-first": today},
        **{"taper-last": "0.5"},
    )
    response = owner_client.post(url("treatment_edit", child, course), data)
    assert rows_of(response) == [
        (f"{today - 23 * DAY:%Y-%m-%d}", "1.5"),  # the saved step stays first
        (f"{today:%Y-%m-%d}", "7"),
        (f"{today + 2 * DAY:%Y-%m-%d}", "4"),
        (f"{today + 4 * DAY:%Y-%m-%d}", "1"),
        (f"{today + 6 * DAY:%Y-%m-%d}", "0.5"),
    ]
    assert course.changes.count() == 1


TAPER = {"taper-start": "10", "taper-step": "1", "taper-every": "7", "taper-last": "0"}


@pytest.mark.parametrize(
    ("taper", "field", "message"),
    [
        ({"taper-last": "10"}, "last", "The last dose must be lower than the dose it starts from."),
        ({"taper-step": "0"}, "step", "greater than or equal to 0.001"),
        ({"taper-every": "x"}, "every", "Enter a whole number."),
        ({"taper-start": "100", "taper-step": "1"}, "step", "That makes 100 steps; 60 more fit"),
        ({"taper-every": "90"}, "every", "steps may be planned up to two years ahead"),
        ({"taper-first": "9999-12-31"}, "first", "Steps may be planned up to"),
    ],
    ids=["not lower", "no step", "not a number", "too many", "too far", "first too far"],
)
def test_a_taper_that_cannot_be_made_says_why_beside_its_field(
    owner_client, child, today, taper, field, message
):
    data = course_data(step_action="taper", **{"taper-first": today.isoformat(), **TAPER, **taper})
    response = owner_client.post(url("treatment_add", child), data)
    assert response.status_code == 200
    assert message in error_beside(response, f"taper-{field}")
    assert rows_of(response) == [("", ""), ("", "")]  # the rows as they were
    assert '<details class="taper" open>' in html_of(response)
    assert not TreatmentCourse.objects.exists()


def test_steps_planned_ahead_draw_within_two_years(owner_client, child, today):
    data = course_data(
        step_action="taper",
        **{**TAPER, "taper-every": "73", "taper-first": today.isoformat()},  # 9 * 73 = 657 days
    )
    response = owner_client.post(url("treatment_add", child), data)
    assert rows_of(response)[-1] == (f"{today + 657 * DAY:%Y-%m-%d}", "0")
