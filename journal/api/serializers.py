"""How the API shows the journal, and what the OpenAPI schema says a client may send.

These serializers show records; they do not validate what is written. A day sent with PUT is
bound to the page's own EntryForm and saved by services.entry_save (journal.api.views), so its
messages, bounds and change history are the page's. `DayInput` only describes that body.
"""

from decimal import Decimal

from rest_framework import serializers

from journal import analysis
from journal.models import (
    DailyEntry,
    DoseChange,
    Doses,
    Drug,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
)
from journal.scales import CORE_FIELDS, CORE_ITEMS, MAX_DAILY_SCORE, MAX_RATING

PARENT_REPORTED = (
    "Parent-reported: rated by the family at home, not by a clinician. The daily score (0-15) is "
    "the sum of the five core ratings; it is not a Mitchell-Pike or OMS-ES score."
)


def rating(label: str, **kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0,
        max_value=MAX_RATING,
        allow_null=True,
        help_text=f"{label}, 0-3; null is not observed (which is not 0).",
        **kwargs,
    )


def blank_or_choice(choices) -> serializers.ChoiceField:
    """A choice that may be left empty (""), which the schema then allows too."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)


def username_of(user) -> str | None:
    return user.username if user is not None else None


class DateRange(serializers.Serializer):
    """The `from` and `to` query parameters of the lists (both days included)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the fields are named here.
        self.fields["from"] = serializers.DateField(required=False, help_text="First day.")
        self.fields["to"] = serializers.DateField(required=False, help_text="Last day.")

    def validate(self, attrs):
        first, last = attrs.get("from"), attrs.get("to")
        if first and last and last < first:
            raise serializers.ValidationError({"to": "The last day can't come before the first."})
        return attrs


class DaySerializer(serializers.ModelSerializer):
    """One logged day of a child, as the page shows it."""

    opsoclonus = rating("Eyes")
    myoclonus = rating("Jerks")
    ataxia = rating("Balance")
    sleep = rating("Sleep")
    rage = rating("Rage")
    sleep_hours = serializers.DecimalField(
        max_digits=4, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    max_temperature_c = serializers.DecimalField(
        max_digits=3, decimal_places=1, coerce_to_string=False, allow_null=True
    )
    doses = blank_or_choice(Doses.choices)
    items = serializers.SerializerMethodField(
        help_text="The ratings (0-3) of the family's extra items, by the item's name."
    )
    daily_score = serializers.IntegerField(
        source="score",
        allow_null=True,
        min_value=0,
        max_value=MAX_DAILY_SCORE,
        help_text=PARENT_REPORTED,
    )
    created_by = serializers.SerializerMethodField()
    updated_by = serializers.SerializerMethodField()

    class Meta:
        model = DailyEntry
        fields = (
            "date",
            *[item.field for item in CORE_ITEMS],
            *DailyEntry.DETAIL_FIELDS,
            *DailyEntry.OTHER_FIELDS,
            "items",
            "daily_score",
            "version",
            "created_by",
            "updated_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_items(self, entry: DailyEntry) -> dict[str, int]:
        return {rating.item.name: rating.value for rating in entry.item_ratings.all()}

    def get_created_by(self, entry: DailyEntry) -> str | None:
        return username_of(entry.created_by)

    def get_updated_by(self, entry: DailyEntry) -> str | None:
        return username_of(entry.updated_by)


def moment(value, zone) -> str | None:
    """A moment as DRF's DateTimeField shows it (ISO 8601 in the time zone in use, UTC as Z),
    the zone read once for a whole list: the field reads it again for each value, and that
    was most of a year of days' time once the rest was plain rows."""
    if value is None:
        return None
    shown = value.astimezone(zone).isoformat()
    return shown[:-6] + "Z" if shown.endswith("+00:00") else shown


def day_data(row: dict, items: dict[str, int], zone) -> dict:
    """A day as DaySerializer shows it, from a plain row of queries.days_between and its extra
    items' ratings (`zone`: the time zone in use): the same keys, in the same order, with the
    same values (tests/test_api.py holds them equal). A year of days through DaySerializer cost
    some 40 calls of its fields a day; this is one dict."""
    ratings = {field: row[field] for field in CORE_FIELDS}
    data = {"date": row["date"].isoformat(), **ratings}
    data.update((name, row[name]) for name in (*DailyEntry.DETAIL_FIELDS, *DailyEntry.OTHER_FIELDS))
    data["items"] = items
    data["daily_score"] = analysis.daily_score(ratings)
    data["version"] = row["version"]
    data["created_by"] = row["created_by_name"]
    data["updated_by"] = row["updated_by_name"]
    data["created_at"] = moment(row["created_at"], zone)
    data["updated_at"] = moment(row["updated_at"], zone)
    return data


class DayInput(serializers.Serializer):
    """The body of `PUT .../days/<date>`: the whole day (a field left out is cleared).

    Checked by the day page's own form: the same messages and bounds.
    """

    opsoclonus = rating("Eyes", required=False)
    myoclonus = rating("Jerks", required=False)
    ataxia = rating("Balance", required=False)
    sleep = rating("Sleep", required=False)
    rage = rating("Rage", required=False)
    sleep_hours = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        min_value=0,
        max_value=24,
        coerce_to_string=False,
        allow_null=True,
        required=False,
        help_text="In quarter hours, such as 10.5.",
    )
    night_wakings = serializers.IntegerField(
        min_value=0, max_value=20, allow_null=True, required=False
    )
    rage_episodes = serializers.IntegerField(
        min_value=0, max_value=50, allow_null=True, required=False
    )
    rage_longest_minutes = serializers.IntegerField(
        min_value=0, max_value=24 * 60, allow_null=True, required=False
    )
    max_temperature_c = serializers.DecimalField(
        max_digits=3,
        decimal_places=1,
        min_value=34,
        max_value=43,
        coerce_to_string=False,
        allow_null=True,
        required=False,
        help_text="The day's highest, in °C.",
    )
    doses = serializers.ChoiceField(choices=["", *Doses.values], allow_blank=True, required=False)
    notes = serializers.CharField(max_length=4000, allow_blank=True, required=False)
    question = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    items = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_RATING, allow_null=True),
        required=False,
        help_text="Ratings (0-3, or null) of the family's extra items, by the item's name.",
    )


