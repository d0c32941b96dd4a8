"""Pure functions over plain dates and numbers: no ORM, no request.

The daily score, the 7-day mean, baselines and possible-relapse episodes, by the possible-relapse
rule (our proposal, a prompt to talk to the doctor, never a diagnosis; docs/relapse-rule.md says
how its defaults were measured):

- A day's score, as the rule judges it: a day with a core item not rated counts in proportion
  to the items rated (3 from four items counts as 3.75), so that a half-rated day neither breaks
  a run nor lowers the usual level.
- Baseline: the median score of the logged days among the `baseline_days` that end
  `recent_days_left_out` days before the day judged, given at least `min_logged_days` of them;
  when fewer are logged there (a week or two away), the last `min_logged_days` logged days
  within `baseline_reach_days` before them. Each core item has its own baseline, the median of
  that item over the same days. Leaving the most recent days out keeps a rise from lifting its
  own bar.
- A logged day is raised when its score is at least baseline + `score_rise` with at least
  `score_motor_part` of that rise in Eyes, Jerks and Balance (0: any rise), when one of Eyes,
  Jerks and Balance stands `item_rise` or more above its own baseline, Sleep or Rage
  `sleep_rage_rise` or more (0: never alone), or when Eyes, Jerks and Balance together stand
  `motor_rise` or more above their usual total, the median of their daily totals (0: not used).
  A possible relapse is flagged on a raised day that makes `raised_run` raised days among the
  last `raised_run` + `run_slack` logged days in a row, or `raised_run_after_trigger` days in a
  row when a possible trigger began in the `trigger_window_days` before the first of them and
  Eyes, Jerks and Balance together stand `motor_rise` above their usual total on each, and on
  one `motor_peak_after_trigger`, or the score `score_peak_after_trigger` above the usual level
  (0: not used); it starts on the first raised day of them,
  dated back over the logged
  days in a row just before, up to `days_dated_back` days, that stood more than
  `dated_back_margin` above the usual level; its baselines are frozen at the first raised day.
  It ends on the last raised day before `calm_run` logged days in a row whose score is at most
  baseline + `calm_margin`; until then it is ongoing.
- Missing days are gaps, not zeros: they neither raise nor calm anything, and a gap of more than
  `max_gap_days` days breaks a run of raised or calm days.
- Possible triggers: every trigger in the `trigger_window_days` before onset, with days to onset.
  An onset during or within `illness_window_days` of a fever or an illness is illness-associated.

CLASSIC_RULE is the first rule, as the domain wrote it; V2_RULE the second, V3_RULE the third,
V4_RULE the fourth (docs/relapse-rule.md).
"""

import bisect
import dataclasses
import datetime
import functools
import itertools
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from journal.scales import CORE_FIELDS, MAX_DAILY_SCORE

Date = datetime.date
ONE_DAY = datetime.timedelta(days=1)


def shifted(day: Date, days: int) -> Date:
    """`day` moved by `days` days, held within the years Python's dates hold (1 to 9999): a date
    at either end of them, stored whatever the forms say, never breaks a reader of the journal."""
    try:
        return day + days * ONE_DAY
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


def daily_score(ratings: Mapping[str, int | None]) -> int | None:
    """Sum of the core five ratings that were observed (0-15).

    "Not observed" is not 0: an unrated item adds nothing, and a day with no core item rated has
    no score at all. This is a parent-reported score, never a Mitchell-Pike or OMS-ES score.
    """
    observed = [ratings[name] for name in CORE_FIELDS if ratings.get(name) is not None]
    if not observed:
        return None
    return sum(observed)


def score_band(score: int | None) -> str:
    """A word for the colour of a daily score: none, calm, mild, marked or severe."""
    if score is None:
        return "none"
    if not 0 <= score <= MAX_DAILY_SCORE:
        raise ValueError(f"a daily score lies between 0 and {MAX_DAILY_SCORE}, not {score}")
    if score <= 2:
        return "calm"
    if score <= 5:
        return "mild"
    if score <= 9:
        return "marked"
    return "severe"


def share_logged(logged_days: Iterable[object], days_in_period: int) -> float:
    """The share of the period's days that have an entry, between 0 and 1."""
    if days_in_period <= 0:
        return 0.0
    return min(1.0, len(set(logged_days)) / days_in_period)


# --- The rule and its inputs ------------------------------------------------------------------


