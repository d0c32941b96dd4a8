"""Trends: the charts of a period, their numbers as tables, and the possible relapses.

Charts are drawn once per child, period and data version, cached, and revalidated through an
ETag: a browser that has the chart gets a 304 until the child's journal changes.
"""

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from journal import analysis, charts, trends
from journal.access import membership_for
from journal.analysis import ONE_DAY
from journal.forms import DateInput
from journal.models import Child
from journal.trends import History, Overview

PRESETS = {  # key: (label, days shown; None for the whole journal)
    "4w": ("4 weeks", 28),
    "3m": ("3 months", 91),
    "6m": ("6 months", 182),
    "1y": ("1 year", 365),
    "all": ("All", None),
}
DEFAULT_RANGE = "3m"
CUSTOM = "custom"


class PeriodForm(forms.Form):
    """The range picker: a preset, or custom dates."""

    range = forms.ChoiceField(
        choices=[*((key, label) for key, (label, _) in PRESETS.items()), (CUSTOM, "Custom dates")],
        required=False,
    )
    start = forms.DateField(label="From", required=False, widget=DateInput)
    end = forms.DateField(label="To", required=False, widget=DateInput)

    def __init__(self, *args, today: datetime.date, born: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.born = today, born

    def clean(self):
        data = super().clean()
        if data.get("range") != CUSTOM:
            return data
        start, end = data.get("start"), data.get("end")
        if start is None and "start" not in self.errors:
            self.add_error("start", "Pick the first day to show.")
        if end is None and "end" not in self.errors:
            self.add_error("end", "Pick the last day to show.")
        if end and end > self.today:
            self.add_error("end", "This day hasn't happened yet.")
        if start and start < self.born:
            self.add_error("start", f"The journal starts at birth, {self.born:%-d %B %Y}.")
        elif start and end and start > end:
            self.add_error("start", "The first day must come before the last.")
        return data


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


def period_from(form: PeriodForm, today: datetime.date, history: History) -> Period:
    """The period the form asks for; the default when it is invalid or empty."""
    key = form.cleaned_data.get("range") if form.is_valid() else None
    if key == CUSTOM:
        return Period(CUSTOM, form.cleaned_data["start"], form.cleaned_data["end"])
    key = key or DEFAULT_RANGE
    length = PRESETS[key][1]
    if length is None:
        return Period(key, min(history.first_day or today, today), today)
    return Period(key, today - (length - 1) * ONE_DAY, today)


def _in_period(history: History, period: Period) -> dict:
    """What the charts of a period draw: its days (and the week before, for the 7-day mean),
    triggers, episodes and courses."""
    lead_in = period.first - analysis.MEAN_DAYS * ONE_DAY
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


@dataclass(frozen=True)
class ChartKind:
    title: str
    draw: object  # (**chart arguments) -> SVG bytes
    describe: object  # (**chart arguments) -> the chart in words


KINDS = {
    "score": ChartKind("Daily score", charts.score_chart, charts.score_summary),
    "items": ChartKind("Each item, day by day", charts.heatmap_chart, charts.heatmap_summary),
    "sleep": ChartKind("Sleep", charts.sleep_chart, charts.sleep_summary),
    "rage": ChartKind("Rage", charts.rage_chart, charts.rage_summary),
}


def chart_arguments(kind: str, history: History, overview: Overview, period: Period) -> dict:
    data = _in_period(history, period)
    if kind == "score":
        episodes = [e for e in overview.episodes if e.overlaps(period.first, period.last)]
        return {**data, "episodes": episodes}
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
    key = trends.cache_key(child, "page", period.key, period.first, period.last)
    return trends.cached(key, lambda: _compute_trends(child, period))


def _compute_trends(child: Child, period: Period) -> Trends:
    history = trends.history_for(child)
    overview = trends.overview_for(child, period.last)
    shown = [chart_card(child, kind, period, history, overview) for kind in KINDS]
    episodes = [e for e in overview.episodes if e.overlaps(period.first, period.last)]
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
    form = PeriodForm({}, today=today, born=child.birth_date)
    period = period_from(form, today, EMPTY_HISTORY)

    def card() -> dict:
        history, overview = trends.history_for(child), trends.overview_for(child, today)
        return {**chart_card(child, "score", period, history, overview), "query": period.query}

    return trends.cached(trends.cache_key(child, "dashboard-chart", today), card)


EMPTY_HISTORY = History((), (), (), ())


def _period_for(request: HttpRequest, child: Child) -> tuple[PeriodForm, Period]:
    today = child.today()
    form = PeriodForm(request.GET or None, today=today, born=child.birth_date)
    if not form.is_bound:
        form = PeriodForm({"range": DEFAULT_RANGE}, today=today, born=child.birth_date)
    needs_history = form.is_valid() and form.cleaned_data.get("range") == "all"
    history = trends.history_for(child) if needs_history else EMPTY_HISTORY
    return form, period_from(form, today, history)


@login_required
@require_GET
@never_cache  # going Back to it after a save must show the save
def trends_page(request: HttpRequest, child_id: int) -> HttpResponse:
    """The charts of a period, with the range picker; the charts alone for htmx."""
    membership = membership_for(request, child_id)
    child = membership.child
    form, period = _period_for(request, child)
    context = {
        "membership": membership,
        "child": child,
        "form": form,
        "presets": PRESETS,
        "trends": trends_for(child, period),
        "period": period,
        "today": child.today(),
    }
    template = "journal/trends.html"
    if request.htmx and not request.htmx.boosted:
        template += "#charts"
    return render(request, template, context)


@login_required
@require_GET
def chart(request: HttpRequest, child_id: int, kind: str) -> HttpResponse:
    """One chart as SVG: drawn once, then from the cache; a 304 while the browser's is fresh."""
    if kind not in KINDS:
        raise Http404("No such chart.")
    child = membership_for(request, child_id).child
    _, period = _period_for(request, child)
    etag = trends.etag_for(chart_key(child, kind, period))
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(chart_svg(child, kind, period), content_type="image/svg+xml")
    response["ETag"] = etag
    # Health data: kept by the browser only, and asked again each time (a 304 costs little).
    patch_cache_control(response, private=True, no_cache=True)
    return response


def chart_key(child: Child, kind: str, period: Period) -> str:
    return trends.cache_key(child, "chart", kind, period.first, period.last)


def chart_svg(child: Child, kind: str, period: Period) -> bytes:
    """The chart as SVG, drawn once for the child's journal as it is."""
    return trends.cached(chart_key(child, kind, period), lambda: _draw(child, kind, period))


SVG_SIZE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"')


def svg_size(svg: bytes) -> tuple[int, int]:
    """The chart's size in CSS pixels (matplotlib writes points), for <img width height>."""
    width, height = (float(value) * 96 / 72 for value in SVG_SIZE.search(svg).groups())
    return round(width), round(height)


def _draw(child: Child, kind: str, period: Period) -> bytes:
    history = trends.history_for(child)
    overview = trends.overview_for(child, period.last)
    return KINDS[kind].draw(**chart_arguments(kind, history, overview, period))


@login_required
@require_GET
def chart_table(request: HttpRequest, child_id: int, kind: str) -> HttpResponse:
    """The numbers behind a chart, as a table; the table alone for htmx."""
    if kind not in KINDS:
        raise Http404("No such chart.")
    membership = membership_for(request, child_id)
    child = membership.child
    _, period = _period_for(request, child)
    history = trends.history_for(child)
    overview = trends.overview_for(child, period.last)
    context = {
        "membership": membership,
        "child": child,
        "kind": kind,
        "title": KINDS[kind].title,
        "period": period,
        "columns": table_columns(kind, history),
        "note": TABLE_NOTES.get(kind, ""),
        "rows": table_rows(kind, history, overview, period),
    }
    template = "journal/chart_table.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(request, template, context)


def _shown(value: float | None, places: int = 0) -> str:
    if value is None:
        return "\N{EN DASH}"  # as the entry form shows "not observed"
    return f"{value:.{places}f}" if places else f"{value:g}"


def table_columns(kind: str, history: History) -> list[str]:
    if kind == "score":
        return ["Score", "7-day mean", "Possible relapse", "Triggers"]
    if kind == "items":
        return [label for _, label in history.items]
    if kind == "sleep":
        return ["Hours slept", "Night wakings"]
    return ["Rage episodes", "Longest (minutes)"]


TABLE_NOTES = {
    "score": "The daily score is the sum of the five core items, from 0 to 15.",
    "items": "Each item from 0 (none) to 3 (most).",
}


def table_rows(kind: str, history: History, overview: Overview, period: Period) -> list[dict]:
    """One row a day of the period, newest first, with the numbers the chart draws for it."""
    by_date = {day.date: day for day in history.days}
    means = dict(analysis.seven_day_means(history.days, period.first, period.last))
    triggers: dict[datetime.date, list[str]] = {}
    for trigger in history.triggers:
        triggers.setdefault(trigger.date, []).append(trigger.label)
    rows = []
    for offset in range(period.days):
        date = period.last - offset * ONE_DAY
        day = by_date.get(date)
        if kind == "score":
            in_episode = any(
                e.onset <= date <= e.last_day(overview.today) for e in overview.episodes
            )
            cells = [
                _shown(day.score if day else None),
                _shown(means.get(date), 1),
                "yes" if in_episode else "",
                "; ".join(triggers.get(date, [])),
            ]
        elif kind == "items":
            cells = [_shown(day.ratings.get(key) if day else None) for key, _ in history.items]
        else:
            names = ("sleep_hours", "night_wakings") if kind == "sleep" else RAGE_DETAILS
            cells = [_shown(day.details.get(name) if day else None) for name in names]
        rows.append({"date": date, "logged": day is not None, "cells": cells})
    return rows


RAGE_DETAILS = ("rage_episodes", "rage_longest_minutes")
