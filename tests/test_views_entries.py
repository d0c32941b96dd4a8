"""The daily entry and the history: pages, htmx fragments, saving, moving, and bad input."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from journal.access import VIEWER_REFUSAL
from journal.models import DailyEntry, Role
from tests.factories import (
    ChildFactory,
    DailyEntryFactory,
    MembershipFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
)
from tests.view_helpers import (
    HTMX,
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
DASH = "\u2013"  # between the first and last day of a history page
FIELDS = (
    "opsoclonus",
    "myoclonus",
    "ataxia",
    "sleep",
    "rage",
    "sleep_hours",
    "night_wakings",
    "rage_episodes",
    "rage_longest_minutes",
    "max_temperature_c",
    "doses",
    "notes",
    "question",
)


def entry_url(child, day: datetime.date) -> str:
    return reverse("entry_form", kwargs={"child_id": child.pk, "day": day})


def history_url(child, until: str | None = None) -> str:
    url = reverse("entry_list", kwargs={"child_id": child.pk})
    return url if until is None else f"{url}?until={until}"


def entry_data(day: datetime.date, **values) -> dict[str, str]:
    """What the entry form posts: every field, empty unless given."""
    data = dict.fromkeys(FIELDS, "")
    data["date"] = day.isoformat()
    data.update({name: str(value) for name, value in values.items()})
    return data


@pytest.fixture
def today(child) -> datetime.date:
    return child.today()


# --- the page and its fragment -----------------------------------------------------------------


def test_the_entry_form_is_a_full_page_without_htmx(owner_client, child, today):
    response = owner_client.get(entry_url(child, today))
    html = html_of(response)
    assert response.status_code == 200
    assert "<html" in html
    assert 'id="entry-form"' in html
    assert "Today" in html
    for label in ("Eyes", "Jerks", "Balance", "Sleep", "Rage"):
        assert f"<legend>{label}</legend>" in html
    assert "A few brief darting spells" in html  # the anchors are on the page
    assert "Not saved yet" in html


def test_the_entry_form_is_a_fragment_with_htmx(owner_client, child, today):
    response = owner_client.get(entry_url(child, today), headers=HTMX)
    html = html_of(response).strip()
    assert response.status_code == 200
    assert is_fragment(response)
    assert html.startswith('<form id="entry-form"')
    assert html.endswith("</form>")
    assert "day-nav" not in html


def test_an_htmx_save_returns_the_form_saying_saved_and_triggers_entry_saved(
    owner, owner_client, child, today
):
    response = owner_client.post(
        entry_url(child, today),
        entry_data(today, opsoclonus=2, sleep_hours="9.5", notes="Tired"),
        headers=HTMX,
    )

    assert response.status_code == 200
    assert is_fragment(response)
    assert 'id="entry-form"' in html_of(response)
    assert "Saved at" in text_of(response)
    assert json.loads(response.headers["HX-Trigger"]) == {"entry-saved": {"day": today.isoformat()}}
    entry = DailyEntry.objects.get(child=child)
    assert (entry.date, entry.opsoclonus, str(entry.sleep_hours), entry.notes) == (
        today,
        2,
        "9.50",
        "Tired",
    )
    assert entry.created_by == owner == entry.updated_by
    # The fragment shows what was saved.
    assert value_of(response, "opsoclonus") == "2"
    assert value_of(response, "notes") == "Tired"


def test_a_plain_save_redirects_to_the_day_and_records_who_wrote_it(
    owner, owner_client, child, today
):
    url = entry_url(child, today)
    response = owner_client.post(url, entry_data(today, rage=1, ataxia=3))

    assert response.status_code == 302
    assert response.url == url
    entry = DailyEntry.objects.get(child=child, date=today)
    assert (entry.rage, entry.ataxia, entry.opsoclonus) == (1, 3, None)  # None: not observed
    assert entry.created_by == owner
    assert entry.updated_by == owner
    page = owner_client.get(url)
    assert "Saved." in text_of(page)
    assert value_of(page, "ataxia") == "3"
    assert value_of(page, "opsoclonus") == ""  # still "not observed", not 0
    assert "HX-Trigger" not in response.headers
    assert "First logged by" not in text_of(page)  # one author: said once, in the save line


def test_opening_a_day_that_has_an_entry_edits_it(
    owner, caregiver, owner_client, caregiver_client, child, today
):
    url = entry_url(child, today)
    owner_client.post(url, entry_data(today, opsoclonus=1, notes="First"))
    opened = value_of(caregiver_client.get(url), "version")  # the form carries what it shows
    caregiver_client.post(url, entry_data(today, opsoclonus=2, notes="Second", version=opened))

    entry = DailyEntry.objects.get(child=child)  # one row, not two
    assert (entry.opsoclonus, entry.notes) == (2, "Second")
    assert entry.created_by == owner
    assert entry.updated_by == caregiver
    page = owner_client.get(url)
    assert value_of(page, "notes") == "Second"
    assert "Last changed by Carl" in text_of(page)
    assert "First logged by Olivia" in text_of(page)


def test_a_form_that_shows_no_problem_says_so_and_one_with_errors_does_not(
    owner_client, child, today
):
    assert value_of(owner_client.get(entry_url(child, today)), "shown") == "clean"
    refused = owner_client.post(
        entry_url(child, today), entry_data(today, sleep_hours="lots"), headers=HTMX
    )
    assert errors_shown(refused)
    assert value_of(refused, "shown") == ""


def test_a_save_from_a_form_that_showed_no_problem_sends_back_only_what_changed(
    owner_client, child, today
):
    """The form on the phone already holds what was saved: the answer is its new version and
    the "Saved" line, swapped in out of band, and nothing else is swapped."""
    response = owner_client.post(
        entry_url(child, today),
        entry_data(today, opsoclonus=2, notes="Tired", version=0, shown="clean"),
        headers=HTMX,
    )
    html = html_of(response)
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert json.loads(response.headers["HX-Trigger"]) == {"entry-saved": {"day": today.isoformat()}}
    assert 'id="entry-form"' not in html
    assert re.search(r'<input [^>]*name="version" value="1" id="id_version" hx-swap-oob', html)
    assert re.search(r'<p [^>]*id="save-state"[^>]*hx-swap-oob="true"', html)
    assert re.search(r"✓ Saved at \d\d:\d\d", text_of(response))
    assert len(response.content) < 500
    entry = DailyEntry.objects.get(child=child)
    assert (entry.opsoclonus, entry.notes, entry.version) == (2, "Tired", 1)


@pytest.mark.parametrize("shown", ["", "clean"])
def test_the_same_day_saved_twice_with_htmx_stays_one_row(owner_client, child, today, shown):
    url = entry_url(child, today)
    version = 0
    for rating in (1, 3):
        data = entry_data(today, sleep=rating, version=version, shown=shown)
        response = owner_client.post(url, data, headers=HTMX)
        assert response.status_code == 200
        version = value_of(response, "version")  # the saved form goes on from the new version
    assert list(DailyEntry.objects.filter(child=child).values_list("sleep", flat=True)) == [3]


def test_moving_an_entry_onto_a_day_that_has_one_is_refused_beside_the_date(
    owner_client, child, today
):
    yesterday = today - DAY
    DailyEntryFactory(child=child, date=yesterday)
    DailyEntryFactory(child=child, date=today, notes="Today")
    before = snapshot()

    response = owner_client.post(
        entry_url(child, today), entry_data(yesterday, notes="Moved", rage=2)
    )

    assert response.status_code == 200
    assert "already an entry for this day" in error_beside(response, "date")
    assert value_of(response, "date") == yesterday.isoformat()  # what was typed is kept
    assert value_of(response, "notes") == "Moved"
    assert value_of(response, "rage") == "2"
    assert snapshot() == before


def test_a_new_entry_for_a_day_that_has_one_is_refused_too(owner_client, child, today):
    """Opening a gap day and typing another, logged, day in the date field."""
    gap = today - 2 * DAY
    DailyEntryFactory(child=child, date=today - DAY)
    before = snapshot()

    response = owner_client.post(
        entry_url(child, gap), entry_data(today - DAY, notes="Oops"), headers=HTMX
    )

    assert response.status_code == 200
    assert is_fragment(response)
    assert "already an entry" in error_beside(response, "date")
    assert "HX-Trigger" not in response.headers
    assert snapshot() == before


def test_moving_an_entry_to_a_free_day_goes_to_that_day(owner_client, child, today):
    DailyEntryFactory(child=child, date=today)
    target = today - 2 * DAY

    response = owner_client.post(entry_url(child, today), entry_data(target, sleep=2, version=1))

    assert response.status_code == 302
    assert response.url == entry_url(child, target)
    assert list(DailyEntry.objects.filter(child=child).values_list("date", flat=True)) == [target]
    assert f"Saved on {target:%A}" in text_of(owner_client.get(response.url))


def test_moving_an_entry_with_htmx_redirects_the_browser(owner_client, child, today):
    DailyEntryFactory(child=child, date=today)
    target = today - 3 * DAY

    data = entry_data(target, version=1, sleep=1)
    response = owner_client.post(entry_url(child, today), data, headers=HTMX)

    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == entry_url(child, target)
    assert DailyEntry.objects.get(child=child).date == target


# --- which day -----------------------------------------------------------------------------------


def test_a_future_day_redirects_to_today_with_a_message(owner_client, child, today):
    response = owner_client.get(entry_url(child, today + DAY), follow=True)
    assert response.redirect_chain == [(entry_url(child, today), 302)]
    assert "That day hasn't happened yet." in text_of(response)
    assert DailyEntry.objects.count() == 0


def test_a_day_before_birth_redirects_to_today_with_a_message(owner_client, child, today):
    response = owner_client.get(entry_url(child, child.birth_date - DAY), follow=True)
    assert response.redirect_chain == [(entry_url(child, today), 302)]
    assert "That day is before birth." in text_of(response)


def test_an_impossible_date_in_the_url_is_404(owner_client, child):
    url = entry_url(child, datetime.date(2024, 2, 1)).replace("2024-02-01", "2024-02-30")
    assert owner_client.get(url).status_code == 404


def test_posting_to_a_future_days_url_saves_nothing(owner_client, child, today):
    future = today + DAY
    response = owner_client.post(entry_url(child, future), entry_data(future, rage=1))
    assert response.status_code == 200
    assert "hasn't happened yet" in error_beside(response, "date")
    assert DailyEntry.objects.count() == 0


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_today_is_the_childs_today_in_its_time_zone(owner, owner_client, zone):
    far = ChildFactory(owner=owner, time_zone=zone)

    response = owner_client.get(reverse("entry_today", kwargs={"child_id": far.pk}))

    assert response.status_code == 302
    assert response.url == entry_url(far, far.today())
    # The child's today opens as today (not refused as a future day) and can be logged.
    page = owner_client.get(response.url)
    assert page.status_code == 200
    assert "Today" in text_of(page)
    saved = owner_client.post(response.url, entry_data(far.today(), rage=1))
    assert saved.status_code == 302
    assert DailyEntry.objects.get(child=far).date == far.today()


def test_the_two_far_zones_never_share_a_day(owner):
    """UTC+14 and UTC-11 are 25 hours apart, so the test above always meets a day that isn't
    UTC's in at least one of the two zones."""
    east = ChildFactory(owner=owner, time_zone="Pacific/Kiritimati")
    west = ChildFactory(owner=owner, time_zone="Pacific/Pago_Pago")
    assert east.today() > west.today()


