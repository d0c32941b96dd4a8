"""Trigger events, treatment courses and extra items written through the API: the JSON body
bound to the pages' own forms, saved by the pages' own services, so that the messages, the
bounds and the change history are the pages'.

As for a day (journal.api.days): a PUT sends the whole record and names the version it started
from in If-Match; a stale version writes nothing and answers with the record as stored. A PUT
that would change nothing writes nothing and answers with the stored record, whatever version
it names, so a PUT sent again after its answer was lost is not told of a conflict. A POST sent
again with the same Idempotency-Key (the phone's offline queue sends one too) answers with what
the first one stored. Extra items have no version on their page either: they are written as the
owner's page writes them.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from journal import history, queries, services
from journal.api.days import NOT_SCALAR, Refused, as_form_value, expected_version
from journal.forms import DoseChangeFormSet, EventForm, TrackedItemForm, TreatmentForm
from journal.models import TrackedItem, TreatmentCourse, TriggerEvent

NOT_AN_OBJECT = gettext_lazy("Send it as a JSON object.")
NO_SUCH_FIELD = gettext_lazy("There is no such field here.")
KEEP_BOTH = "keep_both"


@dataclass(frozen=True)
class Outcome:
    """What a write did. `record`: as saved, or as stored when nothing was written."""

    record: object | None
    created: bool = False
    conflict: bool = False  # a stale version: `record` as stored now (None: deleted)
    same: bool = False  # the same trigger is logged that day: `record` is it
    replayed: bool = False  # sent before with this Idempotency-Key: `record` is what it stored


class ReusedKey(Exception):
    """The Idempotency-Key was sent before with a save of something else (or of a record
    deleted since): nothing was written."""


def form_value(value) -> str:
    """A JSON value as a form field reads it: true and false as a checkbox's or a yes/no
    choice's; TypeError for a list or an object."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return as_form_value(value)


def form_data(body, fields, *, shown=(), lists=()) -> dict[str, str]:
    """The form's data for the JSON object `body`; Refused when it is no object, names a field
    the record does not have, or holds a list or an object where a value goes. Fields the
    record only shows (its id, version...) may come back as read: they are ignored; `lists`
    are the caller's to read."""
    if not isinstance(body, dict):
        raise Refused({"__all__": [str(NOT_AN_OBJECT)]})
    unknown = set(body) - {*fields, *shown, *lists}
    errors = {name: [str(NO_SUCH_FIELD)] for name in sorted(unknown)}
    data = {}
    for name in fields:
        try:
            data[name] = form_value(body.get(name))
        except TypeError:
            errors[name] = [NOT_SCALAR]
    if errors:
        raise Refused(errors)
    return data


def messages(form, rename=None) -> dict[str, list[str]]:
    """A form's messages by field, under the API's names for them."""
    rename = rename or {}
    return {
        rename.get(field, field): [str(message) for message in found]
        for field, found in form.errors.items()
    }


def keep_both(body) -> bool:
    value = body.get(KEEP_BOTH, False) if isinstance(body, dict) else False
    if not isinstance(value, bool):
        raise Refused({KEEP_BOTH: [_("Send true or false.")]})
    return value


def version_of(record, headers) -> int:
    """The version a write started from: 0 for a new record, If-Match's for a stored one."""
    return expected_version(headers) if record.pk else 0


def sent_before(record, *, user, key: str) -> Outcome | None:
    """For a new record sent again with its Idempotency-Key: what the first sending stored,
    answered before anything is judged again (ReusedKey if that is no record of its kind)."""
    if record.pk is not None or not services.was_delivered(user=user, key=key):
        return None
    return replayed(user=user, key=key, records=kin_of(record))


def kin_of(record):
    """The records of the same kind and child as `record`."""
    return type(record).objects.for_child(record.child)


def saved_once(record, *, user, key: str, save):
    """Run `save` of the new `record` once for its Idempotency-Key: an Outcome, the first
    sending's record if the same key came at the same time (ReusedKey if that is no record of
    its kind)."""
    try:
        with services.delivered_once(user=user, key=key) as delivery:
            outcome = save()
            if outcome.created:
                services.delivered_as(delivery, outcome.record)
    except services.AlreadyDelivered:  # sent twice at once: the other sending saved it
        return replayed(user=user, key=key, records=kin_of(record))
    return outcome


