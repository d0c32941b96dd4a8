"""The demo family: three caregiver accounts, a child called Maya and ~18 months of her diary.

`python manage.py seed_demo` calls `seed()`. Every number comes from one `random.Random(seed)` and
every date is counted back from today in Maya's time zone, so each run tells the same story, ending
today. The story is invented for demonstration; it is no real child's diary.

The plot, by day of the diary (day 0 is the first entry, about 18 months ago):

- before day 0: diagnosis, an MRI under anaesthetic finds a neuroblastoma, surgery removes it;
  dexamethasone pulses (every 4 weeks) and IVIG (every 4 weeks) begin. Scores start high and
  improve over the first three months; trazodone for sleep from day 14.
- relapse 1, day 106: eleven days after a fever with RSV (4 nights in hospital, not logged).
- relapse 2, day 240: twelve days after the injected (not live) flu vaccine; treated with a
  prednisolone taper, 2 mg/kg lowered every two weeks.
- relapse 3, day 342: fourteen days after the last prednisolone dose; dexamethasone pulses restart.
- other triggers with no relapse: moving house, a check-up MRI under anaesthetic, a delayed IVIG
  infusion, starting nursery. A 9-day holiday goes unlogged.
- a cold with a mild fever, day 499: for its six days Eyes, Jerks and Balance are each a level up,
  which the rule flags as a possible relapse, illness-associated, over when the cold is.

Today itself is left unlogged, so the demo opens on a day waiting to be filled in.
"""

import datetime
import math
import random
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from journal import services
from journal.models import (
    Child,
    DailyEntry,
    DoseChange,
    Doses,
    Drug,
    Membership,
    Role,
    TreatmentCourse,
    TriggerEvent,
)
from journal.scales import CORE_FIELDS

DEMO_PASSWORD = "oms-demo-2024"  # noqa: S105 - a documented demo password, printed on purpose
DEMO_SEED = 2024
LOGIN_URL = "http://127.0.0.1:8000/accounts/login/"
TIME_ZONE = "Europe/London"
HISTORY_DAYS = 548  # day 0 is 547 days before today: about 18 months
AGE_DAYS = 1130  # Maya is a little over three
DIAGNOSIS_DAY = -31  # diagnosed a month before the diary starts, about 19 months ago


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    email: str
    role: str


DEMO_USERS = (
    DemoUser("demo", "Anna", "demo@example.com", Role.OWNER),
    DemoUser("demo-dad", "Tom", "demo-dad@example.com", Role.CAREGIVER),
    DemoUser("demo-grandma", "Margaret", "demo-grandma@example.com", Role.VIEWER),
)
USERNAMES = tuple(user.username for user in DEMO_USERS)


# ---------------------------------------------------------------------------------------------
# The plot, in days of the diary. Nothing here touches the database.


@dataclass(frozen=True)
class Flare:
    onset: int  # day the scores first stand clearly raised
    height: float  # severity added at the peak, on the 0-1 scale of `severity()`
    plateau: int  # days at the peak
    settle: int  # days to fall back to baseline afterwards

    def added(self, day: int) -> float:
        since = day - self.onset
        if since < -2 or since >= self.plateau + self.settle:
            return 0.0
        if since < 0:
            return self.height * (0.25 if since == -2 else 0.55)
        if since < self.plateau:
            return self.height
        return self.height * (1 - (since - self.plateau + 1) / (self.settle + 1))

    def covers(self, day: int, margin: int = 0) -> bool:
        return self.onset - 3 - margin <= day <= self.onset + self.plateau + 3 + margin


FLARES = (
    Flare(onset=106, height=0.42, plateau=7, settle=18),  # after RSV with fever
    Flare(onset=240, height=0.38, plateau=6, settle=16),  # after the flu vaccine
    Flare(onset=342, height=0.46, plateau=9, settle=21),  # after prednisolone stopped
)

