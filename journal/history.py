"""The change history: each entry, event and treatment, the possible-relapse rule, and each link
to the visit summary made or revoked, as a caregiver reads it, before and after.

A snapshot maps a field's label to its value as shown in the app ("Eyes": "2", "Doses given as
planned": "Partly"), so that the history still reads right after a field or a choice is renamed.
"""

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal

from django.utils import timezone, translation

from journal import analysis
from journal.languages import own_name
from journal.models import (
    Change,
    DailyEntry,
    RelapseSettings,
    ShareLink,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
    plain_number,
)
from journal.scales import CORE_ITEMS

NOT_OBSERVED = "not observed"


def shown(value) -> str:
    """A value as the app shows it; empty stays empty."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


# How a snapshot holds a day (2025-05-29), a moment (2025-05-29 14:30) and a course's dose
# changes (2025-05-29: 10; 2025-06-05: 8). Snapshots keep these forms: the history stored
# before stays comparable with the one written now.
_DAY = r"(\d{4})-(\d{2})-(\d{2})"
_MOMENT = re.compile(rf"{_DAY}(?: (\d{{2}}:\d{{2}}))?")
_STEPS = re.compile(rf"{_DAY}: [^;]+(?:; {_DAY}: [^;]+)*")


def readable(value: str) -> str:
    """A snapshot's value as the pages write it: 29 May 2025, 29 May 2025, 14:30, and
    29 May 2025: 10; 5 Jun 2025: 8. Anything else (a note that holds a date) as it is."""
    if not isinstance(value, str):
        return value
    if _MOMENT.fullmatch(value):
        return _MOMENT.sub(_readable_moment, value)
    if _STEPS.fullmatch(value):
        return re.sub(_DAY, _readable_moment, value)
    return value


def _readable_moment(match: re.Match) -> str:
    year, month, day = (int(part) for part in match.groups()[:3])
    try:
        written = f"{datetime.date(year, month, day):%-d %b %Y}"
    except ValueError:
        return match.group(0)
    time = match.groups()[3] if len(match.groups()) > 3 else None
    return f"{written}, {time}" if time else written


def field_values(obj, names) -> dict[str, str]:
    """Each named field under its label, choices by their display name."""
    values = {}
    for name in names:
        field = obj._meta.get_field(name)
        value = getattr(obj, name)
        if field.choices and value not in (None, ""):
            value = getattr(obj, f"get_{name}_display")()
        values[field.verbose_name[:1].upper() + field.verbose_name[1:]] = shown(value)
    return values


# The change history is stored: it is written in English whoever saves, so that a journal's
# history reads the same to every member whatever language each of them uses.
@translation.override("en")
def entry_snapshot(
    entry: DailyEntry, item_values: Mapping[TrackedItem, int | None] | None = None
) -> dict[str, str]:
    """A day's entry; `item_values` stands for the extra items' ratings not yet saved."""
    values = {"Day": shown(entry.date)}
    for item in CORE_ITEMS:
        rating = getattr(entry, item.field)
        values[item.label] = NOT_OBSERVED if rating is None else str(rating)
    if item_values is None:
        ratings = entry.item_ratings.select_related("item") if entry.pk else []
        item_values = {rating.item: rating.value for rating in ratings}
    for item, rating in sorted(item_values.items(), key=lambda pair: pair[0].name):
        values[item.name] = NOT_OBSERVED if rating is None else str(rating)
    values.update(field_values(entry, DailyEntry.DETAIL_FIELDS + DailyEntry.OTHER_FIELDS))
    return values


@translation.override("en")
def event_snapshot(event: TriggerEvent) -> dict[str, str]:
    return field_values(event, TriggerEvent.CAREGIVER_FIELDS)


@translation.override("en")
def treatment_snapshot(course: TreatmentCourse, steps=None) -> dict[str, str]:
    """A course with its dose changes; `steps` stands for dose changes not yet saved."""
    values = field_values(course, TreatmentCourse.CAREGIVER_FIELDS)
    if steps is None:
        steps = course.changes.all() if course.pk else []
    steps = sorted(steps, key=lambda step: step.date)
    values["Dose changes"] = "; ".join(
        f"{step.date.isoformat()}: {plain_number(step.dose)}" for step in steps
    )
    return values


@translation.override("en")
def relapse_settings_snapshot(settings: RelapseSettings) -> dict[str, str]:
    """The rule's numbers (the defaults, for a child without its own)."""
    return field_values(settings, analysis.RULE_FIELDS)


@translation.override("en")
def share_link_snapshot(link: ShareLink) -> dict[str, str]:
    """A share link as its owners read it: for whom, which days, until when, revoked or not."""
    values = field_values(link, ("note", "first", "last"))
    values["To"] = values["To"] or "the day it is opened"
    values["Language"] = own_name(link.language) if link.language else "the browser's"
    values["Valid until"] = shown_time(link.expires_at)
    values["Revoked"] = shown_time(link.revoked_at)
    return values


def shown_time(moment: datetime.datetime | None) -> str:
    """A moment in the current time zone (the child's, on the child's pages), to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


LABELS = {
    DailyEntry: (Change.Kind.ENTRY, lambda entry: f"the entry of {entry.date:%-d %b %Y}"),
    TriggerEvent: (
        Change.Kind.EVENT,
        lambda event: f"{event.get_type_display().lower()} of {event.start_date:%-d %b %Y}",
    ),
    TreatmentCourse: (
        Change.Kind.TREATMENT,
        lambda course: f"{course.drug_name} from {course.start_date:%-d %b %Y}",
    ),
    RelapseSettings: (Change.Kind.SETTINGS, lambda settings: "how possible relapses are flagged"),
    ShareLink: (
        Change.Kind.SHARE_LINK,
        lambda link: f"a share link for {link.note or 'a clinician'}",
    ),
}


@translation.override("en")
def record(*, obj, user, before: dict | None, after: dict | None) -> Change | None:
    """Write down one change; nothing when a save changed nothing."""
    if before is not None and before == after:
        return None
    kind, label = LABELS[type(obj)]
    if before is None:
        action = Change.Action.CREATED
    elif after is None:
        action = Change.Action.DELETED
    else:
        action = Change.Action.CHANGED
    return Change.objects.create(
        child_id=obj.child_id,
        kind=kind,
        object_id=obj.pk,
        label=label(obj),
        action=action,
        user=user,
        before=before,
        after=after,
    )