def test_the_day_after_the_childs_today_is_refused_even_if_it_is_today_in_utc(owner, owner_client):
    west = ChildFactory(owner=owner, time_zone="Pacific/Pago_Pago")
    tomorrow_there = west.today() + DAY
    response = owner_client.post(entry_url(west, tomorrow_there), entry_data(tomorrow_there))
    assert "hasn't happened yet where the child lives" in error_beside(response, "date")
    assert DailyEntry.objects.count() == 0


# --- roles ---------------------------------------------------------------------------------------


def test_a_viewer_sees_the_entry_but_cannot_change_it(viewer_client, child, today):
    DailyEntryFactory(child=child, date=today, notes="Calm day")
    url = entry_url(child, today)

    page = viewer_client.get(url)
    assert page.status_code == 200
    assert "your role is viewer" in text_of(page)
    assert '<fieldset class="entry-fields" disabled>' in html_of(page)
    assert "Calm day" in html_of(page)
    assert ">Save</button>" not in html_of(page)

    before = snapshot()
    for headers in ({}, HTMX):
        refused = viewer_client.post(url, entry_data(today, notes="Changed"), headers=headers)
        assert refused.status_code == 403
        assert VIEWER_REFUSAL in text_of(refused)
    assert snapshot() == before


def test_a_caregiver_logs_an_entry(caregiver, caregiver_client, child, today):
    response = caregiver_client.post(entry_url(child, today), entry_data(today, myoclonus=1))
    assert response.status_code == 302
    entry = DailyEntry.objects.get(child=child)
    assert entry.created_by == caregiver == entry.updated_by


