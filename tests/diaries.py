"""Diaries as families really keep them, generated from a seed, with the truth beside them.

Each generated child has a usual level per core item that drifts slowly, day-to-day noise, and
planted relapses of five kinds, each preceded by a trigger event:

- sudden: the signs rise by 5 to 8 in all over one or two days;
- slow: they creep up over one to two weeks to 5 to 7 above the usual level;
- small: 3 or 4 above the usual level;
- one_sign: only Balance or only the Eyes worsen, by 2 or 3;
- back_to_back: a sudden or small relapse that follows soon after the end of another.

A realistic diary adds what a family's diary holds: two caregivers with different habits (the
second rates Sleep and Rage a level higher), about a quarter of days missing (more at weekends),
a week or two away now and then, a day in five with one or two signs not rated, and decoys (a
lone bad night, a two-day bump, fevers that lead nowhere). A clean diary has none of these: one
caregiver, every day logged and fully rated, little noise.

Each relapse says whether the diary can show it at all: at least 3 logged days in its first 8,
and a rise that the 0-3 ceiling of the ratings does not swallow (3 or more in the daily score,
or 2 or more in one sign). The evaluation (scripts/evaluate_relapse_rule.py) judges a rule
against this truth; the tests use it for the rule's measured promises.
"""

import dataclasses
import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from journal.analysis import TRIGGER_LABELS, Day, Trigger
from journal.scales import CORE_FIELDS, MAX_RATING

ONE_DAY = datetime.timedelta(days=1)
KINDS = ("sudden", "slow", "small", "one_sign", "back_to_back")
DECOY_KINDS = ("lone_bad_night", "two_day_bump", "fever_leading_nowhere")
# Triggers planted before a relapse, and how many days before its onset each may begin.
PLANTED_TRIGGERS = {
    "fever": (0, 5),
    "illness": (1, 7),
    "vaccination": (3, 14),
    "immunotherapy_change": (5, 21),
    "stress": (2, 14),
    "anaesthesia": (2, 10),
}
SECOND_CAREGIVER_HABIT = (("sleep", 1), ("rage", 1))  # rated this much higher than the first does


@dataclass(frozen=True)
class Habits:
    """What a diary holds besides the child's signs: who rates, what is missing, the decoys."""

    second_caregiver_share: float = 0.45  # share of logged days rated by the second caregiver
    missing_weekday: float = 0.20
    missing_weekend: float = 0.38
    away_per_year: float = 1.5  # a week or two away, this many times a year on average
    half_rated: float = 0.20  # days with one or two signs not rated
    decoys_per_year: float = 6.0  # lone bad nights, two-day bumps, fevers leading nowhere
    noise: float = 0.30  # day-to-day spread of each sign, in rating levels
    caregiver_habit: bool = True
    # What the second caregiver rates higher, and by how much: (item, levels) pairs.
    habit: tuple[tuple[str, int], ...] = SECOND_CAREGIVER_HABIT


REALISTIC = Habits()
CLEAN = Habits(
    second_caregiver_share=0.0,
    missing_weekday=0.0,
    missing_weekend=0.0,
    away_per_year=0.0,
    half_rated=0.0,
    decoys_per_year=0.0,
    noise=0.2,
    caregiver_habit=False,
)


@dataclass(frozen=True)
class PlantedRelapse:
    kind: str
    onset: datetime.date  # the first day the signs rise
    end: datetime.date  # the last day they stand above the usual level
    rise: dict[str, float]  # the full rise of each sign, in rating levels
    trigger: Trigger
    detectable: bool = False


@dataclass(frozen=True)
class Decoy:
    kind: str  # lone_bad_night, two_day_bump or fever_leading_nowhere
    start: datetime.date


@dataclass
class Diary:
    """One child's generated diary, and the truth it was made from."""

    seed: int
    first: datetime.date
    last: datetime.date
    days: list[Day] = field(default_factory=list)
    caregiver: dict[datetime.date, int] = field(default_factory=dict)  # 0 or 1, by logged day
    triggers: list[Trigger] = field(default_factory=list)
    relapses: list[PlantedRelapse] = field(default_factory=list)
    decoys: list[Decoy] = field(default_factory=list)

    @property
    def years(self) -> float:
        return ((self.last - self.first).days + 1) / 365.25


