"""The visit summary: what a neurologist reads of a period, on a page and in a PDF.

Everything comes from the cached history and overview of trends.py, plus one query for the
days' questions and missed doses and one for the trigger events' notes: the same count of
queries for a month as for five years.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from journal import analysis, trends
from journal.analysis import ONE_DAY, Course
from journal.dates import day_month, short_date
from journal.models import Child, DailyEntry, Doses, TriggerEvent
from journal.scales import CORE_ITEMS

DEFAULT_DAYS = trends.PRESETS["3m"][1]  # without a last visit: the last 3 months


def default_period(child: Child) -> tuple[datetime.date, datetime.date]:
    """From the last visit the family entered to today; else the last 3 months."""
    today = child.today()
    first = child.last_visit_date
    if first is None or first >= today:
        first = today - (DEFAULT_DAYS - 1) * ONE_DAY
    return trends.bounded(max(first, child.birth_date), today)


@dataclass(frozen=True)
class Line:
    """A dated line of a list: a treatment change, a missed dose, a trigger, a question."""

    date: datetime.date
    text: str
    note: str = ""


@dataclass(frozen=True)
class MeanChange:
    """One item's mean over the period, against the same length of time before it."""

    label: str
    before: float | None
    now: float | None

    @property
    def difference(self) -> float | None:
        if self.before is None or self.now is None:
            return None
        return self.now - self.before

    @property
    def before_text(self) -> str:
        return _mean(self.before)

    @property
    def now_text(self) -> str:
        return _mean(self.now)

    @property
    def difference_text(self) -> str:
        """Like "+0.4", "-1.2" (with a true minus sign) or "same"; empty without both sides."""
        if self.difference is None:
            return ""
        if round(self.difference, 1) == 0:
            return "same"
        return f"{self.difference:+.1f}".replace("-", "\N{MINUS SIGN}")


def _mean(value: float | None) -> str:
    return "\N{EN DASH}" if value is None else f"{value:.1f}"


@dataclass(frozen=True)
class VisitSummary:
    name: str
    birth_date: datetime.date
    diagnosis_date: datetime.date | None
    last_visit_date: datetime.date | None
    first: datetime.date
    last: datetime.date
    logged: int
    status: analysis.Status
    rule: analysis.RelapseRule
    changes: tuple[MeanChange, ...]  # the daily score, then each core item
    before_first: datetime.date | None  # the "before" compared: from here to the day before
    before_logged: int
    episodes: tuple[analysis.Episode, ...]
    treatments_now: tuple[Line, ...]
    treatment_changes: tuple[Line, ...]
    missed_doses: tuple[Line, ...]
    triggers: tuple[Line, ...]
    questions: tuple[Line, ...]
    charts: dict[str, dict]  # kind: what its chart draws (trends.chart_arguments)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def share_logged(self) -> float:
        return self.logged / self.days

    @property
    def period(self) -> trends.Period:
        return trends.Period(trends.CUSTOM, self.first, self.last)

    def chart_words(self, kind: str) -> str:
        return trends.KINDS[kind].describe(**self.charts[kind])


def before_first(first: datetime.date, days: int) -> datetime.date:
    """The first day of the period of as many days just before the one from `first`."""
    return analysis.shifted(first, -days)


def visit_summary(child: Child, first: datetime.date, last: datetime.date) -> VisitSummary:
    """The summary of the child's journal from first to last, both included."""
    history = trends.history_for(child)
    overview = trends.overview_for(child, last)
    period = trends.Period(trends.CUSTOM, first, last)
    before_first = _before_first(history, first, period.days)
    now = analysis.period_means(history.days, first, last)
    before = analysis.period_means(history.days, before_first or first, analysis.shifted(first, -1))
    entries = _entries_of_note(child, first, last)
    return VisitSummary(
        name=child.name,
        birth_date=child.birth_date,
        diagnosis_date=child.diagnosis_date,
        last_visit_date=child.last_visit_date,
        first=first,
        last=last,
        logged=now.logged_days,
        status=overview.status,
        rule=overview.rule,
        changes=_changes(before, now),
        before_first=before_first,
        before_logged=before.logged_days,
        episodes=tuple(e for e in overview.episodes if e.overlaps(first, last)),
        treatments_now=tuple(_treatments_on(history.courses, last)),
        treatment_changes=tuple(_treatment_changes(history.courses, first, last)),
        missed_doses=tuple(_missed_doses(entries, history.courses)),
        triggers=tuple(_triggers(child, first, last, history.triggers)),
        questions=tuple(Line(entry.date, entry.question) for entry in entries if entry.question),
        charts={
            kind: trends.chart_arguments(kind, history, overview, period) for kind in trends.KINDS
        },
    )


