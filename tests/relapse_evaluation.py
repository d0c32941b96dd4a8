"""How well a possible-relapse rule finds the relapses planted in generated diaries.

A found episode matches a planted relapse when its onset lies from 7 days before the relapse's
onset to the relapse's last raised day; each relapse is matched once, and every episode left
unmatched (a decoy, the noise, a relapse found twice) is a false flag. Recall counts the
relapses the diary can show (PlantedRelapse.detectable); precision counts every episode.

The delay to the first flag is replayed day by day as a parent would have seen it: on each
evening from 7 days before the onset, the dashboard's status from the days logged so far, until
it first says "possible relapse" for an episode matching this relapse.
"""

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from journal import analysis
from tests.diaries import KINDS, Diary, PlantedRelapse

EARLY_MATCH_DAYS = 7
DECOY_NEAR_DAYS = 3  # a false flag whose onset is this near a decoy's start is put down to it
ONSET_WINDOW = (-4, 5)  # onset error the issue accepts, in days
REPLAY_BEFORE_DAYS = 120  # the status of an evening reads this many days back at most
ONE_DAY = datetime.timedelta(days=1)


@dataclass
class KindCounts:
    planted: int = 0
    detectable: int = 0
    found: int = 0  # detectable relapses matched by an episode
    trigger_named: int = 0  # of those found, the planted trigger among the possible triggers
    onset_errors: list[int] = field(default_factory=list)
    delays: list[int] = field(default_factory=list)  # to the first evening flagged

    @property
    def recall(self) -> float:
        return self.found / self.detectable if self.detectable else 1.0


@dataclass
class Report:
    kinds: dict[str, KindCounts] = field(default_factory=lambda: defaultdict(KindCounts))
    episodes: int = 0
    false_flags: int = 0
    # What each false flag stood near: a decoy's kind, "relapse" (a second episode within a
    # relapse's span) or "noise" (nothing planted near).
    false_flag_causes: Counter = field(default_factory=Counter)
    years: float = 0.0

    @property
    def all(self) -> KindCounts:
        total = KindCounts()
        for counts in self.kinds.values():
            total.planted += counts.planted
            total.detectable += counts.detectable
            total.found += counts.found
            total.trigger_named += counts.trigger_named
            total.onset_errors += counts.onset_errors
            total.delays += counts.delays
        return total

    @property
    def precision(self) -> float:
        return (self.episodes - self.false_flags) / self.episodes if self.episodes else 1.0

    @property
    def false_flags_per_child_year(self) -> float:
        return self.false_flags / self.years if self.years else 0.0


def _matches(episode: analysis.Episode, relapse: PlantedRelapse) -> bool:
    return relapse.onset - EARLY_MATCH_DAYS * ONE_DAY <= episode.onset <= relapse.end


def match(
    found: list[analysis.Episode], planted: list[PlantedRelapse]
) -> dict[int, analysis.Episode]:
    """Planted relapse index -> the episode that found it; each episode used once, nearest first."""
    pairs = sorted(
        (abs((e.onset - r.onset).days), ri, ei)
        for ri, r in enumerate(planted)
        for ei, e in enumerate(found)
        if _matches(e, r)
    )
    matched, used = {}, set()
    for _, ri, ei in pairs:
        if ri not in matched and ei not in used:
            matched[ri], used = found[ei], used | {ei}
    return matched


def false_flag_cause(episode: analysis.Episode, diary: Diary) -> str:
    """What a false flag stood near: the kind of a decoy that began within DECOY_NEAR_DAYS of
    its onset, "relapse" when its onset lies in a planted relapse's span (from EARLY_MATCH_DAYS
    before its onset to its end: a relapse flagged twice), else "noise"."""
    for decoy in diary.decoys:
        if abs((episode.onset - decoy.start).days) <= DECOY_NEAR_DAYS:
            return decoy.kind
    for relapse in diary.relapses:
        if relapse.onset - EARLY_MATCH_DAYS * ONE_DAY <= episode.onset <= relapse.end:
            return "relapse"
    return "noise"


