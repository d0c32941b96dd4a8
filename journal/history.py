"""The change history: each entry, event and treatment, the possible-relapse rule, and each link
to the visit summary made or revoked, as a caregiver reads it, before and after.

A snapshot maps a field's label to its value as shown in the app ("Eyes": "2", "Doses given as
planned": "Partly"), so that the history still reads right after a field or a choice is renamed.
"""

import datetime
import functools
import re
from collections.abc import Mapping
from decimal import Decimal

from django.db import models
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from journal import analysis
from journal.languages import own_name
from journal.models import (
    Change,
    DailyEntry,
    Drug,
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
        # Translators: a day in the change history (Django's date format): "29 May 2025".
        written = dateformat.format(datetime.date(year, month, day), pgettext("history", "j M Y"))
    except ValueError:
        return match.group(0)
    time = match.groups()[3] if len(match.groups()) > 3 else None
    return f"{written}, {time}" if time else written


# --- Shown in the page's language ---------------------------------------------------------------
# Snapshots are stored in English; a page shows their field names and our own values (choices,
# "not observed", "yes") in its language. A family's words (its items, notes, drugs it named)
# are found in neither table and are shown as they were written.

SNAPSHOT_FIELDS = (
    (DailyEntry, DailyEntry.DETAIL_FIELDS + DailyEntry.OTHER_FIELDS),
    (TriggerEvent, TriggerEvent.CAREGIVER_FIELDS),
    (TreatmentCourse, TreatmentCourse.CAREGIVER_FIELDS),
    (RelapseSettings, analysis.RULE_FIELDS),
    (ShareLink, ("note", "first", "last")),
)
OUR_NAMES = (
    pgettext_lazy("history", "Day"),
    pgettext_lazy("history", "Dose changes"),
    pgettext_lazy("history", "Valid until"),
    pgettext_lazy("history", "Revoked"),
)
OUR_VALUES = (
    pgettext_lazy("history", "not observed"),
    pgettext_lazy("history", "yes"),
    pgettext_lazy("history", "no"),
    pgettext_lazy("history", "the day it is opened"),
)


@functools.cache
def _names() -> dict[str, object]:
    """Each field name a snapshot holds, in English, and its message."""
    names: dict[str, object] = {}
    with translation.override("en"):
        for model, fields in SNAPSHOT_FIELDS:
            for name in fields:
                verbose = model._meta.get_field(name).verbose_name
                names[_label(str(verbose))] = verbose
        for item in CORE_ITEMS:
            names[item.english] = gettext_lazy(item.english)
        names.update((str(name), name) for name in OUR_NAMES)
    return names


@functools.cache
def _values() -> dict[tuple[str, str], object]:
    """Each of our values a snapshot may hold under a field name, in English, and its message."""
    values: dict[tuple[str, str], object] = {}
    typed: set[str] = set()
    with translation.override("en"):
        for model, fields in SNAPSHOT_FIELDS:
            for name in fields:
                field = model._meta.get_field(name)
                label = _label(str(field.verbose_name))
                values.update(((label, str(text)), text) for _, text in field.flatchoices)
                if not field.choices and isinstance(field, models.CharField | models.TextField):
                    typed.add(label)  # the family's words: never ours
        ours = {str(message): message for message in OUR_VALUES}
        for label in _names():
            if label not in typed:
                values.update(((label, text), message) for text, message in ours.items())
    return values


def shown_name(name: str) -> str:
    """A snapshot's field name in the page's language; an item the family made as they named it."""
    message = _names().get(name)
    return name if message is None else _label(str(message))


def shown_value(name: str, value):
    """A snapshot's value in the page's language where it is one of ours (a choice, "yes");
    under an item the family made, only "not observed" is ours."""
    if not isinstance(value, str):
        return value
    if name not in _names() and value == NOT_OBSERVED:
        return str(OUR_VALUES[0])
    message = _values().get((name, value))
    return value if message is None else str(message)


def _label(verbose_name: str) -> str:
    return verbose_name[:1].upper() + verbose_name[1:]


# What a change was made to, as `LABELS` below stored it in English: "the entry of 5 May 2026".
_STORED_DAY = r"(?P<day>\d{1,2} [A-Z][a-z]{2} \d{4})"
_STORED_LABELS = {
    Change.Kind.ENTRY: re.compile(rf"the entry of {_STORED_DAY}"),
    Change.Kind.EVENT: re.compile(rf"(?P<what>.+) of {_STORED_DAY}"),
    Change.Kind.TREATMENT: re.compile(rf"(?P<what>.+) from {_STORED_DAY}"),
    Change.Kind.SETTINGS: re.compile(r"how possible relapses are flagged"),
    Change.Kind.SHARE_LINK: re.compile(r"a share link for (?P<what>.*)"),
}


def shown_label(kind: str, label: str) -> str:
    """What a change was made to, in the page's language: our words (a trigger type, a drug of
    the list, the day) translated, the family's (a drug they named, a link's note) as written;
    a label in no known form as it is."""
    match = _STORED_LABELS[kind].fullmatch(label) if kind in _STORED_LABELS else None
    if match is None:
        return label
    parts = match.groupdict()
    if "day" in parts:
        day = datetime.datetime.strptime(parts["day"], "%d %b %Y").date()
        parts["day"] = dateformat.format(day, pgettext("history", "j M Y"))
    if kind == Change.Kind.ENTRY:
        return pgettext("history", "the entry of %(day)s") % parts
    if kind == Change.Kind.EVENT:
        parts["what"] = _ours(parts["what"], TriggerEvent.Type.choices, str.lower)
        # Translators: a trigger event in the change history: "fever of 5 May 2026".
        return pgettext("history", "%(what)s of %(day)s") % parts
    if kind == Change.Kind.TREATMENT:
        parts["what"] = _ours(parts["what"], Drug.choices, str)
        # Translators: a treatment course in the change history: "IVIG from 5 May 2026".
        return pgettext("history", "%(what)s from %(day)s") % parts
    if kind == Change.Kind.SETTINGS:
        return pgettext("history", "how possible relapses are flagged")
    if parts["what"] == "a clinician":
        return pgettext("history", "a share link for a clinician")
    return pgettext("history", "a share link for %(what)s") % parts


def _ours(words: str, choices, written) -> str:
    """A choice's label as stored in English (`written` as the label was written), in the
    page's language; anything else, the family's words, as it is."""
    with translation.override("en"):
        english = {written(str(label)): label for _, label in choices}
    return written(str(english[words])) if words in english else words


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