@dataclass(frozen=True)
class RelapseRule:
    """The numbers of the possible-relapse rule: a per-child setting, with these defaults.

    The defaults were chosen by measurement on generated diaries shaped like real ones
    (docs/relapse-rule.md). CLASSIC_RULE and V2_RULE are the earlier rules in these terms.
    """

    baseline_days: int = 14
    recent_days_left_out: int = 7
    min_logged_days: int = 7
    baseline_reach_days: int = 42
    score_rise: int = 3
    score_motor_part: int = 1
    item_rise: int = 2
    sleep_rage_rise: int = 0
    motor_rise: int = 2
    raised_run: int = 3
    raised_run_after_trigger: int = 2
    motor_peak_after_trigger: int = 3
    score_peak_after_trigger: int = 4
    run_slack: int = 0
    days_dated_back: int = 4
    dated_back_margin: int = 1
    calm_margin: int = 2
    calm_run: int = 3
    max_gap_days: int = 3
    trigger_window_days: int = 28
    illness_window_days: int = 3
    # Not a number a family sets: every child's rule counts a half-rated day in proportion
    # (since version 3); only the earlier rules, replayed by the evaluation, do not.
    half_rated_in_proportion: bool = True

    @property
    def flags_sooner_after_trigger(self) -> bool:
        """Whether a shorter run flags after a possible trigger: it needs Eyes, Jerks and
        Balance added up to judge its days by."""
        return 0 < self.raised_run_after_trigger < self.raised_run and bool(self.motor_rise)

    def numbers(self) -> dict[str, int]:
        """The numbers a family may set (RULE_FIELDS), by name."""
        return {name: getattr(self, name) for name in RULE_FIELDS}

    def sentences(self) -> list[str]:
        """The rule in plain words, shown wherever a flag is shown."""
        numbers = dataclasses.asdict(self)
        return [
            sentence % numbers
            for sentence in (
                *self._scoring_sentences(),
                self._raised_sentence(),
                self._run_sentence(),
                gettext(
                    "Days not logged are left out; more than %(max_gap_days)s of them in a row "
                    "break a run."
                ),
                gettext(
                    "Possible triggers: those in the %(trigger_window_days)s days before it began. "
                    "It is illness-associated when it began during or within "
                    "%(illness_window_days)s days of a fever or an illness."
                ),
            )
        ]

    def _scoring_sentences(self) -> list[str]:
        usual = (
            gettext(
                "Usual level (baseline): the middle daily score of the days logged in the "
                "%(baseline_days)s days before the last %(recent_days_left_out)s (left out, so "
                "that a rise does not lift its own bar), once at least %(min_logged_days)s are "
                "logged."
            )
            if self.recent_days_left_out
            else gettext(
                "Usual level (baseline): the middle daily score of the days logged in the "
                "%(baseline_days)s days before, once at least %(min_logged_days)s are logged."
            )
        )
        if self.baseline_reach_days > self.baseline_days:
            usual += " " + gettext(
                "When fewer are logged there (a week or two away), the last "
                "%(min_logged_days)s days logged within %(baseline_reach_days)s days."
            )
        if not self.half_rated_in_proportion:
            return [usual]
        return [
            gettext(
                "A day with a sign not rated counts in proportion to the signs rated (3 from "
                "four signs counts as 3.75)."
            ),
            usual,
        ]

    def _raised_sentence(self) -> str:
        if self.score_motor_part or self.sleep_rage_rise != self.item_rise:
            return " ".join(self._raised_sentences())
        if self.motor_rise:
            return gettext(
                "A day is raised when its score is %(score_rise)s or more above the usual level, "
                "when one sign is %(item_rise)s or more above its own usual level, or when Eyes, "
                "Jerks and Balance added up are %(motor_rise)s or more above their usual total "
                "(the middle of their totals on the same days)."
            )
        return gettext(
            "A day is raised when its score is %(score_rise)s or more above the usual level, "
            "or one item is %(item_rise)s or more above its own usual level."
        )

    def _raised_sentences(self) -> list[str]:
        """Since the fifth rule: Sleep and Rage, which a bad night, a fever or one caregiver's
        habit move as much as a relapse does, raise a day only with Eyes, Jerks and Balance."""
        words = [
            gettext(
                "A day is raised when its score is %(score_rise)s or more above the usual level "
                "with at least %(score_motor_part)s of that rise in Eyes, Jerks and Balance, "
                "when one of Eyes, Jerks and Balance is %(item_rise)s or more above its own usual "
                "level, or when Eyes, Jerks and Balance added up are %(motor_rise)s or more above "
                "their usual total (the middle of their totals on the same days)."
            )
            if self.score_motor_part
            else gettext(
                "A day is raised when its score is %(score_rise)s or more above the usual level, "
                "when one of Eyes, Jerks and Balance is %(item_rise)s or more above its own usual "
                "level, or when Eyes, Jerks and Balance added up are %(motor_rise)s or more above "
                "their usual total (the middle of their totals on the same days)."
            )
        ]
        if self.sleep_rage_rise:
            words.append(
                gettext(
                    "Sleep or Rage %(sleep_rage_rise)s or more above its own usual level also "
                    "raises a day."
                )
            )
        else:
            words.append(
                gettext(
                    "Sleep and Rage count in the score, but a rise in them alone raises no day: "
                    "a bad night, a fever or one caregiver's habit moves them as much."
                )
            )
        return words

    def _run_sentence(self) -> str:
        flagged = ngettext(
            "A possible relapse is flagged once %(raised_run)s logged day in a row is raised",
            "A possible relapse is flagged once %(raised_run)s logged days in a row are raised",
            self.raised_run,
        )
        if self.run_slack:
            flagged += ngettext(
                "; up to %(run_slack)s day among them may fall short",
                "; up to %(run_slack)s days among them may fall short",
                self.run_slack,
            )
        if self.flags_sooner_after_trigger:
            flagged += ngettext(
                "; after a possible trigger (in the %(trigger_window_days)s days before), "
                "%(raised_run_after_trigger)s is enough when on it Eyes, Jerks and Balance added "
                "up are %(motor_peak_after_trigger)s or more above their usual total, or the score "
                "%(score_peak_after_trigger)s or more above the usual level",
                "; after a possible trigger (in the %(trigger_window_days)s days before), "
                "%(raised_run_after_trigger)s are enough when on each Eyes, Jerks and Balance "
                "added up are %(motor_rise)s or more above their usual total, and on one of them "
                "%(motor_peak_after_trigger)s or more, or the score %(score_peak_after_trigger)s "
                "or more above the usual level",
                self.raised_run_after_trigger,
            )
        dated = (
            gettext(
                "; it is dated from the first of them, or from up to %(days_dated_back)s days "
                "earlier where the rise began (days in a row already more than "
                "%(dated_back_margin)s above the usual level)."
            )
            if self.days_dated_back
            else gettext("; it is dated from the first of them.")
        )
        ends = gettext(
            "It ends before %(calm_run)s days in a row within %(calm_margin)s of the usual level "
            "at its start."
        )
        return f"{flagged}{dated} {ends}"


