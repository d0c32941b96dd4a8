"""A child's journal as the plain data of analysis.py and charts.py, read once and cached; the
periods the range picker offers, the charts of a period, and the numbers behind each chart.

Everything here is cached under a key holding the child's `data_version`, which every write to
the journal raises (services.py): a saved entry, event, treatment or rule makes new keys, so a
cached result is never stale and nothing has to be invalidated by hand.
"""

import datetime
import gzip
import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from journal import analysis, charts
from journal.analysis import ONE_DAY, Course, Day, Trigger
from journal.models import Child, DailyEntry, ItemRating, TrackedItem, TreatmentCourse, TriggerEvent
from journal.scales import CORE_FIELDS, CORE_ITEMS

# Raise when analysis or drawing changes, so that results cached by the old code are not served.
CACHE_GENERATION = 3
CACHE_SECONDS = 60 * 60 * 24 * 7


def cache_key(child: Child, *parts: object) -> str:
    """A key that changes with the child's journal. The child's creation time is part of it, so
    that a child given the id of a deleted one can never be shown the deleted one's charts; the
    active language is, so that a page, chart or PDF drawn in one language is never served in
    another (the history's item names and every word drawn are in it)."""
    born = int(child.created_at.timestamp() * 1_000_000)
    language = translation.get_language() or settings.LANGUAGE_CODE
    header = ("trends", CACHE_GENERATION, child.pk, born, child.data_version, language)
    return ":".join(str(part) for part in (*header, *parts))


def etag_for(key: str) -> str:
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def cached(key: str, compute, seconds: int = CACHE_SECONDS):
    """The value cached under `key`, computed and stored on a miss."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
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
    days = _days(child)
    events = [_event_trigger(event) for event in TriggerEvent.objects.for_child(child)]
    events += analysis.entry_fevers(days, events)
    courses = tuple(
        _course(course)
        for course in TreatmentCourse.objects.for_child(child)
        .prefetch_related("changes")
        .order_by("start_date", "pk")
    )
    triggers = analysis.with_treatment_triggers(events, analysis.treatment_triggers(courses))
    items = tuple((item.field, item.label) for item in CORE_ITEMS) + tuple(
        (item_key(item.pk), item.label) for item in TrackedItem.objects.for_child(child)
    )
    return History(days, tuple(triggers), courses, items)


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
    status, episodes = analysis.status_and_episodes(history.days, today, history.triggers, rule)
    return Overview(
        today=today,
        status=status,
        episodes=tuple(episodes),
        recent=recent,
        before=before,
        rule=rule,
    )


def overview_for(child: Child, today: datetime.date) -> Overview:
    key = cache_key(child, "overview", today.isoformat())
    return cached(key, lambda: compute_overview(child, history_for(child), today))


# --- Periods and charts -----------------------------------------------------------------------

PRESETS = {  # key: (label, days shown; None for the whole journal)
    "4w": (_("4 weeks"), 28),
    "3m": (_("3 months"), 91),
    "6m": (_("6 months"), 182),
    "1y": (_("1 year"), 365),
    # Translators: the whole journal, in the range picker of the charts.
    "all": (pgettext_lazy("period", "All"), None),
}
DEFAULT_RANGE = "3m"
CUSTOM = "custom"
# The longest period a page, a table, a summary or a share link shows: ten years, leap days
# included. A chart or table of a century took half a minute; ten years take a second or two.
MAX_PERIOD_DAYS = 3653
MAX_PERIOD_WORDS = _("ten years")


def bounded(first: datetime.date, last: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period from first to last, its start moved up to keep it within MAX_PERIOD_DAYS."""
    return max(first, analysis.shifted(last, 1 - MAX_PERIOD_DAYS)), last


@dataclass(frozen=True)
class Period:
    key: str  # a preset's key, or "custom"
    first: datetime.date
    last: datetime.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def query(self) -> str:
        if self.key == CUSTOM:
            return urlencode({"range": CUSTOM, "start": self.first, "end": self.last})
        return urlencode({"range": self.key})

    @property
    def label(self) -> str:
        return "" if self.key == CUSTOM else PRESETS[self.key][0]

    @classmethod
    def preset(cls, key: str, today: datetime.date, history: History) -> "Period":
        """A preset period ending today; "all" from the journal's first day."""
        length = PRESETS[key][1]
        if length is None:
            return cls(key, *bounded(min(history.first_day or today, today), today))
        return cls(key, today - (length - 1) * ONE_DAY, today)