HOSPITAL = range(97, 101)  # 4 nights on the children's ward with RSV: nothing logged
HOLIDAY = range(440, 449)  # 9 days in Cornwall, the diary left at home
FEVER_DAYS = {95: Decimal("39.4"), 96: Decimal("38.6"), 500: Decimal("38.3")}
ILLNESS_DAYS = {*range(95, 102), *range(499, 505)}
STRESS_DAYS = {*range(190, 194), 470, 471, 300}  # moving house, nursery, the check-up MRI

PRED_START, PRED_STEP_DAYS, PRED_END = 244, (258, 272, 286, 300, 314), 327
PRED_DOSES = (Decimal("2"), Decimal("1.5"), Decimal("1"), Decimal("0.75"), Decimal("0.5"))
PRED_DOSES = (*PRED_DOSES, Decimal("0.25"))
DEX_FIRST_END, DEX_AGAIN = 160, 347
TRAZODONE_START = 14
IVIG_DELAYED = 430


def dex_pulse_days() -> set[int]:
    """Three days every four weeks, first from before the diary to day 160, again from 347.

    The neurology team gave one extra pulse at the start of the first relapse.
    """
    days: set[int] = set(range(FLARES[0].onset + 2, FLARES[0].onset + 5))
    for first, last in ((-20, DEX_FIRST_END), (DEX_AGAIN, HISTORY_DAYS)):
        for start in range(first, last, 28):
            days.update(range(start, start + 3))
    return days


def ivig_days() -> list[int]:
    """Every four weeks from before the diary; the infusion due on day 430 went a week late."""
    days, day = [], -18
    while day < HISTORY_DAYS:
        days.append(day)
        day += 35 if day == IVIG_DELAYED else 28
    return days


def severity(day: int) -> float:
    """How unwell Maya is on a day, 0 (well) to 1 (as at diagnosis), before day-to-day noise."""
    recovering = 0.10 + 0.62 * math.exp(-day / 38)
    flares = sum(flare.added(day) for flare in FLARES)
    unsettled = 0.06 if day in ILLNESS_DAYS or day in STRESS_DAYS else 0.0
    return recovering + flares + unsettled


# How each item follows the severity: rating ~ 3 * (residual + weight * severity).
ITEM_RESIDUAL = {"opsoclonus": 0.0, "myoclonus": 0.02, "ataxia": 0.12, "sleep": 0.05, "rage": 0.06}
ITEM_WEIGHT = {"opsoclonus": 1.0, "myoclonus": 0.95, "ataxia": 1.0, "sleep": 0.85, "rage": 0.95}


def _rating(value: float) -> int:
    return max(0, min(3, int(value + 0.5)))


