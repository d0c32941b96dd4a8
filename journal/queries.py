"""Reads of a child's journal that more than one door needs: the pages and the API.

Writes are in services.py; these are the reads beside them, so that a page and the API read a day
the same way and neither keeps a copy. Each function takes a child already reached through
access.py (the caregiver's own), and reads only that child's rows.
"""

import copy
import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery

from journal.models import (
    Child,
    DailyEntry,
    DoseChange,
    ItemRating,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
    plain_number,
)
from journal.rows import Joined, RowReader
from journal.scales import CORE_FIELDS

ONE_DAY = datetime.timedelta(days=1)

# The day's entry with who logged and who last changed it: every save reads it, so it is SQL
# written once (journal/rows.py), the same as select_related("created_by", "updated_by").
DAY_ENTRY = RowReader(
    "FROM {entry} LEFT JOIN {created_by} ON cu.id = e.created_by_id "
    "LEFT JOIN {updated_by} ON uu.id = e.updated_by_id WHERE e.child_id = %s AND e.date = %s",
    entry=Joined(DailyEntry, "e"),
    created_by=Joined(get_user_model(), "cu"),
    updated_by=Joined(get_user_model(), "uu"),
)


def day_entry(child, day: datetime.date) -> DailyEntry | None:
    """The child's entry of `day`, with who logged and who last changed it; None if none."""
    found = DAY_ENTRY.first([child.pk, connection.ops.adapt_datefield_value(day)])
    if found is None:
        return None
    entry = found["entry"]
    entry.child = child  # already read with the membership: validating the day needs no query
    for name in ("created_by", "updated_by"):
        DailyEntry._meta.get_field(name).set_cached_value(entry, found[name])
    return entry


def core_ratings(child, day: datetime.date) -> dict[str, int]:
    """The core items rated on `day`, by field name; empty when the day is not logged."""
    entry = day_entry(child, day)
    if entry is None:
        return {}
    return {name: value for name, value in entry.ratings.items() if value is not None}


TRACKED_ITEMS = RowReader(
    "FROM {item} WHERE i.child_id = %s ORDER BY i.created_at, i.id",
    item=Joined(TrackedItem, "i"),
)


def fever_logged_on(child, day: datetime.date) -> bool:
    """Whether a fever event of the child covers the day."""
    return TriggerEvent.objects.for_child(child).fevers_on(day).exists()


def tracked_items(child) -> list[TrackedItem]:
    """Every extra item of the child, tracked now or retired, oldest first."""
    return [row["item"] for row in TRACKED_ITEMS.all([child.pk])]


@dataclass(frozen=True)
class StoredDay:
    """A day as read before its form was bound: its entry (None: not logged yet), a copy the
    form does not change, and its extra items' ratings. A save takes it as the "before" of its
    change history instead of reading the day again, and writes only if the day is still at
    this version (services.entry_save)."""

    entry: DailyEntry | None
    ratings: dict = field(default_factory=dict)  # TrackedItem -> rating

    @property
    def version(self) -> int:
        return self.entry.version if self.entry else 0

    @classmethod
    def read(cls, entry: DailyEntry, items=None) -> "StoredDay":
        """The day as `entry` holds it now (a copy: the form changes its instance as it cleans),
        with its ratings. `items`, the day's extra items (entry_items) if known: none, and
        there is no rating to read."""
        if entry.pk is None:
            return cls(None)
        return cls(copy.copy(entry), day_ratings(entry) if items is None or items else {})


# The day's ratings of extra items, with the items (SQL written once: journal/rows.py).
DAY_RATINGS = RowReader(
    "FROM {rating} JOIN {item} ON i.id = r.item_id WHERE r.entry_id = %s",
    rating=Joined(ItemRating, "r"),
    item=Joined(TrackedItem, "i"),
)


def day_ratings(entry: DailyEntry) -> dict:
    """A logged day's ratings of extra items, by item."""
    return {row["item"]: row["rating"].value for row in DAY_RATINGS.all([entry.pk])}


def entry_items(child, entry: DailyEntry) -> list[TrackedItem]:
    """The extra items to rate on a day: those tracked now, and any retired one the day has a
    rating of.

    Most children have none; the one query that says so is SQL written once (journal/rows.py).
    """
    every = tracked_items(child)
    retired = [item for item in every if not item.active]
    rated = set()
    if retired and entry.pk:
        ratings = ItemRating.objects.filter(entry=entry, item__in=retired)
        rated = set(ratings.values_list("item_id", flat=True))
    return [item for item in every if item.active or item.pk in rated]


