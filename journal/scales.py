"""The five core items of the daily entry and their plain anchors.

The anchors are our proposal, modelled on the areas of the clinician-rated Mitchell-Pike OMS
scale; they are not a validated parent scale, and the interface says so.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CoreItem:
    field: str  # the clinical word, used in code and in the exchange format
    label: str  # the caregiver's word, used in the interface
    anchors: tuple[str, str, str, str]  # what 0, 1, 2 and 3 mean


CORE_ITEMS: tuple[CoreItem, ...] = (
    CoreItem(
        "opsoclonus",
        "Eyes",
        (
            "None seen",
            "A few brief darting spells",
            "Darting many times a day",
            "Almost constant, even at rest",
        ),
    ),
    CoreItem(
        "myoclonus",
        "Jerks",
        (
            "None",
            "Small jerks that don't get in the way",
            "Jerks make reaching or eating hard",
            "Constant; can't hold things",
        ),
    ),
    CoreItem(
        "ataxia",
        "Balance",
        (
            "Usual for age",
            "Wobbly, wide steps, more falls",
            "Walks or stands only holding on",
            "Can't stand or walk, even with help",
        ),
    ),
    CoreItem(
        "sleep",
        "Sleep",
        (
            "Usual night",
            "Slow to settle or woke once or twice",
            "Woke often or slept far less",
            "Barely slept",
        ),
    ),
    CoreItem(
        "rage",
        "Rage",
        (
            "None",
            "Short outbursts (under 5 min), can be redirected",
            "Over 5 min, can't redirect",
            "Hitting or self-injury, or over 15 min",
        ),
    ),
)

CORE_FIELDS: tuple[str, ...] = tuple(item.field for item in CORE_ITEMS)
MAX_RATING = 3
MAX_DAILY_SCORE = MAX_RATING * len(CORE_ITEMS)
