"""The five core items of the daily entry and their plain anchors.

The anchors are our proposal, modelled on the areas of the clinician-rated Mitchell-Pike OMS
scale; they are not a validated parent scale, and the interface says so.
"""

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop, pgettext_lazy


@dataclass(frozen=True)
class CoreItem:
    field: str  # the clinical word, used in code and in the exchange format
    english: str  # the caregiver's word in English: the message, and a header the import knows
    anchor_messages: tuple[str, str, str, str]  # what 0, 1, 2 and 3 mean (lazy messages)

    @property
    def label(self) -> str:
        """The caregiver's word in the active language, as the interface shows it."""
        return gettext(self.english)

    @property
    def anchors(self) -> tuple[str, ...]:
        return tuple(str(anchor) for anchor in self.anchor_messages)


CORE_ITEMS: tuple[CoreItem, ...] = (
    CoreItem(
        "opsoclonus",
        # Translators: a rated sign, in parents' words (opsoclonus: darting eyes).
        gettext_noop("Eyes"),
        (
            # Translators: Eyes (opsoclonus) rated 0: no darting eye movements seen all day.
            pgettext_lazy("Eyes rating", "None seen"),
            # Translators: Eyes rated 1: a few short spells of darting eyes in the day.
            pgettext_lazy("Eyes rating", "A few brief darting spells"),
            # Translators: Eyes rated 2: darting eyes many times during the day.
            pgettext_lazy("Eyes rating", "Darting many times a day"),
            # Translators: Eyes rated 3, the worst: darting nearly all the time, even when calm.
            pgettext_lazy("Eyes rating", "Almost constant, even at rest"),
        ),
    ),
    CoreItem(
        "myoclonus",
        # Translators: a rated sign, in parents' words (myoclonus: muscle jerks).
        gettext_noop("Jerks"),
        (
            # Translators: Jerks (myoclonus) rated 0: no jerks of the body.
            pgettext_lazy("Jerks rating", "None"),
            # Translators: Jerks rated 1: small jerks that do not hinder play or eating.
            pgettext_lazy("Jerks rating", "Small jerks that don't get in the way"),
            # Translators: Jerks rated 2: jerks make reaching for things or eating hard.
            pgettext_lazy("Jerks rating", "Jerks make reaching or eating hard"),
            # Translators: Jerks rated 3, the worst: jerking all the time, cannot hold objects.
            pgettext_lazy("Jerks rating", "Constant; can't hold things"),
        ),
    ),
    CoreItem(
        "ataxia",
        # Translators: a rated sign, in parents' words (ataxia: unsteadiness).
        gettext_noop("Balance"),
        (
            # Translators: Balance (ataxia) rated 0: walks and stands as usual for the child's age.
            pgettext_lazy("Balance rating", "Usual for age"),
            # Translators: Balance rated 1: unsteady, walks with feet wide apart, falls more.
            pgettext_lazy("Balance rating", "Wobbly, wide steps, more falls"),
            # Translators: Balance rated 2: can walk or stand only while holding on to something.
            pgettext_lazy("Balance rating", "Walks or stands only holding on"),
            # Translators: Balance rated 3, the worst: cannot stand or walk even with help.
            pgettext_lazy("Balance rating", "Can't stand or walk, even with help"),
        ),
    ),
    CoreItem(
        "sleep",
        # Translators: a rated sign, in parents' words (the night's sleep).
        gettext_noop("Sleep"),
        (
            # Translators: Sleep rated 0: a usual night's sleep.
            pgettext_lazy("Sleep rating", "Usual night"),
            # Translators: Sleep rated 1: took long to fall asleep, or woke once or twice.
            pgettext_lazy("Sleep rating", "Slow to settle or woke once or twice"),
            # Translators: Sleep rated 2: woke many times, or slept much less than usual.
            pgettext_lazy("Sleep rating", "Woke often or slept far less"),
            # Translators: Sleep rated 3, the worst: hardly slept at all.
            pgettext_lazy("Sleep rating", "Barely slept"),
        ),
    ),
    CoreItem(
        "rage",
        # Translators: a rated sign, in parents' words (irritability and tantrums).
        gettext_noop("Rage"),
        (
            # Translators: Rage rated 0: no rages or tantrums.
            pgettext_lazy("Rage rating", "None"),
            # Translators: Rage rated 1: tantrums under 5 minutes; the child can be distracted.
            pgettext_lazy("Rage rating", "Short outbursts (under 5 min), can be redirected"),
            # Translators: Rage rated 2: tantrums over 5 minutes; the child can't be distracted.
            pgettext_lazy("Rage rating", "Over 5 min, can't redirect"),
            # Translators: Rage rated 3, the worst: hits or self-harms, or rages over 15 minutes.
            pgettext_lazy("Rage rating", "Hitting or self-injury, or over 15 min"),
        ),
    ),
)

CORE_FIELDS: tuple[str, ...] = tuple(item.field for item in CORE_ITEMS)
MAX_RATING = 3
MAX_DAILY_SCORE = MAX_RATING * len(CORE_ITEMS)