def _before_first(history: trends.History, first: datetime.date, days: int) -> datetime.date | None:
    """Where the "before" of the comparison starts: as many days before the period as it has,
    but never before the first logged day; None when no day before the period was logged."""
    logged = [day.date for day in analysis.logged_days(history.days) if day.date < first]
    if not logged:
        return None
    return max(first - days * ONE_DAY, logged[0])


def _changes(before: analysis.PeriodMeans, now: analysis.PeriodMeans) -> tuple[MeanChange, ...]:
    score = MeanChange(_("Daily score (0-15)"), before.score, now.score)
    items = (
        MeanChange(item.label, before.items[item.field], now.items[item.field])
        for item in CORE_ITEMS
    )
    return (score, *items)


def _entries_of_note(child: Child, first: datetime.date, last: datetime.date):
    """The period's days with a question for the neurologist or doses not all given."""
    return list(
        DailyEntry.objects.for_child(child)
        .filter(date__range=(first, last))
        .exclude(question="", doses__in=["", Doses.YES])
        .only("date", "question", "doses", "notes")
        .order_by("date")
    )


def _missed_doses(entries, courses) -> list[Line]:
    """The days whose doses were partly or not given, each naming the courses going on then."""
    words = {Doses.PARTLY: _("Partly given"), Doses.NO: _("Not given")}
    lines = []
    for entry in entries:
        if entry.doses in words:
            drugs = ", ".join(course.name for course in _courses_on(courses, entry.date))
            text = (
                _("%(given)s (%(drugs)s)") % {"given": words[entry.doses], "drugs": drugs}
                if drugs
                else words[entry.doses]
            )
            lines.append(Line(entry.date, text, entry.notes))
    return lines


def _triggers(child: Child, first: datetime.date, last: datetime.date, triggers=()) -> list[Line]:
    """The trigger events of the period, with the fevers of the days' temperatures (from the
    history's `triggers`) that no fever event covers."""
    events = (
        TriggerEvent.objects.for_child(child)
        .filter(start_date__lte=last)
        .exclude(end_date__lt=first)
        .exclude(end_date__isnull=True, start_date__lt=first)
        .order_by("start_date", "pk")
    )
    lines = []
    for event in events:
        text = event.get_type_display()
        if event.detail:
            text += f": {event.detail}"
        text += _until(event.start_date, event.end_date)
        lines.append(Line(event.start_date, text, event.notes))
    for fever in triggers:
        if fever.from_entries and fever.date <= last and fever.last_date >= first:
            lines.append(Line(fever.date, fever.label + _until(fever.date, fever.end_date)))
    return sorted(lines, key=lambda line: line.date)


def _until(start: datetime.date, end: datetime.date | None) -> str:
    if not end or end == start:
        return ""
    return " " + _("(to %(day)s)") % {"day": day_month(end)}


def _dose(course: Course, dose: float | None) -> str:
    if dose is None:
        return ""
    return f"{dose:g} {course.unit}".strip()


def _courses_on(courses, day: datetime.date) -> list[Course]:
    return [c for c in courses if c.start <= day and (c.end is None or c.end >= day)]