def _in_period(history: History, period: Period) -> dict:
    """What the score chart of a period draws, but the episodes: its days (and the week before,
    for the 7-day mean), its triggers and its courses."""
    lead_in = analysis.shifted(period.first, -analysis.MEAN_DAYS)
    return {
        "days": [day for day in history.days if lead_in <= day.date <= period.last],
        "triggers": [
            t for t in history.triggers if t.date <= period.last and t.last_date >= period.first
        ],
        "courses": [
            course
            for course in history.courses
            if course.start <= period.last and (course.end is None or course.end >= period.first)
        ],
        "first": period.first,
        "last": period.last,
    }


def _episodes_in(overview: Overview, period: Period) -> list[analysis.Episode]:
    return [e for e in overview.episodes if e.overlaps(period.first, period.last)]


@dataclass(frozen=True)
class ChartKind:
    title: str
    draw: object  # (**chart arguments) -> SVG bytes
    describe: object  # (**chart arguments) -> the chart in words


KINDS = {
    "score": ChartKind(_("Daily score"), charts.score_chart, charts.score_summary),
    "items": ChartKind(_("Each item, day by day"), charts.heatmap_chart, charts.heatmap_summary),
    "sleep": ChartKind(_("Sleep"), charts.sleep_chart, charts.sleep_summary),
    "rage": ChartKind(_("Rage"), charts.rage_chart, charts.rage_summary),
}


def chart_arguments(kind: str, history: History, overview: Overview, period: Period) -> dict:
    data = _in_period(history, period)
    if kind == "score":
        return {**data, "episodes": _episodes_in(overview, period)}
    data = {"days": data["days"], "first": period.first, "last": period.last}
    if kind == "items":
        return {**data, "items": history.items}
    return data


@dataclass(frozen=True)
class Trends:
    """Everything the trends page shows for a period, from the cached history and overview."""

    period: Period
    overview: Overview
    charts: list[dict]
    episodes: list[analysis.Episode]
    trigger_records: list[analysis.TriggerRecord]
    logged: int

    @property
    def few_triggers(self) -> bool:
        return any(record.too_few for record in self.trigger_records)


def trends_for(child: Child, period: Period) -> Trends:
    key = cache_key(child, "page", period.key, period.first, period.last)
    return cached(key, lambda: _compute_trends(child, period))


def _compute_trends(child: Child, period: Period) -> Trends:
    history = history_for(child)
    overview = overview_for(child, period.last)
    shown = [chart_card(child, kind, period, history, overview) for kind in KINDS]
    episodes = _episodes_in(overview, period)
    records = analysis.trigger_record(
        history.triggers, overview.episodes, period.first, period.last, overview.rule
    )
    logged = sum(
        1
        for day in history.days
        if period.first <= day.date <= period.last and day.score is not None
    )
    return Trends(period, overview, shown, episodes, records, logged)


def chart_card(
    child: Child, kind: str, period: Period, history: History, overview: Overview
) -> dict:
    """What a page shows of a chart: its title, its size and the chart in words."""
    # Drawn now, as the browser will ask for it next: the page then knows its size.
    width, height = svg_size(chart_svg(child, kind, period))
    chart = KINDS[kind]
    summary = chart.describe(**chart_arguments(kind, history, overview, period))
    return {
        "kind": kind,
        "title": chart.title,
        "summary": summary,
        "width": width,
        "height": height,
    }


def dashboard_chart(child: Child, today: datetime.date) -> dict:
    """The daily-score chart of the dashboard, over the default period."""
    period = Period.preset(DEFAULT_RANGE, today, EMPTY_HISTORY)

    def card() -> dict:
        history, overview = history_for(child), overview_for(child, today)
        return {**chart_card(child, "score", period, history, overview), "query": period.query}

    return cached(cache_key(child, "dashboard-chart", today), card)