def test_a_forged_child_field_is_ignored(owner_client, child, stranger_child, today):
    data = entry_data(today, rage=2) | {"child": str(stranger_child.pk)}
    owner_client.post(entry_url(child, today), data)
    assert DailyEntry.objects.get().child == child
    assert not DailyEntry.objects.filter(child=stranger_child).exists()


# --- bad input -----------------------------------------------------------------------------------

BAD_INPUT = [
    # (id, field, what was typed, part of the message beside the field)
    ("future date", "date", "+1", "hasn't happened yet"),
    ("before birth", "date", "birth-1", "before the child's birth date"),
    ("not a date", "date", "last tuesday", "Enter a valid date"),
    ("no date", "date", "", "This field is required"),
    ("score of 4", "opsoclonus", "4", "Choose 0, 1, 2 or 3"),
    ("score of -1", "rage", "-1", "Choose 0, 1, 2 or 3"),
    ("negative count", "night_wakings", "-1", "greater than or equal to 0"),
    ("too many wakings", "night_wakings", "21", "less than or equal to 20"),
    ("text for wakings", "night_wakings", "two", "Enter a whole number"),
    ("decimal wakings", "rage_episodes", "1.5", "Enter a whole number"),
    ("text for sleep", "sleep_hours", "abc", "Enter hours as a number"),
    ("sleep not in quarter hours", "sleep_hours", "7.1", "Use quarter hours"),
    ("more than a day of sleep", "sleep_hours", "25", "less than or equal to 24"),
    ("negative sleep", "sleep_hours", "-1", "greater than or equal to 0"),
    ("text for temperature", "max_temperature_c", "hot", "temperature as a number"),
    ("temperature too high", "max_temperature_c", "45", "less than or equal to 43"),
    ("unknown doses answer", "doses", "maybe", "Select a valid choice"),
]