def _treatments_on(courses, day: datetime.date) -> list[Line]:
    """The courses going on at `day`, with their dose then."""
    return [
        Line(course.start, f"{course.name} {_dose(course, course.dose_on(day))}".strip())
        for course in _courses_on(courses, day)
    ]


def _treatment_changes(courses, first: datetime.date, last: datetime.date) -> list[Line]:
    """Courses started, doses changed and courses stopped within the period, by date."""
    lines = []
    for course in courses:
        if first <= course.start <= last:
            dose = _dose(course, course.dose_on(course.start))
            started = _("Started %(drug)s %(dose)s") % {"drug": course.name, "dose": dose}
            lines.append(Line(course.start, started.strip()))
        for (_before, previous), (since, dose) in zip(course.doses, course.doses[1:], strict=False):
            if first <= since <= last and dose != previous:
                doses = {
                    "drug": course.name,
                    "before": _dose(course, previous),
                    "after": _dose(course, dose),
                }
                if dose < previous:
                    text = _("%(drug)s lowered: %(before)s to %(after)s") % doses
                else:
                    text = _("%(drug)s raised: %(before)s to %(after)s") % doses
                lines.append(Line(since, text))
        if course.end and first <= course.end <= last:
            lines.append(
                Line(course.end, _("Stopped %(drug)s (last dose)") % {"drug": course.name})
            )
    return sorted(lines, key=lambda line: line.date)


HEADLINE_LEAST_LOGGED = 3  # fewer logged days in the period, and no word on where it stands


def status_words(visit: VisitSummary) -> tuple[str, str]:
    """Where the child stood on the period's last day: a headline and a sentence, each one
    whole message with its values by name."""
    status, rule = visit.status, visit.rule
    values = {
        "day": short_date(visit.last),
        "name": visit.name,
        "usual": f"{status.baseline.score:g}" if status.baseline else "",
        "least": HEADLINE_LEAST_LOGGED,
        "logged": visit.logged,
        "run": rule.raised_run,
        "baseline": rule.baseline_days,
        "needed": rule.min_logged_days,
    }
    if visit.logged < HEADLINE_LEAST_LOGGED:
        return (
            _("On %(day)s: too few days logged to say") % values,
            ngettext(
                "%(logged)s day of this period logged; saying where %(name)s stands needs at "
                "least %(least)s.",
                "%(logged)s days of this period logged; saying where %(name)s stands needs at "
                "least %(least)s.",
                visit.logged,
            )
            % values
            if visit.logged
            else _(
                "No day of this period logged; saying where %(name)s stands needs at least "
                "%(least)s."
            )
            % values,
        )
    if status.kind == "relapse":
        values["since"] = short_date(status.since)
        return (
            _("On %(day)s: possible relapse since %(since)s") % values,
            _(
                "Daily scores had stayed well above %(name)s's usual level (about %(usual)s) "
                "since then. A prompt to talk about, not a diagnosis."
            )
            % values,
        )
    if status.kind == "rising":
        values["raised"] = status.raised_days
        values["run"] = status.run_needed
        return (
            _("On %(day)s: rising") % values,
            ngettext(
                "The last logged day was well above %(name)s's usual level (about %(usual)s); "
                "a possible relapse is flagged after %(run)s in a row.",
                "The last %(raised)s logged days were well above %(name)s's usual level (about "
                "%(usual)s); a possible relapse is flagged after %(run)s in a row.",
                status.raised_days,
            )
            % values,
        )
    if status.kind == "stable":
        return (
            _("On %(day)s: stable") % values,
            _(
                "Near %(name)s's usual level: a daily score of about %(usual)s over the last "
                "%(baseline)s days."
            )
            % values,
        )
    values["logged"] = status.logged_in_window
    return (
        _("On %(day)s: not enough data") % values,
        ngettext(
            "%(logged)s of the last %(baseline)s days was logged; telling a rise from the usual "
            "level needs %(needed)s.",
            "%(logged)s of the last %(baseline)s days were logged; telling a rise from the usual "
            "level needs %(needed)s.",
            status.logged_in_window,
        )
        % values,
    )