EMPTY_HISTORY = History((), (), (), ())


def chart_key(child: Child, kind: str, period: Period) -> str:
    return cache_key(child, "chart", kind, period.first, period.last)


def chart_svg_gzip(child: Child, kind: str, period: Period) -> bytes:
    """The chart as gzip-compressed SVG, drawn and compressed once for the child's journal as
    it is: browsers take it so, and compressing a year's 60 KB on every request cost more than
    the rest of serving it from the cache."""
    return cached(
        chart_key(child, kind, period),
        lambda: gzip.compress(_draw(child, kind, period), compresslevel=9, mtime=0),
    )


def chart_svg(child: Child, kind: str, period: Period) -> bytes:
    """The chart as SVG."""
    return gzip.decompress(chart_svg_gzip(child, kind, period))


SVG_SIZE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"')


def svg_size(svg: bytes) -> tuple[int, int]:
    """The chart's size in CSS pixels (matplotlib writes points), for <img width height>."""
    width, height = (float(value) * 96 / 72 for value in SVG_SIZE.search(svg).groups())
    return round(width), round(height)


def _draw(child: Child, kind: str, period: Period) -> bytes:
    history = history_for(child)
    overview = overview_for(child, period.last)
    return KINDS[kind].draw(**chart_arguments(kind, history, overview, period))


# --- The numbers behind a chart ---------------------------------------------------------------


def _shown(value: float | None, places: int = 0) -> str:
    if value is None:
        return "\N{EN DASH}"  # as the entry form shows "not observed"
    return f"{value:.{places}f}" if places else f"{value:g}"


TABLE_DETAILS = {  # the details a chart draws, with their column headings
    "sleep": (("sleep_hours", _("Hours slept")), ("night_wakings", _("Night wakings"))),
    "rage": (
        ("rage_episodes", _("Rage episodes")),
        ("rage_longest_minutes", _("Longest (minutes)")),
    ),
}
TABLE_NOTES = {
    "score": _(
        "The daily score is the sum of the five core items, from 0 to 15. A possible "
        "relapse is a prompt to talk to the doctor, not a diagnosis."
    ),
    "items": _("Each item from 0 (none) to 3 (most)."),
}


def table_columns(kind: str, history: History) -> list[str]:
    if kind == "score":
        return [_("Score"), _("7-day mean"), _("Possible relapse"), _("Triggers")]
    if kind == "items":
        return [label for _, label in history.items]
    return [heading for _, heading in TABLE_DETAILS[kind]]


def table_rows(kind: str, history: History, overview: Overview, period: Period) -> list[dict]:
    """One row a day of the period, newest first, with the numbers the chart draws for it."""
    by_date = {day.date: day for day in history.days}
    cells_of = _cells_reader(kind, history, overview, period)
    dates = (period.last - offset * ONE_DAY for offset in range(period.days))
    return [
        {"date": date, "logged": date in by_date, "cells": cells_of(date, by_date.get(date))}
        for date in dates
    ]


def _cells_reader(kind: str, history: History, overview: Overview, period: Period):
    """(date, day or None) -> the table's cells for that day, for this kind of chart."""
    if kind == "score":
        return _score_cells(history, overview, period)
    if kind == "items":
        keys = [key for key, _ in history.items]
        return lambda date, day: [_shown(day.ratings.get(key) if day else None) for key in keys]
    names = [name for name, _ in TABLE_DETAILS[kind]]
    return lambda date, day: [_shown(day.details.get(name) if day else None) for name in names]


def _score_cells(history: History, overview: Overview, period: Period):
    means = dict(analysis.seven_day_means(history.days, period.first, period.last))
    labels: dict[datetime.date, list[str]] = {}
    for trigger in history.triggers:
        labels.setdefault(trigger.date, []).append(trigger.label)

    def cells(date: datetime.date, day: Day | None) -> list[str]:
        in_episode = any(e.onset <= date <= e.last_day(overview.today) for e in overview.episodes)
        return [
            _shown(day.score if day else None),
            _shown(means.get(date), 1),
            str(pgettext_lazy("in a possible relapse", "yes")) if in_episode else "",
            "; ".join(labels.get(date, [])),
        ]

    return cells