# Which rule found an episode, said in the JSON export: 1 was the first rule (each day against
# the 14 days just before it, three raised days in a row); 2 left the most recent days out of the
# usual level and dated a rise back to where it began; 3 counts a half-rated day in proportion,
# reaches further back for a usual level after days away, ends a possible relapse on days within
# 2 of the usual level, and lets a family raise a day on Eyes, Jerks and Balance together; 4
# raises a day on Eyes, Jerks and Balance added up against their usual total, by default; 5 lets
# Sleep and Rage raise a day only with Eyes, Jerks and Balance, and flags a possible relapse after
# 2 days of Eyes, Jerks and Balance up when a possible trigger came before.
RULE_VERSION = 5
# The first rule's numbers in today's terms: children whose family chose their own numbers
# under the first rule keep them with this meaning (migrations 0011 and 0016).
CLASSIC_RULE = RelapseRule(
    score_motor_part=0,
    sleep_rage_rise=2,
    raised_run_after_trigger=0,
    recent_days_left_out=0,
    baseline_reach_days=14,
    motor_rise=0,
    days_dated_back=0,
    calm_margin=1,
    half_rated_in_proportion=False,
)
# The second rule's defaults in today's terms (migration 0016 keeps a family's numbers chosen
# under it with this meaning, but for the half-rated days).
V2_RULE = RelapseRule(
    baseline_reach_days=14,
    score_motor_part=0,
    sleep_rage_rise=2,
    motor_rise=0,
    raised_run_after_trigger=0,
    calm_margin=1,
    half_rated_in_proportion=False,
)
# The third rule's defaults in today's terms (migration 0019 keeps a family's numbers chosen
# under it: Eyes, Jerks and Balance together no rise of their own).
V3_RULE = RelapseRule(
    score_motor_part=0, sleep_rage_rise=2, motor_rise=0, raised_run_after_trigger=0
)
# The fourth rule's defaults in today's terms (migration 0020 keeps a family's numbers chosen
# under it: Sleep and Rage raise a day alone as the other signs do, no shorter run after a
# trigger).
V4_RULE = RelapseRule(score_motor_part=0, sleep_rage_rise=2, raised_run_after_trigger=0)
DEFAULT_RULE = RelapseRule()
# The numbers a family may set for its child.
RULE_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(RelapseRule) if f.name != "half_rated_in_proportion"
)


def version_kept(rule: RelapseRule) -> int:
    """Which rule's meaning these numbers keep: 1 for the first rule's (nothing left out of the
    usual level, nothing dated back), 2 for the second's (the usual level never reaching further
    back), 3 for the third's (Eyes, Jerks and Balance together no rise of their own), 4 for the
    fourth's (Sleep and Rage raising a day alone as the other signs do, no shorter run after a
    trigger), else today's."""
    fifth = rule.score_motor_part or rule.raised_run_after_trigger
    if fifth or rule.sleep_rage_rise != rule.item_rise:
        return RULE_VERSION
    if rule.motor_rise:
        return 4
    if rule.baseline_reach_days > rule.baseline_days:
        return 3
    if rule.recent_days_left_out or rule.run_slack or rule.days_dated_back:
        return 2
    return 1


@dataclass(frozen=True)
class Day:
    """One day's entry: the ratings of its items (core five, and any others; None if not
    seen), and for the charts its details (sleep_hours, night_wakings, rage_episodes,
    rage_longest_minutes, max_temperature_c; None if not entered)."""

    date: Date
    ratings: Mapping[str, int | None] = field(default_factory=dict)
    details: Mapping[str, float | None] = field(default_factory=dict)

    # Kept once worked out: the relapse rule reads each day's score, its count of core items
    # rated and its motor total again for every day whose usual level it is part of (some
    # twenty), and a chart of five years judges some 1,800 days.
    @functools.cached_property
    def score(self) -> int | None:
        return daily_score(self.ratings)

    @functools.cached_property
    def core_rated(self) -> int:
        return sum(self.ratings.get(name) is not None for name in CORE_FIELDS)

    @functools.cached_property
    def motor(self) -> float | None:
        """Eyes, Jerks and Balance added up (motor_total)."""
        return motor_total(self)