def first_flag_delay(diary: Diary, relapse: PlantedRelapse, rule) -> int | None:
    """Days from the onset to the first evening the dashboard said "possible relapse" for it."""
    since = relapse.onset - REPLAY_BEFORE_DAYS * ONE_DAY
    window = [day for day in diary.days if day.date >= since]
    evening = relapse.onset - EARLY_MATCH_DAYS * ONE_DAY
    while evening <= relapse.end:
        known = [day for day in window if day.date <= evening]
        now = analysis.status(known, evening, rule, diary.triggers)
        if now.kind == "relapse" and relapse.onset - EARLY_MATCH_DAYS * ONE_DAY <= now.since:
            return (evening - relapse.onset).days
        evening += ONE_DAY
    return None


def evaluate(diaries: Iterable[Diary], rule=analysis.DEFAULT_RULE, replay=True) -> Report:
    report = Report()
    for diary in diaries:
        found = analysis.episodes(diary.days, diary.triggers, rule)
        matched = match(found, diary.relapses)
        report.episodes += len(found)
        report.false_flags += len(found) - len(matched)
        matched_ids = {id(episode) for episode in matched.values()}
        for episode in found:
            if id(episode) not in matched_ids:
                report.false_flag_causes[false_flag_cause(episode, diary)] += 1
        report.years += diary.years
        for index, relapse in enumerate(diary.relapses):
            counts = report.kinds[relapse.kind]
            counts.planted += 1
            if not relapse.detectable:
                continue
            counts.detectable += 1
            episode = matched.get(index)
            if episode is None:
                continue
            counts.found += 1
            counts.onset_errors.append((episode.onset - relapse.onset).days)
            named = {p.trigger for p in episode.possible_triggers}
            counts.trigger_named += relapse.trigger in named
            if replay:
                delay = first_flag_delay(diary, relapse, rule)
                if delay is not None:
                    counts.delays.append(delay)
    return report


def _median(values: list[int]) -> str:
    return f"{statistics.median(values):g}" if values else "-"


def _within(errors: list[int]) -> str:
    low, high = ONSET_WINDOW
    if not errors:
        return "-"
    return f"{sum(low <= e <= high for e in errors) / len(errors):.2f}"


def _causes(report: Report) -> str:
    """The false flags by what they stood near, most first: "; near: noise 6, ..."."""
    if not report.false_flag_causes:
        return ""
    named = ", ".join(f"{cause} {n}" for cause, n in report.false_flag_causes.most_common())
    return f"; near: {named}"


def table(report: Report, title: str) -> str:
    """The report as a Markdown table: one row per kind of relapse, then all of them."""
    lines = [
        f"**{title}**: precision {report.precision:.2f} ({report.episodes} episodes, "
        f"{report.false_flags} false flags, {report.false_flags_per_child_year:.2f} per "
        f"child-year over {report.years:.0f} child-years{_causes(report)})",
        "",
        "| kind | planted | detectable | found | recall | onset error median (IQR) "
        "| onsets within -4..+5 | median delay to first flag | trigger named |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [(kind, report.kinds[kind]) for kind in KINDS if kind in report.kinds]
    for kind, counts in [*rows, ("all", report.all)]:
        errors = counts.onset_errors
        spread = (
            "{:g}..{:g}".format(*statistics.quantiles(errors, n=4)[::2])
            if len(errors) >= 2
            else "-"
        )
        named = f"{counts.trigger_named / counts.found:.2f}" if counts.found else "-"
        lines.append(
            f"| {kind} | {counts.planted} | {counts.detectable} | {counts.found} "
            f"| {counts.recall:.2f} | {_median(errors)} ({spread}) | {_within(errors)} "
            f"| {_median(counts.delays)} | {named} |"
        )
    return "\n".join(lines)