def typed(value: str, child, today: datetime.date) -> str:
    if value == "+1":
        return (today + DAY).isoformat()
    if value == "birth-1":
        return (child.birth_date - DAY).isoformat()
    return value


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_bad_input_is_refused_beside_the_field_with_the_input_kept(
    owner_client, child, today, field, value, message, htmx
):
    value = typed(value, child, today)
    data = entry_data(today, ataxia=2, notes="Kept note", question="Kept question")
    data[field] = value
    before = snapshot()

    response = owner_client.post(entry_url(child, today), data, headers=HTMX if htmx else {})

    assert response.status_code == 200
    assert is_fragment(response) == htmx
    assert message in error_beside(response, field)
    assert list(errors_shown(response)) == [field]  # and nowhere else
    assert "Please check the fields marked below." in text_of(response)
    assert "HX-Trigger" not in response.headers
    values = form_values(response)
    if field not in ("opsoclonus", "rage", "doses"):  # a choice not offered can't be shown
        assert values[field] == [value]
    assert values["ataxia"] == ["2"]
    assert values["notes"] == ["Kept note"]
    assert values["question"] == ["Kept question"]
    assert snapshot() == before


def test_bad_input_on_an_existing_entry_changes_nothing(owner_client, child, today):
    DailyEntryFactory(child=child, date=today, notes="Saved before")
    before = snapshot()
    data = entry_data(today, notes="Half typed", sleep_hours="7.1", night_wakings="3")
    response = owner_client.post(entry_url(child, today), data)
    assert "quarter hours" in error_beside(response, "sleep_hours")
    assert value_of(response, "notes") == "Half typed"
    assert value_of(response, "night_wakings") == "3"
    assert snapshot() == before


# --- history -------------------------------------------------------------------------------------


