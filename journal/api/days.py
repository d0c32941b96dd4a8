"""A day written through the API: the JSON body bound to the day page's own form, saved by the
page's own service, guarded by the day's version.

The version travels as the day's ETag (`"3"`); a PUT names the version it started from in
`If-Match` (`If-None-Match: *`, or `If-Match: "0"`, for a day not logged yet). A PUT that would
change nothing writes nothing and answers with the stored day, whatever version it names: so a
client that sends the same PUT again (its answer lost on the way) is not told of a conflict.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from journal import history, services
from journal.forms import EntryForm, day_form
from journal.models import DailyEntry, TrackedItem

# What a PUT may carry: the form's fields. The read-only fields a GET shows may come back too
# (a client sends what it read, changed): they are ignored.
WRITTEN = tuple(field for field in EntryForm.Meta.fields if field != "date")
SHOWN_ONLY = (
    "date",
    "daily_score",
    "version",
    "created_by",
    "updated_by",
    "created_at",
    "updated_at",
)
NOT_SCALAR = "Send a number, text or null here."
VERSION = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


class Refused(Exception):
    """The request cannot be read as a day: nothing was written. `errors` as a form's."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


class VersionMissing(Exception):
    """Neither If-Match nor If-None-Match: a write would not know what it overwrites."""


def etag(record) -> str:
    """A day's, an event's or a course's version as its ETag ("0": none stored)."""
    return f'"{record.version if record is not None and record.pk else 0}"'


def expected_version(headers) -> int:
    """The version a PUT started from: If-Match's, or 0 for `If-None-Match: *`."""
    if_match = headers.get("If-Match", "").strip()
    if not if_match:
        if headers.get("If-None-Match", "").strip() == "*":
            return 0
        raise VersionMissing
    found = VERSION.match(if_match)
    if found is None:
        raise Refused(
            {"If-Match": [_('Send the version you started from as its ETag, such as "3".')]}
        )
    return int(found[1])


def as_form_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError
    return str(value)


def form_data(body, day: datetime.date, version: int):
    """A function of the day's items giving the form's data for `body`; Refused when the body
    names a field or an item the day does not have, or holds a list where a value goes."""
    if not isinstance(body, dict):
        raise Refused({"__all__": ["Send the day as a JSON object."]})
    unknown = set(body) - {*WRITTEN, "items", *SHOWN_ONLY}
    if unknown:
        raise Refused({name: ["The day has no such field."] for name in sorted(unknown)})
    ratings = body.get("items") or {}
    if not isinstance(ratings, dict):
        raise Refused({"items": ["Send the items' ratings as an object, by the item's name."]})
    errors = {}
    data = {"date": day.isoformat(), "version": str(version)}
    for name in WRITTEN:
        try:
            data[name] = as_form_value(body.get(name))
        except TypeError:
            errors[name] = [NOT_SCALAR]

    def with_items(items: list[TrackedItem]) -> dict:
        by_name = {item.name: item for item in items}
        for name, value in ratings.items():
            if name not in by_name:
                errors[f"items.{name}"] = ["This child has no item of this name being tracked."]
                continue
            try:
                data[EntryForm.item_field_name(by_name[name])] = as_form_value(value)
            except TypeError:
                errors[f"items.{name}"] = [NOT_SCALAR]
        if errors:
            raise Refused(errors)
        return data

    return with_items


def form_errors(form: EntryForm) -> dict[str, list[str]]:
    """The form's messages by field, an extra item's under `items.<its name>`."""
    names = {form.item_field_name(item): f"items.{item.name}" for item in form.items}
    return {
        names.get(field, field): [str(message) for message in messages]
        for field, messages in form.errors.items()
    }


@dataclass(frozen=True)
class Outcome:
    entry: DailyEntry
    created: bool = False
    conflict: bool = False  # entry: the day as stored (None: deleted), nothing written


def unchanged(stored_snapshot: dict | None, form: EntryForm) -> bool:
    rated = {item: value for item, value in form.item_values.items() if value is not None}
    return stored_snapshot == history.entry_snapshot(form.instance, rated)


def put_day(*, membership, day: datetime.date, body, headers, user) -> Outcome:
    """Save the day as the page does, for a member who may write; VersionMissing or Refused
    if it can't be."""
    version = expected_version(headers)
    entry, _, form = day_form(membership.child, day, form_data(body, day, version))
    read = form.stored
    stored = history.entry_snapshot(read.entry, read.ratings) if read.entry else None
    if not form.is_valid():
        raise Refused(form_errors(form))
    if stored is not None and unchanged(stored, form):
        return Outcome(entry)
    try:
        saved = services.entry_save(
            entry=form.instance,
            user=user,
            item_values=form.item_values,
            expected_version=form.started_from_version,
            stored=read,
        )
    except services.EditConflict as clash:
        return Outcome(clash.saved, conflict=True)
    return Outcome(saved, created=stored is None)
