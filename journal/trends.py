"""A child's journal as the plain data of analysis.py and charts.py, read once and cached.

Everything here is cached under a key holding the child's `data_version`, which every write to
the journal raises (services.py): a saved entry, event, treatment or rule makes new keys, so a
cached result is never stale and nothing has to be invalidated by hand.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from journal import analysis
from journal.analysis import Course, Day, Trigger
from journal.models import Child, DailyEntry, ItemRating, TrackedItem, TreatmentCourse, TriggerEvent
from journal.scales import CORE_FIELDS, CORE_ITEMS

# Raise when analysis or drawing changes, so that results cached by the old code are not served.
CACHE_GENERATION = 1
CACHE_SECONDS = 60 * 60 * 24 * 7


def cache_key(child: Child, *parts: object) -> str:
    """A key that changes with the child's journal. The child's creation time is part of it, so
    that a child given the id of a deleted one can never be shown the deleted one's charts."""
    born = int(child.created_at.timestamp() * 1_000_000)
    header = ("trends", CACHE_GENERATION, child.pk, born, child.data_version)
    return ":".join(str(part) for part in (*header, *parts))


def etag_for(key: str) -> str:
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def cached(key: str, compute):
    """The value cached under `key`, computed and stored on a miss."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


@dataclass(frozen=True)
class History:
    """All of a child's journal that the analysis and the charts read, as plain data."""

    days: tuple[Day, ...]
    triggers: tuple[Trigger, ...]  # trigger events, dose reductions and stops, by date
    courses: tuple[Course, ...]
    items: tuple[tuple[str, str], ...]  # (key, label): the core five, then the extra items

    @property
    def first_day(self) -> datetime.date | None:
        dates = [day.date for day in self.days] + [t.date for t in self.triggers]
        return min(dates, default=None)


def item_key(item_id: int) -> str:
    """The ratings key of an extra item: never the name of a core item."""
    return f"item-{item_id}"


def _days(child: Child) -> tuple[Day, ...]:
    extra: dict[datetime.date, dict[str, int]] = {}
    ratings = ItemRating.objects.filter(entry__child=child).values_list(
        "entry__date", "item_id", "value"
    )
    for date, item_id, value in ratings:
        extra.setdefault(date, {})[item_key(item_id)] = value
    rows = DailyEntry.objects.for_child(child).order_by("date")
    days = []
    for row in rows.values("date", *CORE_FIELDS, *DailyEntry.DETAIL_FIELDS):
        details = {name: _plain(row[name]) for name in DailyEntry.DETAIL_FIELDS}
        core = {name: row[name] for name in CORE_FIELDS}
        days.append(Day(row["date"], {**core, **extra.get(row["date"], {})}, details))
    return tuple(days)


def _plain(value) -> float | None:
    return None if value is None else float(value)


def _event_trigger(event: TriggerEvent) -> Trigger:
    label = event.get_type_display()
    if event.detail:
        label = f"{label}: {event.detail}"
    return Trigger(event.start_date, event.type, label, event.end_date)


def _course(course: TreatmentCourse) -> Course:
    doses = [(course.start_date, float(course.dose))] if course.dose is not None else []
    doses += [(change.date, float(change.dose)) for change in course.changes.all()]
    return Course(
        name=course.drug_name,
        start=course.start_date,
        end=course.end_date,
        doses=tuple(sorted(doses)),
        unit=course.get_unit_display() if course.dose is not None else "",
        purpose=course.purpose,
        regimen=course.regimen,
    )


def load_history(child: Child) -> History:
    """Read the child's journal: four queries, whatever its length."""
    events = [_event_trigger(event) for event in TriggerEvent.objects.for_child(child)]
    courses = tuple(
        _course(course)
        for course in TreatmentCourse.objects.for_child(child)
        .prefetch_related("changes")
        .order_by("start_date", "pk")
    )
    triggers = analysis.with_treatment_triggers(events, analysis.treatment_triggers(courses))
    items = tuple((item.field, item.label) for item in CORE_ITEMS) + tuple(
        (item_key(item.pk), item.name) for item in TrackedItem.objects.for_child(child)
    )
    return History(_days(child), tuple(triggers), courses, items)


def history_for(child: Child) -> History:
    return cached(cache_key(child, "history"), lambda: load_history(child))


@dataclass(frozen=True)
class Overview:
    """What the dashboard says: where the child stands, and the possible relapses."""

    today: datetime.date
    status: analysis.Status
    episodes: tuple[analysis.Episode, ...]
    recent: analysis.PeriodMeans
    before: analysis.PeriodMeans
    rule: analysis.RelapseRule


def compute_overview(child: Child, history: History, today: datetime.date) -> Overview:
    rule = child.relapse_rule()
    recent, before = analysis.recent_against_before(history.days, today)
    return Overview(
        today=today,
        status=analysis.status(history.days, today, rule),
        episodes=tuple(analysis.episodes(history.days, history.triggers, rule)),
        recent=recent,
        before=before,
        rule=rule,
    )


def overview_for(child: Child, today: datetime.date) -> Overview:
    key = cache_key(child, "overview", today.isoformat())
    return cached(key, lambda: compute_overview(child, history_for(child), today))