def _relapse_shape(kind: str, rng: random.Random) -> tuple[dict[str, float], int, int]:
    """The full rise of each sign, the days it takes to reach it, and the days it holds."""
    if kind == "one_sign":
        sign = rng.choice(["ataxia", "opsoclonus"])
        return {sign: float(rng.choice([2, 3]))}, rng.randint(1, 3), rng.randint(10, 25)
    if kind == "slow":
        total, ramp = rng.uniform(5, 7), rng.randint(7, 14)
    elif kind == "small":
        total, ramp = rng.choice([3.0, 3.5, 4.0]), rng.randint(1, 3)
    else:
        total, ramp = rng.uniform(5, 8), rng.randint(1, 2)
    weights = [rng.uniform(0.5, 1.5) for _ in CORE_FIELDS]
    rise = {name: total * w / sum(weights) for name, w in zip(CORE_FIELDS, weights, strict=True)}
    return rise, ramp, rng.randint(10, 30)


def _effect(day: datetime.date, onset: datetime.date, ramp: int, hold: int, fall: int) -> float:
    """Share of a relapse's full rise on `day`: 0 before onset, up over `ramp` days, held, down."""
    since = (day - onset).days
    if since < 0:
        return 0.0
    if since < ramp:
        return (since + 1) / ramp
    if since < ramp + hold:
        return 1.0
    return max(0.0, 1 - (since - ramp - hold + 1) / (fall + 1))


def _plant_relapses(first, last, rng, kinds) -> list[tuple[PlantedRelapse, int, int, int]]:
    planted = []
    day = first + rng.randint(35, 70) * ONE_DAY
    while day < last - 20 * ONE_DAY:
        after_previous = planted and rng.random() < 0.25
        kind = rng.choice(["sudden", "small"]) if after_previous else rng.choice(kinds[:4])
        rise, ramp, hold = _relapse_shape(kind, rng)
        fall = rng.randint(4, 10)
        end = day + (ramp + hold + fall - 1) * ONE_DAY
        trigger_type = rng.choice(sorted(PLANTED_TRIGGERS))
        low, high = PLANTED_TRIGGERS[trigger_type]
        start = day - rng.randint(low, high) * ONE_DAY
        ends = start + rng.randint(1, 5) * ONE_DAY if trigger_type in ("fever", "illness") else None
        trigger = Trigger(start, trigger_type, TRIGGER_LABELS[trigger_type], ends)
        kind = "back_to_back" if after_previous else kind
        relapse = PlantedRelapse(kind, day, end, rise, trigger)
        planted.append((relapse, ramp, hold, fall))
        gap = rng.randint(5, 12) if rng.random() < 0.25 else rng.randint(45, 120)
        day = end + gap * ONE_DAY
    return planted


def _usual_levels(rng: random.Random) -> dict[str, float]:
    return {name: rng.uniform(0.0, 1.3) for name in CORE_FIELDS}


def _away_days(first, last, rng, per_year) -> set[datetime.date]:
    away = set()
    total = (last - first).days + 1
    for _ in range(_poisson(rng, per_year * total / 365.25)):
        start = first + rng.randint(0, total - 1) * ONE_DAY
        away.update(start + i * ONE_DAY for i in range(rng.randint(7, 14)))
    return away


def _poisson(rng: random.Random, mean: float) -> int:
    count, threshold, product = 0, pow(2.718281828459045, -mean), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def _decoys(first, last, rng, per_year) -> list[tuple[Decoy, dict[datetime.date, dict]]]:
    """Each decoy and its bumps: day -> {sign: extra levels}."""
    found = []
    total = (last - first).days + 1
    for _ in range(_poisson(rng, per_year * total / 365.25)):
        start = first + rng.randint(20, total - 1) * ONE_DAY
        kind = rng.choice(list(DECOY_KINDS))
        if kind == "lone_bad_night":
            bumps = {start: {"sleep": 2.5, "rage": 1.5}}
        elif kind == "two_day_bump":
            bump = {name: rng.uniform(0.5, 1.3) for name in CORE_FIELDS}
            bumps = {start: bump, start + ONE_DAY: bump}
        else:
            bumps = {start + i * ONE_DAY: {"sleep": 1.2, "rage": 0.8} for i in range(2)}
        found.append((Decoy(kind, start), bumps))
    return found


