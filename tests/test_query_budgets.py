"""Each page of logging a day makes a known number of SQL queries, the same for 1 month and 5 years.

The trends' pages (dashboard, trends, chart, table) are held to theirs in test_views_trends.py;
here: today's form, a logged day's form, saving a day through htmx (new and edited), the
history, and the API's reading of a year of days and its PUT of a day. `make bench` counts the
same pages on its large data set (docs/benchmarks.md).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from journal.models import DailyEntry, DoseChange, ItemRating, TriggerEvent
from tests.api_helpers import TokenClient, token_for
from tests.factories import ChildFactory, TrackedItemFactory, TreatmentCourseFactory, years_ago
from tests.view_helpers import value_of

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
MONTH, FIVE_YEARS = 30, 5 * 365 + 1

# Session, user, membership (with the child and its rule); then each page's own reads. Each
# count is exact, the same on SQLite and PostgreSQL: a page that reads less must say so here.
QUERIES = {
    "form, today": 6,  # the day's entry, the extra items, the day before (Same as yesterday)
    "form, a logged day": 6,  # and the day's ratings of the extra items
    "history": 8,  # the journal's first day; the 4 weeks' entries, events, courses, dose changes
    # The form's reads (the day, the extra items, a logged day's ratings of them: the change
    # history's "before"), then the transaction: the data version raised (its UPDATE locks the
    # child's row: saves of one child take turns), the day written (a logged day only if still
    # at the version the form read), the extra item's rating, the change record. Counted as
    # tests see them: the save's transaction, inside the test's, is a pair of SAVEPOINT queries.
    "save, today": 11,
    "save, a logged day": 12,
    # The API, with a token: the token and its last use, the rate count (read, counted, then
    # written in the database cache, in a savepoint), the membership; then the page's count,
    # its days with their authors and their extra items' ratings.
    "api, a year of days": 12,
    # The token, its last use, the rate count, the membership; the day, its items and its
    # ratings (the change history's "before"), then the save as the page's, and the answer's
    # ratings.
    "api, PUT a day": 19,
    # As the trigger page's: the token, its last use, the rate count (in a savepoint), the
    # membership; the key looked up; the form's check constraint; the same trigger that day
    # (the page's question); then, in savepoints, the key written, the service's full_clean
    # (the child and both authors looked up, the check constraint again), the trigger, its
    # change record, the data version, the key named with the trigger, and the keys older than
    # a year forgotten (services.prune_deliveries).
    "api, POST a trigger": 32,
    # The same without the key, and the trigger read by its id, claimed at its version (an
    # UPDATE) and read back.
    "api, PUT a trigger": 27,
}


def give_history(child, days: int) -> None:
    """`days` of daily entries ending yesterday (today is left to log), an extra item rated on
    each, a fever every 40 days, and a prednisolone taper lowered every 90 days."""
    owner = child.memberships.get().user
    item = TrackedItemFactory(child=child, name="Speech")
    last = child.today() - DAY
    entries = DailyEntry.objects.bulk_create(
        DailyEntry(
            child=child,
            date=last - n * DAY,
            opsoclonus=n % 4,
            myoclonus=(n // 3) % 4,
            ataxia=1,
            sleep=n % 2,
            rage=(n // 7) % 4,
            sleep_hours=Decimal("10.25"),
            notes="A note." if n % 10 == 0 else "",
            created_by=owner,
            updated_by=owner,
        )
        for n in range(days)
    )
    ItemRating.objects.bulk_create(
        ItemRating(entry=entry, item=item, value=n % 4) for n, entry in enumerate(entries)
    )
    TriggerEvent.objects.bulk_create(
        TriggerEvent(
            child=child,
            type=TriggerEvent.Type.FEVER,
            start_date=last - n * DAY,
            temperature_c=Decimal("38.5"),
            created_by=owner,
            updated_by=owner,
        )
        for n in range(0, days, 40)
    )
    course = TreatmentCourseFactory(child=child, start_date=last - (days - 1) * DAY)
    DoseChange.objects.bulk_create(
        DoseChange(course=course, date=course.start_date + n * DAY, dose=Decimal("1.5"))
        for n in range(90, days, 90)
    )


def form_url(child, day: datetime.date) -> str:
    return reverse("entry_form", args=[child.pk, day])


def save(client, child, day: datetime.date):
    """Save the day as a caregiver's browser does with htmx: the form it shows, filled in."""
    url = form_url(child, day)
    shown = client.get(url)
    item = child.tracked_items.get()
    form = {
        "version": value_of(shown, "version"),
        "shown": value_of(shown, "shown"),  # "clean": the answer is the "Saved at" line
        "date": day.isoformat(),
        "opsoclonus": "1",
        "myoclonus": "0",
        "ataxia": "2",
        "sleep": "1",
        "rage": "",
        "sleep_hours": "9.75",
        "night_wakings": "2",
        "notes": "A calm day.",
        f"item_{item.pk}": "1",
    }
    return lambda: client.post(url, form, headers={"HX-Request": "true"})