def day_block(response, child, day: datetime.date) -> str:
    """The history's list item for one day."""
    html = html_of(response)
    blocks = re.split(r'(?=<li class="day)', html)
    link = f'href="{entry_url(child, day)}"'
    found = [block for block in blocks if link in block and block.startswith('<li class="day')]
    assert len(found) == 1, f"{day} is listed {len(found)} times"
    return found[0]


def added_days_ago(child, days: int) -> None:
    """The child was added to the app `days` ago: its journal began then."""
    type(child).objects.filter(pk=child.pk).update(created_at=timezone.now() - days * DAY)
    child.refresh_from_db()


@pytest.fixture
def history(child, today):
    """A journal begun 100 days ago: two logged days in the last four weeks, a fever, a course
    started and a taper step."""
    added_days_ago(child, 100)
    DailyEntryFactory(child=child, date=today - DAY, notes="Wobbly after nap")  # score 5
    DailyEntryFactory(
        child=child,
        date=today - 3 * DAY,
        opsoclonus=3,
        myoclonus=3,
        ataxia=3,
        sleep=3,
        rage=3,
        question="Should we raise the dose?",
    )
    TriggerEventFactory(child=child, start_date=today - DAY)  # a fever of 38.9
    TreatmentCourseFactory(child=child, start_date=today - 5 * DAY)


def test_the_history_lists_days_with_scores_gaps_and_events(owner_client, child, today, history):
    response = owner_client.get(history_url(child))
    assert response.status_code == 200
    assert "<html" in html_of(response)
    assert "2 of 28 days logged" in text_of(response)

    yesterday = day_block(response, child, today - DAY)
    assert '<span class="score score-mild">5</span>' in yesterday
    assert "Fever" in yesterday
    assert "38.9 °C" in yesterday
    assert "Wobbly after nap" in yesterday
    assert "Not logged" not in yesterday

    worst = day_block(response, child, today - 3 * DAY)
    assert '<span class="score score-severe">15</span>' in worst
    assert "Should we raise the dose?" in worst

    gap = day_block(response, child, today - 2 * DAY)
    assert "Not logged" in gap
    assert "Fever" not in gap
    assert text_of(response).count("Not logged") == 26

    started = day_block(response, child, today - 5 * DAY)
    assert "Started Prednisolone, 2 mg/kg" in started

    # Newest first, and no day after today.
    html = html_of(response)
    assert html.index(entry_url(child, today)) < html.index(entry_url(child, today - DAY))
    assert entry_url(child, today + DAY) not in html


def test_the_history_is_a_fragment_with_htmx(owner_client, child, history):
    response = owner_client.get(history_url(child), headers=HTMX)
    html = html_of(response).strip()
    assert response.status_code == 200
    assert is_fragment(response)
    assert html.startswith('<section id="history"')
    assert "Not logged" in html
    assert "Colour key" not in html


def test_until_pages_back_through_the_history(owner_client, child, today, history):
    old = today - 45 * DAY
    DailyEntryFactory(child=child, date=old, notes="An old day")
    until = today - 40 * DAY

    response = owner_client.get(history_url(child, until.isoformat()))

    assert response.status_code == 200
    first = until - 27 * DAY
    assert f"{first.day} {first:%b %Y} {DASH} {until.day} {until:%b %Y}" in text_of(response)
    assert "An old day" in day_block(response, child, old)
    assert entry_url(child, today - DAY) not in html_of(response)  # a newer day
    newer = (until + 28 * DAY).isoformat()
    older = (first - DAY).isoformat()
    assert f'href="?until={newer}"' in html_of(response)
    assert f'href="?until={older}"' in html_of(response)


def test_the_latest_page_has_no_newer_link(owner_client, child, history):
    response = owner_client.get(history_url(child))
    assert "Newer" not in text_of(response)
    assert "Older" in text_of(response)