def generate(
    seed: int,
    habits: Habits = REALISTIC,
    years: float = 2.0,
    kinds: tuple[str, ...] = KINDS,
    first: datetime.date = datetime.date(2024, 1, 1),
) -> Diary:
    """One child's diary over `years`, the same for the same seed and habits."""
    rng = random.Random(seed)
    last = first + (round(years * 365.25) - 1) * ONE_DAY
    diary = Diary(seed, first, last)
    planted = _plant_relapses(first, last, rng, kinds)
    usual = _usual_levels(rng)
    drift = {name: rng.uniform(-0.4, 0.3) / 365 for name in CORE_FIELDS}  # levels a day
    away = _away_days(first, last, rng, habits.away_per_year)
    decoys = _decoys(first, last, rng, habits.decoys_per_year)
    bumps: dict[datetime.date, dict[str, float]] = {}
    for decoy, its_bumps in decoys:
        diary.decoys.append(decoy)
        for day, bump in its_bumps.items():
            for name, extra in bump.items():
                bumps.setdefault(day, {})[name] = bumps.get(day, {}).get(name, 0) + extra
        if decoy.kind == "fever_leading_nowhere":
            diary.triggers.append(
                Trigger(decoy.start, "fever", TRIGGER_LABELS["fever"], decoy.start + ONE_DAY)
            )
    level: dict[datetime.date, dict[str, float]] = {}
    for offset in range((last - first).days + 1):
        day = first + offset * ONE_DAY
        latent = {name: max(0.0, usual[name] + drift[name] * offset) for name in CORE_FIELDS}
        for relapse, ramp, hold, fall in planted:
            share = _effect(day, relapse.onset, ramp, hold, fall)
            for name, rise in relapse.rise.items():
                latent[name] += share * rise
        level[day] = latent
        weekend = day.weekday() >= 5
        missing = habits.missing_weekend if weekend else habits.missing_weekday
        if day in away or rng.random() < missing:
            continue
        diary.days.append(_rated_day(day, latent, bumps.get(day, {}), habits, rng, diary))
    for relapse, _, _, _ in planted:
        detectable = _detectable(relapse, diary, usual_before=level[relapse.onset - ONE_DAY])
        diary.relapses.append(dataclasses.replace(relapse, detectable=detectable))
        diary.triggers.append(relapse.trigger)
    diary.triggers.sort(key=lambda t: (t.date, t.type))
    return diary


def _rated_day(day, latent, bump, habits, rng, diary) -> Day:
    caregiver = 1 if rng.random() < habits.second_caregiver_share else 0
    diary.caregiver[day] = caregiver
    ratings = {}
    for name in CORE_FIELDS:
        value = latent[name] + bump.get(name, 0) + rng.gauss(0, habits.noise)
        if caregiver and habits.caregiver_habit:
            value += dict(habits.habit).get(name, 0)
        ratings[name] = min(MAX_RATING, max(0, round(value)))
    if rng.random() < habits.half_rated:
        for name in rng.sample(CORE_FIELDS, rng.choice([1, 1, 2])):
            ratings[name] = None
    return Day(day, ratings)


def _detectable(relapse: PlantedRelapse, diary: Diary, usual_before: dict[str, float]) -> bool:
    """At least 3 logged days in the first 8, and a rise the 0-3 ceiling does not swallow."""
    first_eight = {relapse.onset + i * ONE_DAY for i in range(8)}
    logged = sum(1 for day in diary.days if day.date in first_eight)
    shown = {
        name: min(MAX_RATING, usual_before[name] + rise) - min(MAX_RATING, usual_before[name])
        for name, rise in relapse.rise.items()
    }
    return logged >= 3 and (sum(shown.values()) >= 3 or max(shown.values()) >= 2)


def diaries(
    seeds: range, habits: Habits = REALISTIC, years: float = 2.0, kinds=KINDS
) -> Iterator[Diary]:
    for seed in seeds:
        yield generate(seed, habits, years, kinds)