def replayed(*, user, key: str, records) -> Outcome:
    record = services.delivered_record(user=user, key=key, records=records)
    if record is None:
        raise ReusedKey
    return Outcome(record, replayed=True)


# --- trigger events ------------------------------------------------------------------------------

EVENT_SHOWN = ("id", "detail", "version", KEEP_BOTH)


def event_write(*, event: TriggerEvent, body, headers, user, key: str = "") -> Outcome:
    """Log a trigger (`event` new) or change one, as the trigger page does: asked first when
    the same kind of trigger is logged that day, unless the body says `keep_both`."""
    if replay := sent_before(event, user=user, key=key):
        return replay
    data = form_data(body, TriggerEvent.CAREGIVER_FIELDS, shown=EVENT_SHOWN)
    data["version"] = str(version_of(event, headers))
    both = keep_both(body)
    stored = history.event_snapshot(event) if event.pk else None  # before the form binds it
    form = EventForm(data, instance=event)
    if not form.is_valid():
        raise Refused(messages(form))
    if stored is not None and stored == history.event_snapshot(form.instance):
        return Outcome(event)
    same = None if both else queries.same_trigger(form)
    if same is not None:
        # Found, it may be this very sending's trigger, stored meanwhile by its twin sent at the
        # same instant (a phone's queue and a retry): then it is answered as that save.
        return sent_before(event, user=user, key=key) or Outcome(same, same=True)

    def save() -> Outcome:
        try:
            saved = services.event_save(
                event=form.instance, user=user, expected_version=form.started_from_version
            )
        except services.EditConflict as clash:
            return Outcome(clash.saved, conflict=True)
        return Outcome(saved, created=stored is None)

    if stored is not None:
        return save()
    return saved_once(event, user=user, key=key, save=save)


# --- treatment courses and their dose changes ----------------------------------------------------

COURSE_SHOWN = ("id", "drug_name", "version")
DOSE_CHANGES = "dose_changes"
STEP_FIELDS = ("date", "dose", "note")
PREFIX = "changes"


def steps_given(body) -> list[dict]:
    """The dose changes of the body: a list of objects of date, dose and note."""
    steps = body.get(DOSE_CHANGES) or []
    if not isinstance(steps, list):
        raise Refused({DOSE_CHANGES: [_("Send the dose changes as a list.")]})
    errors = {}
    for n, step in enumerate(steps):
        try:
            form_data(step, STEP_FIELDS)
        except Refused as refused:
            errors.update({f"{DOSE_CHANGES}[{n}].{k}": v for k, v in refused.errors.items()})
    if errors:
        raise Refused(errors)
    return steps


def step_rows(steps: list[dict], stored: list) -> tuple[dict[str, str], dict[int, int]]:
    """The formset's data for `steps`, the course's whole list of dose changes: a stored change
    of the same date is kept (with the step's dose and note), one of no date given is removed,
    the others are new rows. Also each row's index in `steps`."""
    by_date = {change.date.isoformat(): change for change in stored}
    given = {}
    new = []
    for n, step in enumerate(steps):
        day = form_value(step.get("date"))
        if day in by_date and day not in given:
            given[day] = n
        else:
            new.append(n)
    data, index = {}, {}
    for row, change in enumerate(stored):
        day = change.date.isoformat()
        values = steps[given[day]] if day in given else stored_step(change)
        data.update(
            {f"{PREFIX}-{row}-{name}": form_value(values.get(name)) for name in STEP_FIELDS}
        )
        data[f"{PREFIX}-{row}-id"] = str(change.pk)
        if day in given:
            index[row] = given[day]
        else:
            data[f"{PREFIX}-{row}-DELETE"] = "on"
    for row, n in enumerate(new, start=len(stored)):
        data.update(
            {f"{PREFIX}-{row}-{name}": form_value(steps[n].get(name)) for name in STEP_FIELDS}
        )
        index[row] = n
    data[f"{PREFIX}-TOTAL_FORMS"] = str(len(stored) + len(new))
    data[f"{PREFIX}-INITIAL_FORMS"] = str(len(stored))
    return data, index