class Problems(serializers.Serializer):
    """A refused write: the form's messages, by field (`__all__` for the whole day)."""

    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class Conflict(serializers.Serializer):
    """A write from a version that is no longer the stored one: nothing was written."""

    detail = serializers.CharField()
    day = DaySerializer(allow_null=True, help_text="The day as stored now (null: deleted).")


class Detail(serializers.Serializer):
    detail = serializers.CharField()


class EventSerializer(serializers.ModelSerializer):
    detail = serializers.CharField(read_only=True, help_text="What it was, in one line.")
    illness_kind = blank_or_choice(TriggerEvent.Illness.choices)
    change = blank_or_choice(TriggerEvent.Change.choices)
    temperature_c = serializers.DecimalField(
        max_digits=3, decimal_places=1, coerce_to_string=False, allow_null=True
    )

    class Meta:
        model = TriggerEvent
        fields = ("id", *TriggerEvent.CAREGIVER_FIELDS, "detail", "version")
        read_only_fields = fields


class DoseChangeSerializer(serializers.ModelSerializer):
    dose = serializers.DecimalField(max_digits=8, decimal_places=3, coerce_to_string=False)

    class Meta:
        model = DoseChange
        fields = ("date", "dose", "note")
        read_only_fields = fields


class TreatmentSerializer(serializers.ModelSerializer):
    drug_name = serializers.CharField(read_only=True)
    dose = serializers.DecimalField(max_digits=8, decimal_places=3, coerce_to_string=False)
    dose_changes = DoseChangeSerializer(source="changes", many=True, read_only=True)

    class Meta:
        model = TreatmentCourse
        fields = (
            "id",
            "drug_name",
            *TreatmentCourse.CAREGIVER_FIELDS,
            "dose_changes",
            "version",
        )
        read_only_fields = fields


class EventInput(serializers.Serializer):
    """The body of a trigger event's POST or PUT: the whole event (a field left out is
    cleared). Checked by the trigger page's own form: the same messages and bounds (a day
    between birth and the child's today; the end not before the start)."""

    type = serializers.ChoiceField(choices=TriggerEvent.Type.choices)
    start_date = serializers.DateField(help_text="The day it began, in the child's time zone.")
    start_time = serializers.TimeField(allow_null=True, required=False)
    end_date = serializers.DateField(
        allow_null=True, required=False, help_text="Left out or null: a single day."
    )
    temperature_c = serializers.DecimalField(
        max_digits=3,
        decimal_places=1,
        min_value=Decimal("37.5"),
        max_value=43,
        coerce_to_string=False,
        allow_null=True,
        required=False,
        help_text="A fever's highest temperature, in °C (required for a fever).",
    )
    illness_kind = serializers.ChoiceField(
        choices=["", *TriggerEvent.Illness.values], required=False, help_text="For an illness."
    )
    pathogen = serializers.CharField(max_length=80, allow_blank=True, required=False)
    vaccine = serializers.CharField(max_length=80, allow_blank=True, required=False)
    live_vaccine = serializers.BooleanField(allow_null=True, required=False)
    procedure = serializers.CharField(max_length=120, allow_blank=True, required=False)
    drug = serializers.CharField(max_length=80, allow_blank=True, required=False)
    change = serializers.ChoiceField(
        choices=["", *TriggerEvent.Change.values],
        required=False,
        help_text="For an immunotherapy change.",
    )
    notes = serializers.CharField(max_length=4000, allow_blank=True, required=False)
    keep_both = serializers.BooleanField(
        required=False,
        help_text="Log it even though the same kind of trigger is logged that day (else 409).",
    )