# Scripted notes and questions, in the parents' words. Days with one are always logged.
NOTES = {
    0: "First evening of the diary. The OMS nurse asked us to write down how she's been each day.",
    3: "Eyes still dancing a lot when she's tired. Needs holding to stand.",
    TRAZODONE_START: "Started trazodone at bedtime tonight.",
    15: "Slept 6 hours straight for the first time in weeks!",
    31: "Pulled herself up on the sofa and stood for a few seconds.",
    52: "Feeding herself with a spoon again, a bit messy.",
    73: "Walked between the sofa and me, three steps!",
    95: "Temperature 39.4 and a horrible cough. GP says it's RSV.",
    96: "Breathing fast, going into the children's ward tonight.",
    101: "Home from hospital. Still coughing but eating again.",
    104: "A bit more wobbly than before the RSV. Watching her.",
    106: "Eyes are dancing again, like at the very beginning.",
    107: "Falling over a lot, won't walk unless she's holding my hand.",
    108: "Rang the neurology team; they're giving an extra dex pulse.",
    110: "Terrible night, up from 2am screaming.",
    118: "Eyes calmer today. Still very clingy.",
    126: "Feels like she's coming back to herself.",
    190: "Moving house this week. Chaos, late nights, new bedroom.",
    194: "Settling into the new house. She likes her new room.",
    215: "Said 'more please' at dinner! First new words in weeks.",
    228: "Flu jab today (the injection, not the nasal spray). Sore arm, a bit clingy.",
    238: "A few jerks at tea time, probably just tired.",
    240: "Wobbly again and the eye flickers are back. Two weeks after the flu jab.",
    241: "Can't hold her cup without spilling. Called the ward.",
    244: "Started prednisolone, 2 mg/kg. Coming down every two weeks.",
    252: "Starving hungry on the pred and a bit puffy in the face.",
    258: "Prednisolone down to 1.5 mg/kg.",
    272: "Prednisolone down to 1 mg/kg.",
    286: "Prednisolone down to 0.75 mg/kg.",
    300: "MRI under anaesthetic this morning. Woke up very upset, but the scan is clear!",
    314: "Prednisolone down to 0.25 mg/kg, the last step.",
    328: "No more prednisolone! Fingers crossed.",
    340: "Bit jerky this evening.",
    342: "Jerks are back, she spilled her drink at every meal.",
    343: "Eyes darting again and up in the night. Rang the neurology nurse.",
    347: "Dex pulses restarted.",
    351: "Hardest week in months. Won't walk at all.",
    365: "Better. Ran (well, wobbled fast) to the door when Tom came home.",
    378: "Good day at the park, went down the little slide on her own.",
    IVIG_DELAYED: "IVIG postponed a week, the day unit had no bed.",
    439: "Off to Cornwall tomorrow; the diary stays at home!",
    449: "Back from Cornwall. She walked on the beach holding just one finger.",
    470: "First morning at nursery. She loved the sandpit.",
    471: "Very tired after nursery, early night.",
    499: "Runny nose and a cough from nursery.",
    500: "Temperature 38.3, Calpol and cuddles.",
    505: "Cold gone, back to normal.",
    520: "Climbed the stairs with one hand on the rail.",
}
QUESTIONS = {
    20: "Her eyes still flicker when she's tired. Is that expected this early in treatment?",
    60: "How long will she need the IVIG? Is there a plan for stopping it one day?",
    104: "Could the RSV set the OMS off again? What should we look out for?",
    112: "When she flares, can we get an extra steroid pulse straight away, or wait for clinic?",
    233: "She's due more jabs next year. Should they be timed around her treatment?",
    245: "Could the flu jab have caused this flare?",
    320: "Is stopping the prednisolone completely the right step, or should we go slower?",
    352: "This is her third flare. Is rituximab something we should think about?",
    480: "Is nursery OK while she's on IVIG? She catches every cold going.",
    525: "Her balance still isn't like other children her age. Would more physio help?",
}
EVERYDAY_NOTES = (
    "Good day, lots of giggles.",
    "Tired after a long day, but no jerks to speak of.",
    "Grumpy at bedtime, otherwise fine.",
    "Played with her blocks for ages, steady hands.",
    "A couple of tumbles in the garden.",
    "Napped badly, early to bed.",
    "Lovely day at Grandma's.",
    "Long meltdown over her shoes this morning.",
    "Walked round the supermarket holding the trolley.",
    "Eyes flickered a little in the car, gone by tea time.",
)
IVIG_NOTES = (
    "IVIG at the day unit today. Tired and grumpy afterwards.",
    "IVIG day. Slept most of the afternoon.",
    "IVIG went smoothly, the nurse got the cannula first time.",
)