# Trigger types that are not trigger events but come from the treatment courses.
DOSE_REDUCTION = "dose_reduction"
TREATMENT_STOPPED = "treatment_stopped"
ILLNESS_TYPES = frozenset({"fever", "illness"})
FEVER_FROM_C = 38.0  # a day's highest temperature from this on is a fever
TRIGGER_LABELS = {
    "fever": gettext_lazy("Fever"),
    "illness": gettext_lazy("Illness"),
    "vaccination": gettext_lazy("Vaccination"),
    "anaesthesia": gettext_lazy("Anaesthesia or sedation"),
    "immunotherapy_change": gettext_lazy("Immunotherapy change"),
    "stress": gettext_lazy("Major stress"),
    "other": gettext_lazy("Other"),
    DOSE_REDUCTION: gettext_lazy("Dose lowered"),
    TREATMENT_STOPPED: gettext_lazy("Treatment stopped"),
}


@dataclass(frozen=True)
class Trigger:
    """Something that may precede a relapse: a trigger event, or a dose lowered or stopped."""

    date: Date
    type: str
    label: str
    end_date: Date | None = None
    # A fever read from the days' temperatures, not a logged event: their highest.
    entry_temperature_c: float | None = None

    @property
    def last_date(self) -> Date:
        return self.end_date or self.date

    @property
    def from_entries(self) -> bool:
        return self.entry_temperature_c is not None


@dataclass(frozen=True)
class Course:
    """A treatment course as the charts and the rule need it: dated doses, first dose first."""

    name: str
    start: Date
    end: Date | None
    doses: tuple[tuple[Date, float], ...]
    unit: str = ""
    purpose: str = ""  # immunotherapy or symptom control
    regimen: str = ""  # daily, pulse, infusion cycle or taper; "" when not known

    def dose_on(self, day: Date) -> float | None:
        current = None
        for since, dose in self.doses:
            if since <= day:
                current = dose
        return current


def _number(value: float) -> str:
    return f"{value:g}"


def treatment_triggers(courses: Iterable[Course]) -> list[Trigger]:
    """Each dose reduction and each stop of a course, as triggers for the relapse rule."""
    triggers = []
    for course in courses:
        steps = sorted(course.doses)
        for (_since, before), (day, after) in itertools.pairwise(steps):
            if after < before:
                label = _("%(drug)s lowered %(before)s → %(after)s %(unit)s") % {
                    "drug": course.name,
                    "before": _number(before),
                    "after": _number(after),
                    "unit": course.unit,
                }
                triggers.append(Trigger(day, DOSE_REDUCTION, label.strip()))
        if course.end is not None:
            # The course's end is its last day given: the child is without it from the next.
            stopped = shifted(course.end, 1)
            triggers.append(
                Trigger(stopped, TREATMENT_STOPPED, _("%(drug)s stopped") % {"drug": course.name})
            )
    return sorted(triggers, key=lambda t: (t.date, t.type, t.label))


def with_treatment_triggers(
    events: Iterable[Trigger], from_courses: Iterable[Trigger]
) -> list[Trigger]:
    """The trigger events and the courses' reductions and stops, by date, each change once.

    A caregiver may log a taper step or a stop as an immunotherapy-change event too: on a day
    with such an event, the course's own record of the change would count it twice.
    """
    events = list(events)
    logged_changes = {e.date for e in events if e.type == "immunotherapy_change"}
    kept = [t for t in from_courses if t.date not in logged_changes]
    return sorted([*events, *kept], key=lambda t: (t.date, t.type, t.label))


def is_fever(temperature_c: float | None) -> bool:
    """Whether a day's highest temperature is a fever."""
    return temperature_c is not None and float(temperature_c) >= FEVER_FROM_C


def entry_fevers(days: Iterable[Day], events: Iterable[Trigger]) -> list[Trigger]:
    """The fevers of the days' own temperatures, each counted once: a day a logged fever event
    already covers adds nothing, and days of fever in a row make one fever, to its highest."""
    covered = [(e.date, e.last_date) for e in events if e.type == "fever"]
    feverish = sorted(
        (day.date, float(day.details["max_temperature_c"]))
        for day in days
        if is_fever(day.details.get("max_temperature_c"))
        and not any(start <= day.date <= end for start, end in covered)
    )
    runs: list[list[tuple[Date, float]]] = []
    for date, temperature in feverish:
        if runs and (date - runs[-1][-1][0]).days == 1:
            runs[-1].append((date, temperature))
        else:
            runs.append([(date, temperature)])
    return [_entry_fever(run) for run in runs]


def _entry_fever(run: Sequence[tuple[Date, float]]) -> Trigger:
    highest = max(temperature for _, temperature in run)
    first, last = run[0][0], run[-1][0]
    return Trigger(
        first,
        "fever",
        _("Fever: %(temperature)s °C (day's temperature)")
        % {"temperature": number_format(highest, 1)},
        end_date=last if last != first else None,
        entry_temperature_c=highest,
    )