class DoseChangeInput(serializers.Serializer):
    date = serializers.DateField(
        help_text="On or after the course's start; a planned step up to two years ahead."
    )
    dose = serializers.DecimalField(
        max_digits=8, decimal_places=3, min_value=0, coerce_to_string=False
    )
    note = serializers.CharField(max_length=200, allow_blank=True, required=False)


class TreatmentInput(serializers.Serializer):
    """The body of a course's POST or PUT: the whole course with its whole list of dose
    changes (a stored change whose date is not in the list is removed), saved all or nothing.
    Checked by the treatment page's own forms: the same messages and bounds (the start between
    birth and the child's today; the end and planned steps up to two years ahead)."""

    drug = serializers.ChoiceField(choices=Drug.choices)
    drug_other = serializers.CharField(
        max_length=80, allow_blank=True, required=False, help_text="The drug's name, for other."
    )
    purpose = serializers.ChoiceField(choices=TreatmentCourse.Purpose.choices)
    regimen = serializers.ChoiceField(choices=TreatmentCourse.Regimen.choices)
    dose = serializers.DecimalField(
        max_digits=8, decimal_places=3, min_value=0, coerce_to_string=False
    )
    unit = serializers.ChoiceField(choices=TreatmentCourse.Unit.choices)
    route = serializers.ChoiceField(choices=TreatmentCourse.Route.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True, required=False, help_text="null: ongoing.")
    notes = serializers.CharField(max_length=4000, allow_blank=True, required=False)
    dose_changes = DoseChangeInput(many=True, required=False, max_length=60)


class ItemInput(serializers.Serializer):
    """The body of an extra item's POST or PUT (owners only). Checked by the items page's own
    form: a name of the child's own, not one of the five core items."""

    name = serializers.CharField(max_length=40, required=False)
    anchors = serializers.ListField(
        child=serializers.CharField(max_length=80),
        min_length=4,
        max_length=4,
        required=False,
        help_text="What 0, 1, 2 and 3 mean.",
    )
    preset = serializers.ChoiceField(
        choices=list(TrackedItem.PRESETS),
        required=False,
        help_text="A new item only: start from a suggested item (its anchors fill those not sent).",
    )
    active = serializers.BooleanField(
        required=False, help_text="A stored item only: false retires it (left out: true)."
    )


class ItemSerializer(serializers.ModelSerializer):
    anchors = serializers.SerializerMethodField(help_text="What 0, 1, 2 and 3 mean.")

    class Meta:
        model = TrackedItem
        fields = ("id", "name", "anchors", "active")
        read_only_fields = fields

    def get_anchors(self, item: TrackedItem) -> list[str]:
        return list(item.anchors)


class PossibleTriggerSerializer(serializers.Serializer):
    date = serializers.DateField(source="trigger.date")
    type = serializers.CharField(source="trigger.type")
    label = serializers.CharField(source="trigger.label")
    days_before_onset = serializers.IntegerField()


class EpisodeSerializer(serializers.Serializer):
    """A possible relapse, by the family's rule: a prompt to talk to the doctor, never a
    diagnosis."""

    onset = serializers.DateField()
    end = serializers.DateField(allow_null=True, help_text="null: ongoing.")
    peak_date = serializers.DateField()
    peak_score = serializers.IntegerField()
    usual_score = serializers.FloatField(
        source="baseline.score", help_text="The usual daily score before onset (frozen there)."
    )
    illness_associated = serializers.BooleanField(
        help_text="It began during or within the rule's days of a fever or an illness."
    )
    possible_triggers = PossibleTriggerSerializer(many=True)


class StatusSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["relapse", "rising", "stable", "not_enough_data"])
    since = serializers.DateField(allow_null=True, help_text="Onset of an ongoing relapse.")
    raised_days = serializers.IntegerField()
    run_needed = serializers.IntegerField(
        help_text="While rising: how many raised days in a row flag a possible relapse (fewer "
        "after a possible trigger, when Eyes, Jerks and Balance are up); 0 otherwise."
    )


class ChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    birth_date = serializers.DateField()
    time_zone = serializers.CharField()
    today = serializers.DateField(help_text="The day it is now where the child lives.")
    your_role = serializers.ChoiceField(choices=["owner", "caregiver", "viewer"])
    status = StatusSerializer(help_text="Where the child stands today.")
    possible_relapses = EpisodeSerializer(many=True, help_text=PARENT_REPORTED)


class EventConflict(serializers.Serializer):
    """A write not done, nothing written: from a stale version (412, the event as stored), or
    the same kind of trigger already logged that day (409, that trigger)."""

    detail = serializers.CharField()
    event = EventSerializer(allow_null=True, help_text="null: deleted meanwhile.")


class TreatmentConflict(serializers.Serializer):
    """A write from a stale version: nothing written."""

    detail = serializers.CharField()
    treatment = TreatmentSerializer(allow_null=True, help_text="As stored (null: deleted).")