@dataclass
class DayPlan:
    """One logged day, as plain values: what `DailyEntry` will hold."""

    day: int
    ratings: dict[str, int | None]
    sleep_hours: Decimal | None
    night_wakings: int | None
    rage_episodes: int | None
    rage_longest_minutes: int | None
    max_temperature_c: Decimal | None
    doses: str
    notes: str
    question: str
    by_dad: bool
    edited_by_other: bool
    minutes_after_seven_pm: int = field(default=90)

    def entry(self, child: Child, date: datetime.date, author, editor) -> DailyEntry:
        """The day as `child`'s entry on `date`, written by `author`, last changed by `editor`
        (not saved)."""
        return DailyEntry(
            child=child,
            date=date,
            **self.ratings,
            sleep_hours=self.sleep_hours,
            night_wakings=self.night_wakings,
            rage_episodes=self.rage_episodes,
            rage_longest_minutes=self.rage_longest_minutes,
            max_temperature_c=self.max_temperature_c,
            doses=self.doses,
            notes=self.notes,
            question=self.question,
            created_by=author,
            updated_by=editor,
        )


def logged_days(rng: random.Random) -> list[int]:
    """The diary days that have an entry: most days, with scattered misses and two long gaps."""
    days = []
    missed_yesterday = False
    for day in range(HISTORY_DAYS - 1):  # today is left for the demo user to fill in
        if day in HOSPITAL or day in HOLIDAY:
            missed_yesterday = True
            continue
        scripted = day in NOTES or day in QUESTIONS
        chance = 0.3 if missed_yesterday else 0.055
        if not scripted and not any(f.covers(day) for f in FLARES) and rng.random() < chance:
            missed_yesterday = True
            continue
        missed_yesterday = False
        days.append(day)
    return days


def plan_day(rng: random.Random, day: int, ivig: set[int], dex: set[int]) -> DayPlan:
    level = severity(day)
    if rng.random() < 0.04:  # an odd bad day that never lasts
        level += 0.15
    ratings: dict[str, int | None] = {}
    for item in CORE_FIELDS:
        value = 3 * min(1.0, ITEM_RESIDUAL[item] + ITEM_WEIGHT[item] * level)
        if item in ("sleep", "rage") and day in dex:
            value += 0.4  # steroid pulses: hungry, up at night, short-tempered
        ratings[item] = _rating(value + rng.gauss(0, 0.28))
    if rng.random() < 0.012 and not any(f.covers(day, margin=14) for f in FLARES):
        ratings[rng.choice(CORE_FIELDS)] = None  # not observed (she was at Grandma's)
    sleep, rage = ratings["sleep"] or 0, ratings["rage"] or 0

    sleep_hours = None
    if rng.random() < 0.9:
        hours = 11.25 - 1.2 * sleep + rng.gauss(0, 0.45)
        sleep_hours = Decimal(f"{max(4.0, min(13.0, round(hours * 4) / 4)):.2f}")
    night_wakings = None
    if rng.random() < 0.9:
        night_wakings = rng.choice(([0, 0, 0, 1], [1, 1, 2], [2, 3, 3, 4], [4, 5, 6, 7])[sleep])
    rage_episodes = rage_longest = None
    if rng.random() < 0.85:
        rage_episodes = (0, rng.randint(1, 3), rng.randint(3, 6), rng.randint(5, 10))[rage]
        if rage_episodes:
            rage_longest = (0, rng.randint(1, 4), rng.randint(6, 14), rng.randint(16, 40))[rage]

    planned = day >= TRAZODONE_START or day in dex or day in ivig
    doses = ""
    if planned:
        roll = rng.random()
        if day in FEVER_DAYS:
            doses = Doses.PARTLY  # spat half of it out
        elif roll < 0.006:
            doses = Doses.NO
        elif roll < 0.035:
            doses = Doses.PARTLY
        elif roll < 0.075:
            doses = ""  # forgot to tick it
        else:
            doses = Doses.YES

    notes = NOTES.get(day, "")
    if not notes and day in ivig:
        notes = rng.choice(IVIG_NOTES)
    elif not notes and day in PRED_STEP_DAYS:
        notes = "Next prednisolone step down today."
    elif not notes and rng.random() < 0.06:
        notes = rng.choice(EVERYDAY_NOTES)

    return DayPlan(
        day=day,
        ratings=ratings,
        sleep_hours=sleep_hours,
        night_wakings=night_wakings,
        rage_episodes=rage_episodes,
        rage_longest_minutes=rage_longest,
        max_temperature_c=FEVER_DAYS.get(day),
        doses=doses,
        notes=notes,
        question=QUESTIONS.get(day, ""),
        by_dad=rng.random() < 0.3,
        edited_by_other=rng.random() < 0.07,
        minutes_after_seven_pm=rng.randint(0, 180),
    )