# --- Baselines and episodes -------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """The usual level before a day: the median score, each core item's median, and the median
    of Eyes, Jerks and Balance added up (None when no day rated enough of them)."""

    score: float
    items: Mapping[str, float]
    logged_days: int
    motor: float | None = None


# Eyes, Jerks and Balance: the signs that define OMS. Sleep and Rage also follow a bad night, a
# fever or one caregiver's habit of rating them higher, so a rise in these three together says
# more than the same rise in the daily score.
MOTOR_FIELDS = ("opsoclonus", "myoclonus", "ataxia")


def motor_total(day: Day) -> float | None:
    """Eyes, Jerks and Balance added up; with one of them not rated, in proportion to the two
    rated (as the day's score is); None with fewer rated.

    Judged against the median of these totals, not the sum of each sign's median: a sign whose
    usual level lies between 0 and 1 is rated 0 or 1 by chance, its median is 0, and every 1
    would read as a rise."""
    rated = [day.ratings[name] for name in MOTOR_FIELDS if day.ratings.get(name) is not None]
    if len(rated) < len(MOTOR_FIELDS) - 1:
        return None
    return sum(rated) * len(MOTOR_FIELDS) / len(rated)


def judged_score(day: Day, rule: RelapseRule) -> float:
    """The day's score as the rule judges it: in proportion to the core items rated, so that a
    day with a sign not rated is not read as a calmer day."""
    if not rule.half_rated_in_proportion or day.core_rated == len(CORE_FIELDS):
        return day.score
    return day.score * len(CORE_FIELDS) / day.core_rated


def logged_days(days: Iterable[Day]) -> list[Day]:
    """The days with a daily score, one per date (the last given wins), in date order."""
    by_date = {day.date: day for day in days if day.score is not None}
    return [by_date[date] for date in sorted(by_date)]


def _window(logged: Sequence[Day], dates: Sequence[Date], day: Date, length: int) -> list[Day]:
    """The logged days among the `length` days before `day`."""
    return logged[bisect.bisect_left(dates, shifted(day, -length)) : bisect.bisect_left(dates, day)]


def baseline_from(days: Sequence[Day], rule: RelapseRule) -> Baseline | None:
    """The baseline resting on these logged days, or None if they are too few."""
    if len(days) < rule.min_logged_days:
        return None
    items = {}
    for name in CORE_FIELDS:
        values = [day.ratings[name] for day in days if day.ratings.get(name) is not None]
        if values:
            items[name] = statistics.median(values)
    totals = [day.motor for day in days if day.motor is not None]
    return Baseline(
        statistics.median(judged_score(day, rule) for day in days),
        items,
        len(days),
        statistics.median(totals) if totals else None,
    )


def _baseline_of(
    logged: Sequence[Day], dates: Sequence[Date], day: Date, rule: RelapseRule
) -> Baseline | None:
    """The baseline judging `day`: the logged days among the rule's baseline days that end
    where the most recent days left out begin."""
    end = shifted(day, -rule.recent_days_left_out)
    window = _window(logged, dates, end, rule.baseline_days)
    if len(window) < rule.min_logged_days and rule.baseline_reach_days > rule.baseline_days:
        # After a week or two away: the last days logged before, not "not enough data".
        window = _window(logged, dates, end, rule.baseline_reach_days)[-rule.min_logged_days :]
    return baseline_from(window, rule)


def baseline_before(
    days: Iterable[Day], day: Date, rule: RelapseRule = DEFAULT_RULE
) -> Baseline | None:
    """The baseline of `day`: from the logged days among the rule's baseline days before it
    (and before the most recent days it leaves out)."""
    logged = logged_days(days)
    return _baseline_of(logged, [d.date for d in logged], day, rule)


def _rises(day: Day, baseline: Baseline, names: Iterable[str]) -> list[float]:
    """How far each of these items, rated on the day, stands above its own usual level."""
    return [
        day.ratings[name] - baseline.items[name]
        for name in names
        if day.ratings.get(name) is not None and name in baseline.items
    ]


SLEEP_RAGE_FIELDS = tuple(name for name in CORE_FIELDS if name not in MOTOR_FIELDS)


def is_raised(day: Day, baseline: Baseline, rule: RelapseRule) -> bool:
    if _score_raised(day, baseline, rule):
        return True
    if any(rise >= rule.item_rise for rise in _rises(day, baseline, MOTOR_FIELDS)):
        return True
    rises = _rises(day, baseline, SLEEP_RAGE_FIELDS)
    if rule.sleep_rage_rise and any(rise >= rule.sleep_rage_rise for rise in rises):
        return True
    return is_motor_raised(day, baseline, rule)


def _motor_rise(day: Day, baseline: Baseline) -> float | None:
    """How far Eyes, Jerks and Balance added up stand above their usual total, if known."""
    if day.motor is None or baseline.motor is None:
        return None
    return day.motor - baseline.motor


def _score_raised(day: Day, baseline: Baseline, rule: RelapseRule) -> bool:
    """The score `score_rise` above the usual level, with `score_motor_part` of it in Eyes,
    Jerks and Balance (a day with too few of them rated is judged by its score alone)."""
    if judged_score(day, rule) < baseline.score + rule.score_rise:
        return False
    motor = _motor_rise(day, baseline)
    return not rule.score_motor_part or motor is None or motor >= rule.score_motor_part


def is_motor_raised(day: Day, baseline: Baseline, rule: RelapseRule) -> bool:
    """Eyes, Jerks and Balance added up `motor_rise` or more above their usual total."""
    motor = _motor_rise(day, baseline)
    return bool(rule.motor_rise) and motor is not None and motor >= rule.motor_rise


def is_calm(day: Day, baseline: Baseline, rule: RelapseRule) -> bool:
    return judged_score(day, rule) <= baseline.score + rule.calm_margin


@dataclass(frozen=True)
class PossibleTrigger:
    trigger: Trigger
    days_before_onset: int


@dataclass(frozen=True)
class Episode:
    """A possible relapse: from its onset to its last raised day, or ongoing (end None)."""

    onset: Date
    end: Date | None
    peak_date: Date
    peak_score: int
    baseline: Baseline
    possible_triggers: tuple[PossibleTrigger, ...] = ()
    illness_associated: bool = False

    @property
    def ongoing(self) -> bool:
        return self.end is None

    def last_day(self, today: Date) -> Date:
        return self.end or today

    def length_days(self, today: Date) -> int:
        """Calendar days from onset to end (or to today while ongoing), both counted."""
        return (self.last_day(today) - self.onset).days + 1

    def overlaps(self, first: Date, last: Date) -> bool:
        return self.onset <= last and (self.end is None or self.end >= first)


class Judged(NamedTuple):
    """A logged day of a run that may open an episode, as judged against its usual level."""

    day: Day
    raised: bool
    score_rise: float = 0.0  # above the usual level, as the rule judges the score
    motor_rise: float | None = None  # of Eyes, Jerks and Balance added up, if known


@dataclass
class _Scan:
    """What one pass over the logged days found: the episodes, and the run still open."""

    episodes: list[Episode] = field(default_factory=list)
    # The trailing logged days, each following the one before, that may still open an episode:
    # at most raised_run + run_slack of them, the first raised.
    recent: list[Judged] = field(default_factory=list)
    calm_run: list[Day] = field(default_factory=list)  # trailing calm days inside an episode

    @property
    def raised_run(self) -> list[Day]:
        """The raised days of the open run, oldest first."""
        return [judged.day for judged in self.recent if judged.raised]


def _follows(day: Day, previous: Day | None, rule: RelapseRule) -> bool:
    """Whether `day` continues a run from `previous`: no more than max_gap_days missing."""
    return previous is not None and (day.date - previous.date).days - 1 <= rule.max_gap_days


def _peak(days: Iterable[Day]) -> Day:
    # The highest score; on a tie, the first day it was reached.
    return max(days, key=lambda day: (day.score, -day.date.toordinal()))


def _opening(recent: list[Judged], rule: RelapseRule) -> list[Judged]:
    """The days that may still open an episode: the last raised_run + run_slack, from the first
    raised among them; none when too many are not raised for the run to be completed."""
    kept = recent[-(rule.raised_run + rule.run_slack) :]
    while kept and (not kept[0].raised or sum(not j.raised for j in kept) > rule.run_slack):
        kept = kept[1:]
    return kept


def _trigger_before(day: Date, trigger_dates: Sequence[Date], rule: RelapseRule) -> bool:
    """Whether a possible trigger began on `day` or in the trigger_window_days before it."""
    index = bisect.bisect_right(trigger_dates, day)
    return index > 0 and (day - trigger_dates[index - 1]).days <= rule.trigger_window_days


def run_needed(recent: Sequence[Judged], trigger_dates: Sequence[Date], rule: RelapseRule) -> int:
    """How many raised days in a row flag this run: raised_run_after_trigger when a possible
    trigger came before it, Eyes, Jerks and Balance added up (the signs that define OMS, which a
    bad night or one caregiver's habit leaves alone) stand motor_rise above their usual total on
    each of its days so far, and, once it is that long, one day stands out (_peaks); else
    raised_run."""
    if not recent or not rule.flags_sooner_after_trigger:
        return rule.raised_run
    sooner = (
        all(j.motor_rise is not None and j.motor_rise >= rule.motor_rise for j in recent)
        and (len(recent) < rule.raised_run_after_trigger or any(_peaks(j, rule) for j in recent))
        and _trigger_before(recent[0].day.date, trigger_dates, rule)
    )
    return rule.raised_run_after_trigger if sooner else rule.raised_run


def _peaks(judged: Judged, rule: RelapseRule) -> bool:
    """A day of a short run that stands out from two days of chance (Eyes, Jerks and Balance
    each a level up): they are motor_peak_after_trigger above their usual total, or the score
    score_peak_after_trigger above the usual level."""
    motor = judged.motor_rise is not None and judged.motor_rise >= rule.motor_peak_after_trigger
    return motor or judged.score_rise >= rule.score_peak_after_trigger


def _dated_back(
    logged: Sequence[Day], first_raised: int, open_from: int, frozen: Baseline, rule: RelapseRule
) -> int:
    """Where a possible relapse begins: its first raised day, or the first of the logged days in
    a row just before it, within the rule's days dated back, that already stood more than
    dated_back_margin above the usual level (a rise that creeps up is dated from where it began,
    not from where it crossed the bar)."""
    onset = first_raised
    while onset > open_from:
        before, day = logged[onset - 1], logged[onset]
        if (logged[first_raised].date - before.date).days > rule.days_dated_back:
            break
        rise_began = judged_score(before, rule) > frozen.score + rule.dated_back_margin
        if not _follows(day, before, rule) or not rise_began:
            break
        onset -= 1
    return onset


def _judged(day: Day, baseline: Baseline | None, rule: RelapseRule) -> Judged:
    if baseline is None:
        return Judged(day, raised=False)
    score_rise = judged_score(day, rule) - baseline.score
    return Judged(day, is_raised(day, baseline, rule), score_rise, _motor_rise(day, baseline))


def _scan(logged: Sequence[Day], rule: RelapseRule, trigger_dates: Sequence[Date] = ()) -> _Scan:
    """One pass over the logged days, in date order; trigger_dates (sorted) are when the
    possible triggers began."""
    scan = _Scan()
    dates = [day.date for day in logged]
    onset_index, frozen, last_raised = None, None, None
    open_from = 0  # the first logged day after the last episode ended
    for index, day in enumerate(logged):
        previous = logged[index - 1] if index else None
        if frozen is None:
            judged = _judged(day, _baseline_of(logged, dates, day.date, rule), rule)
            recent = scan.recent if _follows(day, previous, rule) else []
            scan.recent = _opening([*recent, judged], rule)
            needed = run_needed(scan.recent, trigger_dates, rule)
            if judged.raised and len(scan.raised_run) >= needed:
                first_raised = dates.index(scan.raised_run[0].date)
                frozen = _baseline_of(logged, dates, logged[first_raised].date, rule)
                onset_index = _dated_back(logged, first_raised, open_from, frozen, rule)
                last_raised, scan.recent, scan.calm_run = day, [], []
            continue
        run = scan.calm_run if _follows(day, previous, rule) else []
        raised = is_raised(day, frozen, rule)
        # A day raised by one item alone may have a calm score: it still prolongs the episode.
        scan.calm_run = [*run, day] if is_calm(day, frozen, rule) and not raised else []
        if raised:
            last_raised = day
        if len(scan.calm_run) == rule.calm_run:
            episode_days = [d for d in logged[onset_index:] if d.date <= last_raised.date]
            scan.episodes.append(_episode(episode_days, frozen, end=last_raised.date))
            frozen, scan.calm_run, open_from = None, [], index + 1
    if frozen is not None:
        scan.episodes.append(_episode(logged[onset_index:], frozen, end=None))
    return scan


def _episode(days: Sequence[Day], baseline: Baseline, end: Date | None) -> Episode:
    peak = _peak(days)
    return Episode(days[0].date, end, peak.date, peak.score, baseline)


def possible_triggers(
    onset: Date, triggers: Iterable[Trigger], rule: RelapseRule = DEFAULT_RULE
) -> tuple[PossibleTrigger, ...]:
    """The triggers that began in the window before onset (onset day included), nearest last."""
    found = [
        PossibleTrigger(trigger, (onset - trigger.date).days)
        for trigger in triggers
        if 0 <= (onset - trigger.date).days <= rule.trigger_window_days
    ]
    return tuple(sorted(found, key=lambda p: (-p.days_before_onset, p.trigger.type)))


def illness_associated(
    onset: Date, triggers: Iterable[Trigger], rule: RelapseRule = DEFAULT_RULE
) -> bool:
    """Whether onset fell during a fever or an illness, or within the rule's days of one."""
    margin = rule.illness_window_days
    return any(
        shifted(trigger.date, -margin) <= onset <= shifted(trigger.last_date, margin)
        for trigger in triggers
        if trigger.type in ILLNESS_TYPES
    )


def episodes(
    days: Iterable[Day], triggers: Iterable[Trigger] = (), rule: RelapseRule = DEFAULT_RULE
) -> list[Episode]:
    """The possible-relapse episodes, oldest first, each with its possible triggers."""
    triggers = list(triggers)
    scan = _scan(logged_days(days), rule, _start_dates(triggers))
    return _with_triggers(scan.episodes, triggers, rule)


def _start_dates(triggers: Iterable[Trigger], last: Date | None = None) -> list[Date]:
    """When the triggers began (up to `last`, if given), in order: what the rule reads of them
    to flag a possible relapse sooner after one."""
    return sorted(t.date for t in triggers if last is None or t.date <= last)


def _with_triggers(
    found: Iterable[Episode], triggers: Iterable[Trigger], rule: RelapseRule
) -> list[Episode]:
    triggers = list(triggers)
    return [
        dataclasses.replace(
            episode,
            possible_triggers=possible_triggers(episode.onset, triggers, rule),
            illness_associated=illness_associated(episode.onset, triggers, rule),
        )
        for episode in found
    ]


# --- Series for the charts --------------------------------------------------------------------

MEAN_DAYS = 7
MEAN_MIN_LOGGED = 4  # fewer logged days than this in a week, and the 7-day mean has a gap


def seven_day_means(
    days: Iterable[Day], first: Date, last: Date
) -> list[tuple[Date, float | None]]:
    """For each day from first to last: the mean score of the logged days among the 7 ending
    on it, or None when fewer than 4 of them are logged (a line over gaps would invent data)."""
    logged = logged_days(days)
    dates = [day.date for day in logged]
    means = []
    for offset in range((last - first).days + 1):
        day = first + offset * ONE_DAY
        window = _window(logged, dates, shifted(day, 1), MEAN_DAYS)
        mean = statistics.fmean(d.score for d in window) if len(window) >= MEAN_MIN_LOGGED else None
        means.append((day, mean))
    return means


# --- What the dashboard says --------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    """Where the child stands today, in one word, with what it rests on."""

    kind: str  # "relapse", "rising", "stable" or "not_enough_data"
    since: Date | None = None  # the onset of an ongoing possible relapse
    raised_days: int = 0  # raised logged days in a row, ending at the last logged day
    run_needed: int = 0  # while rising: how many in a row would flag a possible relapse
    # The usual level now, and the logged days it rests on: the baseline days ending today
    # (today's entry included once it is logged).
    baseline: Baseline | None = None
    logged_in_window: int = 0


def status(
    days: Iterable[Day],
    today: Date,
    rule: RelapseRule = DEFAULT_RULE,
    triggers: Iterable[Trigger] = (),
) -> Status:
    """Stable, rising, possible relapse since a date, or not enough data yet: from the days
    and the triggers known on `today`."""
    logged = [day for day in logged_days(days) if day.date <= today]
    trigger_dates = _start_dates(triggers, today)
    return _status(logged, _scan(logged, rule, trigger_dates), today, rule, trigger_dates)


def status_and_episodes(
    days: Iterable[Day],
    today: Date,
    triggers: Iterable[Trigger] = (),
    rule: RelapseRule = DEFAULT_RULE,
) -> tuple[Status, list[Episode]]:
    """status() and episodes() at once: from one pass over the days when none is after today
    (the pass is most of the work for a long journal)."""
    logged, triggers = logged_days(days), list(triggers)
    if logged and logged[-1].date > today:
        return status(logged, today, rule, triggers), episodes(logged, triggers, rule)
    # A trigger after today changes nothing: a run is judged by the triggers before its first day.
    trigger_dates = _start_dates(triggers)
    scan = _scan(logged, rule, trigger_dates)
    found = _with_triggers(scan.episodes, triggers, rule)
    return _status(logged, scan, today, rule, trigger_dates), found


def _status(
    logged: Sequence[Day],
    scan: _Scan,
    today: Date,
    rule: RelapseRule,
    trigger_dates: Sequence[Date] = (),
) -> Status:
    if scan.episodes and scan.episodes[-1].ongoing:
        episode = scan.episodes[-1]
        return Status("relapse", since=episode.onset, baseline=episode.baseline)
    window = _window(logged, [d.date for d in logged], shifted(today, 1), rule.baseline_days)
    baseline = baseline_from(window, rule)
    if baseline is None:
        return Status("not_enough_data", logged_in_window=len(window))
    run = scan.raised_run
    # Rising while a day logged today would still continue the run.
    if run and (today - scan.recent[-1].day.date).days - 1 <= rule.max_gap_days:
        return Status(
            "rising",
            raised_days=len(run),
            run_needed=run_needed(scan.recent, trigger_dates, rule),
            baseline=baseline,
            logged_in_window=len(window),
        )
    return Status("stable", baseline=baseline, logged_in_window=len(window))


@dataclass(frozen=True)
class PeriodMeans:
    """Mean daily score and item means over a stretch of days, and how many were logged."""

    first: Date
    last: Date
    logged_days: int
    score: float | None
    items: Mapping[str, float | None]


def period_means(days: Iterable[Day], first: Date, last: Date) -> PeriodMeans:
    within = [day for day in logged_days(days) if first <= day.date <= last]
    items = {}
    for name in CORE_FIELDS:
        values = [day.ratings[name] for day in within if day.ratings.get(name) is not None]
        items[name] = statistics.fmean(values) if values else None
    score = statistics.fmean(day.score for day in within) if within else None
    return PeriodMeans(first, last, len(within), score, items)


def recent_against_before(
    days: Iterable[Day], today: Date, recent: int = 7, before: int = 28
) -> tuple[PeriodMeans, PeriodMeans]:
    """The last `recent` days (today included) and the `before` days before them."""
    days = list(days)
    start = shifted(today, 1 - recent)
    return (
        period_means(days, start, today),
        period_means(days, shifted(start, -before), shifted(start, -1)),
    )


# --- Triggers in perspective --------------------------------------------------------------------

FEW_TRIGGERS = 5  # below this many occurrences, a share means little, and the page says so


@dataclass(frozen=True)
class TriggerRecord:
    """How often one type of trigger occurred, and how often a possible relapse followed."""

    type: str
    occurred: int
    followed: int
    median_days_to_onset: float | None

    @property
    def too_few(self) -> bool:
        return self.occurred < FEW_TRIGGERS

    @property
    def label(self) -> str:
        return str(TRIGGER_LABELS.get(self.type, self.type))


def trigger_record(
    triggers: Iterable[Trigger],
    found: Sequence[Episode],
    first: Date,
    last: Date,
    rule: RelapseRule = DEFAULT_RULE,
) -> list[TriggerRecord]:
    """Per trigger type in the period: occurrences, those followed by a possible relapse within
    the rule's trigger window, and the median days from trigger to that onset."""
    by_type: dict[str, list[Trigger]] = {}
    for trigger in sorted(triggers, key=lambda t: t.date):
        if first <= trigger.date <= last:
            by_type.setdefault(trigger.type, []).append(trigger)
    onsets = sorted(episode.onset for episode in found)
    records = []
    for kind, occurrences in by_type.items():
        delays = [
            delay
            for trigger in occurrences
            if (delay := _days_to_next_onset(trigger.date, onsets)) is not None
            and delay <= rule.trigger_window_days
        ]
        median = statistics.median(delays) if delays else None
        records.append(TriggerRecord(kind, len(occurrences), len(delays), median))
    return sorted(records, key=lambda r: (-r.occurred, r.type))


def _days_to_next_onset(day: Date, onsets: Sequence[Date]) -> int | None:
    index = bisect.bisect_left(onsets, day)
    return (onsets[index] - day).days if index < len(onsets) else None