@pytest.mark.parametrize(
    "until",
    ["garbage", "2024-13-45", "2024-02-30", "", "9999-12-31", "0001-01-01", "%00", "x" * 5000],
)
def test_a_bad_until_shows_a_page_not_an_error(owner_client, child, today, history, until):
    response = owner_client.get(history_url(child, until))
    assert response.status_code == 200
    last = "day" if until.startswith("0001") else None
    if last is None:
        # Whatever the value, the page ends on a real day no later than today.
        assert f"{DASH} {today.day} {today:%b %Y}" in text_of(response)
    else:
        # Before the journal began: the page starts on its first day, with nothing older.
        began = timezone.localtime(child.created_at, child.zone).date()
        assert f"{began.day} {began:%b %Y} {DASH}" in text_of(response)
        assert "Older" not in text_of(response)


def test_a_young_childs_history_starts_at_birth(owner, owner_client):
    baby = ChildFactory(owner=owner, time_zone="UTC", diagnosis_date=None)
    baby.birth_date = baby.today() - 3 * DAY
    baby.save()
    DailyEntryFactory(child=baby, date=baby.birth_date)
    response = owner_client.get(history_url(baby))
    assert response.status_code == 200
    assert "1 of 4 days logged" in text_of(response)
    assert "Older" not in text_of(response)


def test_a_new_journal_lists_no_day_before_it_began(owner_client, child, today):
    response = owner_client.get(history_url(child))
    assert "0 of 1 days logged" in text_of(response)
    assert text_of(response).count("Not logged") == 1  # today, not 27 days before the journal
    assert "Older" not in text_of(response)
    assert f"Mia's journal began on {today.day} {today:%b %Y}." in text_of(response)
    assert "Import it" in text_of(response)

    added_days_ago(child, 10)
    assert "0 of 11 days logged" in text_of(owner_client.get(history_url(child)))


@pytest.mark.parametrize(
    "logged_before",
    [
        lambda child, day: DailyEntryFactory(child=child, date=day),
        lambda child, day: TriggerEventFactory(child=child, start_date=day),
        lambda child, day: TreatmentCourseFactory(child=child, start_date=day),
    ],
    ids=["an entry", "a trigger", "a treatment"],
)
def test_days_logged_before_the_journal_was_added_are_listed(
    owner_client, child, today, logged_before
):
    logged_before(child, today - 40 * DAY)  # from a paper diary, say
    first_page = owner_client.get(history_url(child))
    assert "Older" in text_of(first_page)
    older = owner_client.get(history_url(child, (today - 28 * DAY).isoformat()))
    assert entry_url(child, today - 40 * DAY) in html_of(older)
    assert entry_url(child, today - 41 * DAY) not in html_of(older)
    assert "Older" not in text_of(older)


def test_a_viewer_reads_the_history(client_for, child, history):
    viewer = MembershipFactory(child=child, role=Role.VIEWER).user
    response = client_for(viewer).get(history_url(child))
    assert response.status_code == 200
    assert "Fever" in text_of(response)


# --- an empty save -----------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
def test_an_empty_save_says_what_is_missing_and_stores_nothing(owner_client, child, today, htmx):
    headers = HTMX if htmx else {}
    response = owner_client.post(entry_url(child, today), entry_data(today), headers=headers)
    assert response.status_code == 200
    assert "Nothing to save yet: rate at least one of Eyes" in text_of(response)
    assert "Saved" not in text_of(response)
    assert not DailyEntry.objects.filter(child=child).exists()


def test_emptying_a_logged_day_is_refused_and_the_day_kept(owner_client, child, today):
    entry = DailyEntryFactory(child=child, date=today, opsoclonus=2)
    response = owner_client.post(entry_url(child, today), entry_data(today, version=entry.version))
    assert "An empty day is not a logged day." in text_of(response)
    entry.refresh_from_db()
    assert entry.opsoclonus == 2


@pytest.mark.parametrize("only", [{"rage": 0}, {"notes": "Calm day"}, {"doses": "yes"}])
def test_one_thing_in_a_day_is_enough_to_log_it(owner_client, child, today, only):
    owner_client.post(entry_url(child, today), entry_data(today, **only))
    assert DailyEntry.objects.filter(child=child, date=today).exists()


def test_the_service_refuses_an_empty_day_whatever_the_door(owner, child, today):
    from django.core.exceptions import ValidationError

    from journal import services

    with pytest.raises(ValidationError, match="An empty day is not a logged day"):
        services.entry_save(entry=DailyEntry(child=child, date=today), user=owner)
    assert not DailyEntry.objects.exists()