def plan_history(seed: int = DEMO_SEED) -> list[DayPlan]:
    """Every logged day of the demo diary, as plain values. Pure: the same seed, the same days."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    ivig, dex = set(ivig_days()), dex_pulse_days()
    return [plan_day(rng, day, ivig, dex) for day in logged_days(rng)]


def event_plans() -> Iterator[dict]:
    """The trigger events, as model field values with `day` (and `end`) in days of the diary."""
    ev = TriggerEvent.Type
    yield {
        "day": DIAGNOSIS_DAY + 2,
        "type": ev.ANAESTHESIA,
        "procedure": "MRI of chest and tummy under general anaesthetic",
        "notes": "The scan found a small lump on her left adrenal gland.",
    }
    yield {
        "day": DIAGNOSIS_DAY + 9,
        "end": DIAGNOSIS_DAY + 14,
        "type": ev.ANAESTHESIA,
        "procedure": "Surgery to remove the neuroblastoma (left adrenal)",
        "notes": "Tumour removed completely. No chemotherapy needed, said the oncologist.",
    }
    yield {
        "day": 95,
        "end": 101,
        "type": ev.ILLNESS,
        "illness_kind": TriggerEvent.Illness.RESPIRATORY,
        "pathogen": "RSV",
        "notes": "Bad cough and wheezing. Four nights on the children's ward for oxygen.",
    }
    yield {"day": 95, "end": 96, "type": ev.FEVER, "temperature_c": FEVER_DAYS[95]}
    yield {
        "day": 190,
        "end": 193,
        "type": ev.STRESS,
        "notes": "Moved house. Lots of boxes, late nights, a new bedroom.",
    }
    yield {
        "day": 228,
        "type": ev.VACCINATION,
        "vaccine": "Flu vaccine (injection)",
        "live_vaccine": False,
        "notes": "The injected one: the nasal spray is a live vaccine, not for her on treatment.",
    }
    yield {
        "day": 300,
        "type": ev.ANAESTHESIA,
        "procedure": "Check-up MRI under general anaesthetic",
        "notes": "Tumour check. All clear.",
    }
    yield {
        "day": PRED_END + 1,
        "type": ev.IMMUNOTHERAPY_CHANGE,
        "change": TriggerEvent.Change.STOPPED,
        "drug": "Prednisolone",
        "notes": "End of the taper: the last dose was yesterday.",
    }
    yield {
        "day": IVIG_DELAYED,
        "type": ev.IMMUNOTHERAPY_CHANGE,
        "change": TriggerEvent.Change.DELAYED_INFUSION,
        "drug": "IVIG",
        "notes": "The day unit had no bed; the infusion moved by a week.",
    }
    yield {"day": 470, "type": ev.STRESS, "notes": "Started nursery, two mornings a week."}
    yield {
        "day": 499,
        "end": 504,
        "type": ev.ILLNESS,
        "illness_kind": TriggerEvent.Illness.RESPIRATORY,
        "notes": "A cold from nursery.",
    }
    yield {"day": 500, "type": ev.FEVER, "temperature_c": FEVER_DAYS[500]}


def course_plans() -> Iterator[tuple[dict, list[tuple[int, Decimal, str]]]]:
    """Treatment courses as field values (days of the diary), each with its dose changes."""
    tc = TreatmentCourse
    yield (
        {
            "drug": Drug.DEXAMETHASONE,
            "regimen": tc.Regimen.PULSE,
            "dose": Decimal("20"),
            "unit": tc.Unit.MG_M2,
            "route": tc.Route.ORAL,
            "day": -20,
            "end": DEX_FIRST_END,
            "notes": "20 mg/m² a day for 3 days, every 4 weeks. Extra pulse after the RSV flare.",
        },
        [],
    )
    yield (
        {
            "drug": Drug.IVIG,
            "regimen": tc.Regimen.INFUSION_CYCLE,
            "dose": Decimal("2"),
            "unit": tc.Unit.G_KG,
            "route": tc.Route.IV,
            "day": -18,
            "end": None,
            "notes": "Every 4 weeks at the day unit. 2 g/kg for the first, then 1 g/kg.",
        },
        [(10, Decimal("1"), "Maintenance dose from the second infusion")],
    )
    yield (
        {
            "drug": Drug.TRAZODONE,
            "purpose": tc.Purpose.SYMPTOM_CONTROL,
            "regimen": tc.Regimen.DAILY,
            "dose": Decimal("25"),
            "unit": tc.Unit.MG,
            "route": tc.Route.ORAL,
            "day": TRAZODONE_START,
            "end": None,
            "notes": "At bedtime, for sleep and rage.",
        },
        [],
    )
    yield (
        {
            "drug": Drug.PREDNISOLONE,
            "regimen": tc.Regimen.TAPER,
            "dose": PRED_DOSES[0],
            "unit": tc.Unit.MG_KG,
            "route": tc.Route.ORAL,
            "day": PRED_START,
            "end": PRED_END,
            "notes": "After the flu-jab flare: 2 mg/kg a day, lowered every 2 weeks, then stopped.",
        },
        [
            (day, dose, "Taper step")
            for day, dose in zip(PRED_STEP_DAYS, PRED_DOSES[1:], strict=True)
        ],
    )
    yield (
        {
            "drug": Drug.DEXAMETHASONE,
            "regimen": tc.Regimen.PULSE,
            "dose": Decimal("20"),
            "unit": tc.Unit.MG_M2,
            "route": tc.Route.ORAL,
            "day": DEX_AGAIN,
            "end": None,
            "notes": "Restarted after the third flare: 3 days every 4 weeks. Rituximab discussed.",
        },
        [],
    )


# ---------------------------------------------------------------------------------------------
# Writing it to the database.


@dataclass(frozen=True)
class SeedResult:
    child: Child
    first_day: datetime.date
    last_day: datetime.date
    entries: int
    events: int
    courses: int
    relapse_onsets: tuple[datetime.date, ...]


def login_words(server: str) -> str:
    """Two lines: where to log in as the demo family, and with which password.

    Empty when the demo accounts are gone; the password only while they still have the default.
    """
    users = {
        user.username: user for user in get_user_model().objects.filter(username__in=USERNAMES)
    }
    if not users:
        return ""
    accounts = ", ".join(
        f"{demo_user.username} ({demo_user.role.label.lower()})"
        for demo_user in DEMO_USERS
        if demo_user.username in users
    )
    owner = users.get(DEMO_USERS[0].username) or next(iter(users.values()))
    password = (
        f"password {DEMO_PASSWORD}"
        if owner.check_password(DEMO_PASSWORD)
        else "with the password set for them"
    )
    return f"OMS Journal demo: log in at {server}/accounts/login/\n  as {accounts}, {password}"


def existing_usernames() -> list[str]:
    return list(
        get_user_model().objects.filter(username__in=USERNAMES).values_list("username", flat=True)
    )


@transaction.atomic
def delete_demo() -> None:
    """Delete the demo accounts and every child one of them owns, with all their data."""
    Child.objects.filter(
        memberships__user__username__in=USERNAMES, memberships__role=Role.OWNER
    ).delete()
    get_user_model().objects.filter(username__in=USERNAMES).delete()


@transaction.atomic
def seed(*, password: str = DEMO_PASSWORD, seed: int = DEMO_SEED) -> SeedResult:
    """Create the demo accounts, Maya, her care team and her history. Fails if they exist."""
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(TIME_ZONE)).date()
    start = today - datetime.timedelta(days=HISTORY_DAYS - 1)

    def on(day: int) -> datetime.date:
        return start + datetime.timedelta(days=day)

    hashed = make_password(password)  # hashed once: the three accounts share it
    users = {
        demo_user.username: get_user_model().objects.create(
            username=demo_user.username,
            first_name=demo_user.first_name,
            email=demo_user.email,
            password=hashed,
        )
        for demo_user in DEMO_USERS
    }
    mum, dad = users["demo"], users["demo-dad"]

    child = services.child_create(
        owner=mum,
        name="Maya",
        birth_date=today - datetime.timedelta(days=AGE_DAYS),
        diagnosis_date=on(DIAGNOSIS_DAY),
        tumour_found=Child.Tumour.YES,
        time_zone=TIME_ZONE,
    )
    Membership.objects.bulk_create(
        Membership(child=child, user=users[demo_user.username], role=demo_user.role)
        for demo_user in DEMO_USERS
        if demo_user.role != Role.OWNER
    )
    services.invitation_create(child=child, role=Role.VIEWER, note="Sue (childminder)", user=mum)

    for fields, changes in course_plans():
        day, end = fields.pop("day"), fields.pop("end")
        services.treatment_save(
            course=TreatmentCourse(
                child=child,
                start_date=on(day),
                end_date=on(end) if end is not None else None,
                **fields,
            ),
            user=mum,
            changes=[DoseChange(date=on(d), dose=dose, note=note) for d, dose, note in changes],
        )

    events = []
    for fields in event_plans():
        day, end = fields.pop("day"), fields.pop("end", None)
        event = TriggerEvent(
            child=child,
            start_date=on(day),
            end_date=on(end) if end is not None else None,
            created_by=mum,
            updated_by=mum,
            **fields,
        )
        event.full_clean()
        events.append(event)
    TriggerEvent.objects.bulk_create(events)

    entries, stamps = [], []
    zone = child.zone
    for plan in plan_history(seed):
        author, other = (dad, mum) if plan.by_dad else (mum, dad)
        entry = plan.entry(child, on(plan.day), author, other if plan.edited_by_other else author)
        # The database enforces the unique and check constraints on insert; the rest is here.
        entry.full_clean(validate_unique=False, validate_constraints=False)
        entries.append(entry)
        evening = datetime.datetime.combine(entry.date, datetime.time(19), tzinfo=zone)
        created = evening + datetime.timedelta(minutes=plan.minutes_after_seven_pm)
        edited = created + datetime.timedelta(hours=14 if plan.edited_by_other else 0)
        stamps.append((created, min(edited, timezone.now())))
    DailyEntry.objects.bulk_create(entries, batch_size=500)
    # auto_now(_add) stamped them all "now"; say when each was written, in the evening.
    for entry, (created, updated) in zip(entries, stamps, strict=True):
        entry.created_at, entry.updated_at = created, updated
    DailyEntry.objects.bulk_update(entries, ["created_at", "updated_at"], batch_size=250)
    # The bulk writes above skip the services: raise Maya's data_version for them too. (She is
    # new and unseen until this transaction commits, so no cache can hold her yet; this keeps
    # the rule "every write raises it" true all the same.)
    services.touch(child.pk)

    return SeedResult(
        child=child,
        first_day=start,
        last_day=entries[-1].date,
        entries=len(entries),
        events=len(events),
        courses=TreatmentCourse.objects.for_child(child).count(),
        relapse_onsets=tuple(on(flare.onset) for flare in FLARES),
    )