def api_request(page: str, child):
    """The API's request, with a new token of the owner's (its first use is written)."""
    api = TokenClient(token_for(child.memberships.get().user))
    today = child.today()
    if page == "api, a year of days":
        first = (today - 364 * DAY).isoformat()
        url = f"/api/v1/children/{child.pk}/days"
        return lambda: api.get(url, {"from": first, "to": today.isoformat(), "page_size": 400})
    stress = {"type": "stress", "start_date": (today - DAY).isoformat(), "notes": "Moved house"}
    events = f"/api/v1/children/{child.pk}/events"
    if page == "api, POST a trigger":
        return lambda: api.post(
            events,
            stress,
            content_type="application/json",
            headers={"Idempotency-Key": f"trigger-{child.pk}"},
        )
    if page == "api, PUT a trigger":
        event = TriggerEvent.objects.for_child(child).first()
        body = {**stress, "start_date": event.start_date.isoformat()}
        return lambda: api.put_json(f"{events}/{event.pk}", body, If_Match=f'"{event.version}"')
    stored = DailyEntry.objects.get(child=child, date=today - DAY)
    body = {"opsoclonus": 2, "sleep_hours": 9.75, "notes": "Logged through the API."}
    url = f"/api/v1/children/{child.pk}/days/{stored.date.isoformat()}"
    return lambda: api.put_json(url, body, If_Match=f'"{stored.version}"')


def request_for(page: str, client, child):
    """A function that makes the page's request (anything it needs first is done now)."""
    if page.startswith("api"):
        return api_request(page, child)
    today, yesterday = child.today(), child.today() - DAY
    if page.startswith("save"):
        # Prepared only for the save asked for: preparing opens the day's form, which would put
        # that page in the cache before the form's own count.
        return save(client, child, today if page == "save, today" else yesterday)
    return {
        "form, today": lambda: client.get(form_url(child, today)),
        "form, a logged day": lambda: client.get(form_url(child, yesterday)),
        "history": lambda: client.get(reverse("entry_list", args=[child.pk])),
    }[page]


@pytest.mark.parametrize("page", QUERIES)
def test_queries_do_not_grow_with_history(
    owner, owner_client, child, page, django_assert_num_queries
):
    long_child = ChildFactory(owner=owner, birth_date=years_ago(7))
    give_history(child, MONTH)
    give_history(long_child, FIVE_YEARS)
    counts = []
    for journal in (child, long_child):
        send = request_for(page, owner_client, journal)
        with (
            CaptureQueriesContext(connection) as queries,
            django_assert_num_queries(QUERIES[page]),
        ):
            response = send()
        assert response.status_code == (201 if "POST" in page else 200), response.content[:500]
        if page == "api, a year of days":
            # The history ends yesterday: the year's 365 days hold 364 logged ones.
            assert len(response.json()["results"]) == min(364, journal.entries.count())
        if page.startswith("save"):
            assert "Saved at" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1], (
        f"{page}: {counts[0]} queries for a month, {counts[1]} for 5 years"
    )


def test_a_save_reaches_the_database_with_the_history_long(owner, owner_client):
    """The counted save is a real one: the day holds what was sent, at its next version."""
    long_child = ChildFactory(owner=owner, birth_date=years_ago(7))
    give_history(long_child, FIVE_YEARS)
    yesterday = long_child.today() - DAY
    before = DailyEntry.objects.get(child=long_child, date=yesterday)
    assert request_for("save, a logged day", owner_client, long_child)().status_code == 200
    after = DailyEntry.objects.get(child=long_child, date=yesterday)
    assert (after.version, after.notes, after.rage) == (before.version + 1, "A calm day.", None)
    assert after.item_ratings.get().value == 1