def stored_step(change) -> dict[str, str]:
    """A stored dose change as a step of the body, to be sent back as it is."""
    return {"date": change.date.isoformat(), "dose": str(change.dose), "note": change.note}


def step_messages(changes, index: dict[int, int]) -> dict[str, list[str]]:
    errors = {}
    for row, form in enumerate(changes.forms):
        if row in index:
            found = messages(form)
            errors.update({f"{DOSE_CHANGES}[{index[row]}].{k}": v for k, v in found.items()})
    if changes.non_form_errors():
        errors[DOSE_CHANGES] = [str(message) for message in changes.non_form_errors()]
    return errors


def treatment_write(*, course: TreatmentCourse, body, headers, user, key: str = "") -> Outcome:
    """Add a course (`course` new) or change one, with its whole list of dose changes, as the
    treatment page does: all or nothing."""
    if replay := sent_before(course, user=user, key=key):
        return replay
    data = form_data(
        body, TreatmentCourse.CAREGIVER_FIELDS, shown=COURSE_SHOWN, lists=[DOSE_CHANGES]
    )
    data["version"] = str(version_of(course, headers))
    stored_steps = list(course.changes.all()) if course.pk else []
    stored = history.treatment_snapshot(course, steps=stored_steps) if course.pk else None
    rows, index = step_rows(steps_given(body), stored_steps)
    data.update(rows)
    form = TreatmentForm(data, instance=course)
    changes = DoseChangeFormSet(data, instance=course, prefix=PREFIX)
    # The course form fills in the course's dates before the dose changes are checked against it.
    if not form.is_valid() & changes.is_valid():
        raise Refused({**messages(form), **step_messages(changes, index)})
    kept = changes.kept_changes()
    if stored is not None and stored == history.treatment_snapshot(form.instance, steps=kept):
        return Outcome(course)

    def save() -> Outcome:
        try:
            saved = services.treatment_save(
                course=form.instance,
                user=user,
                changes=changes.save(commit=False),
                removed=changes.deleted_objects,
                expected_version=form.started_from_version,
            )
        except services.EditConflict as clash:
            return Outcome(clash.saved, conflict=True)
        return Outcome(saved, created=stored is None)

    if stored is not None:
        return save()
    return saved_once(course, user=user, key=key, save=save)


# --- extra items ---------------------------------------------------------------------------------

ITEM_SHOWN = ("id",)
ANCHORS = tuple(f"anchor_{level}" for level in range(4))
# The form's fields under the API's names: the anchors are a list, as the API shows them.
ITEM_NAMES = {name: f"anchors[{level}]" for level, name in enumerate(ANCHORS)}


def item_write(*, item: TrackedItem, body, user, key: str = "") -> Outcome:
    """Add an extra item (`item` new: from a preset, if named) or change one, as the owner's
    items page does. `active` left out is true: an item is retired only when told so."""
    if replay := sent_before(item, user=user, key=key):
        return replay
    fields = ("name", "preset") if item.pk is None else ("name", "active")
    data = form_data(body, fields, shown=ITEM_SHOWN, lists=["anchors"])
    anchors = body.get("anchors") or []
    if not isinstance(anchors, list) or len(anchors) not in (0, 4):
        raise Refused({"anchors": [_("Send what 0, 1, 2 and 3 mean, as a list of four.")]})
    try:
        data.update(
            {name: form_value(anchor) for name, anchor in zip(ANCHORS, anchors, strict=False)}
        )
    except TypeError:
        raise Refused({"anchors": [NOT_SCALAR]}) from None
    if body.get("active") is None:
        data["active"] = "true"
    new = item.pk is None
    form = TrackedItemForm(data, instance=item)
    if not form.is_valid():
        raise Refused(messages(form, ITEM_NAMES))

    def save() -> Outcome:
        return Outcome(services.tracked_item_save(item=form.instance), created=new)

    if not new:
        return save()
    return saved_once(item, user=user, key=key, save=save)