# A logged day as the API lists it: its own columns, and who logged and last changed it.
DAY_COLUMNS = (
    "id",
    "date",
    *CORE_FIELDS,
    *DailyEntry.DETAIL_FIELDS,
    *DailyEntry.OTHER_FIELDS,
    "version",
    "created_at",
    "updated_at",
)


def days_between(child, first: datetime.date, last: datetime.date):
    """The child's logged days from `first` to `last`, oldest first, as plain rows: a dict of
    DAY_COLUMNS each, with `created_by` and `updated_by` as usernames. No model is built for a
    row: for a year of days, building 365 entries and their authors cost more than reading them
    (docs/benchmarks.md). Slice it to a page before it is read; `ratings_by_day` gives the
    page's extra items."""
    return (
        DailyEntry.objects.for_child(child)
        .between(first, last)
        .order_by("date")
        .values(
            *DAY_COLUMNS,
            created_by_name=F("created_by__username"),
            updated_by_name=F("updated_by__username"),
        )
    )


def ratings_by_day(entry_ids) -> dict[int, dict[str, int]]:
    """The extra items' ratings of these entries, by entry id and item name: one query."""
    ratings: dict[int, dict[str, int]] = {}
    rows = ItemRating.objects.filter(entry_id__in=entry_ids).order_by("item__name")
    for entry_id, name, value in rows.values_list("entry_id", "item__name", "value"):
        ratings.setdefault(entry_id, {})[name] = value
    return ratings


def same_trigger(form) -> TriggerEvent | None:
    """Another trigger of the child's of the same kind on the same day, if one is logged and
    this (valid) EventForm logs a trigger or moves one there (an edit that leaves both as they
    were is not asked again about a pair the caregiver chose to keep). The same trigger twice
    is most often a double tap or two caregivers logging one fever: the page and the API ask
    before saving it."""
    event = form.instance
    if event.pk and not {"type", "start_date"} & set(form.changed_data):
        return None
    return (
        TriggerEvent.objects.for_child(event.child)
        .filter(type=event.type, start_date=event.start_date)
        .exclude(pk=event.pk)
        .select_related("created_by")
        .first()
    )


def history_days(child, first: datetime.date, last: datetime.date) -> list[dict]:
    """Every day of the range, newest first, with its entry (or a gap), events and treatment
    changes: four queries whatever the length of the history."""
    entries = {e.date: e for e in DailyEntry.objects.for_child(child).between(first, last)}
    events_by_day: dict[datetime.date, list] = {}
    for event in TriggerEvent.objects.for_child(child).filter(start_date__range=(first, last)):
        events_by_day.setdefault(event.start_date, []).append(event)
    notes_by_day: dict[datetime.date, list[str]] = {}
    courses = TreatmentCourse.objects.for_child(child).filter(
        Q(start_date__range=(first, last)) | Q(end_date__range=(first, last))
    )
    for course in courses:
        if first <= course.start_date <= last:
            notes_by_day.setdefault(course.start_date, []).append(
                f"Started {course.drug_name}, {plain_number(course.dose)} {course.unit}"
            )
        if course.end_date and first <= course.end_date <= last:
            notes_by_day.setdefault(course.end_date, []).append(f"Last day of {course.drug_name}")
    changes = DoseChange.objects.filter(course__child=child, date__range=(first, last))
    for change in changes.select_related("course"):
        notes_by_day.setdefault(change.date, []).append(
            f"{change.course.drug_name} now {plain_number(change.dose)} {change.course.unit}"
        )
    days = []
    day = last
    while day >= first:
        days.append(
            {
                "date": day,
                "entry": entries.get(day),
                "events": events_by_day.get(day, []),
                "treatment_notes": notes_by_day.get(day, []),
            }
        )
        day -= ONE_DAY
    return days


def journal_began(child) -> datetime.date:
    """The journal's first day: the day the child was added, or the first day logged before
    it (an entry, a trigger or a treatment's start, as a paper diary brings in). One query."""

    def first(model, field: str) -> Subquery:
        rows = model.objects.filter(child=OuterRef("pk")).order_by(field).values(field)
        return Subquery(rows[:1])

    firsts = (
        Child.objects.filter(pk=child.pk)
        .values_list(
            first(DailyEntry, "date"),
            first(TriggerEvent, "start_date"),
            first(TreatmentCourse, "start_date"),
        )
        .get()
    )
    added = child.created_at.astimezone(child.zone).date()
    return max(min([added, *(day for day in firsts if day)]), child.birth_date)
