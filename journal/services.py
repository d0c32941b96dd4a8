"""Writes. Each service validates the whole object (full_clean) before it saves, in a transaction.

Views bind a form and call one of these; they never save models themselves. Every service that
changes what the charts or the analysis read (the child's details, entries, extra items, events,
treatments, the possible-relapse rule) also raises the child's data_version (`touch`), in the
same transaction, so that caches keyed on (child id, data_version) never serve stale data.
"""

import datetime
from collections.abc import Iterable, Mapping
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from journal import analysis, history
from journal.exchange.plan import new_item
from journal.models import (
    NOTHING_LOGGED,
    SHARE_LINK_DEFAULT_DAYS,
    Change,
    Child,
    DailyEntry,
    DeliveredSave,
    DoseChange,
    ImportChoices,
    Invitation,
    ItemRating,
    Membership,
    RelapseSettings,
    Role,
    ShareLink,
    ShareOpening,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
    hash_token,
)
from journal.queries import StoredDay
from journal.rows import by_primary_key


@transaction.atomic
def child_create(*, owner, **fields) -> Child:
    """A new child, with the caregiver who added it as owner of its care team."""
    child = Child(**fields)
    child.full_clean()
    child.save()
    Membership.objects.create(child=child, user=owner, role=Role.OWNER)
    return child


@transaction.atomic
def display_name_save(*, user, name: str) -> None:
    """Give `user` the name their care teams see. Each journal they are on is touched, so that
    its pages drawn before (pages.py) show the new name at once."""
    user.first_name = name
    user.save(update_fields=["first_name"])
    Child.objects.filter(memberships__user=user).update(data_version=F("data_version") + 1)


def touch(child_id: int) -> None:
    """Say that the child's journal changed: raise its data_version by one, in the database.

    Call it inside the transaction of the write, so that the new data and the new version are
    seen together. F() + 1 is one UPDATE, so two writes at once each raise it.
    """
    Child.objects.filter(pk=child_id).update(data_version=F("data_version") + 1)


# What child_update writes: every column but data_version, which only touch() changes (the
# number a form's instance holds may be stale by the time it is saved).
CHILD_DETAILS = [
    field.name
    for field in Child._meta.concrete_fields
    if not field.primary_key and field.name != "data_version"
]


@transaction.atomic
def child_update(*, child: Child) -> Child:
    child.full_clean()
    child.save(update_fields=CHILD_DETAILS)
    touch(child.pk)
    return child


def _stamp(obj, user) -> None:
    """Record who created the object (once) and who changed it last."""
    if obj.pk is None:
        obj.created_by = user
    obj.updated_by = user


class EditConflict(Exception):
    """Someone else saved this record after the caregiver opened it: nothing was written.

    `saved` is the record as it is now, or None if it was deleted (or, for a day, moved).
    """

    def __init__(self, saved):
        super().__init__(f"{saved or 'a record'} was changed by someone else meanwhile")
        self.saved = saved


class AlreadyDelivered(Exception):
    """This save was sent before with the same key, and stored then: nothing is written."""


# The longest key a phone may send; a longer one is not a key of ours and is ignored.
DELIVERY_KEY_LENGTH = 64


@contextmanager
def delivered_once(*, user, key: str):
    """Run a save once for its key (see DeliveredSave); a second sending raises
    AlreadyDelivered. The key is written in the save's own transaction: a save refused (a
    conflict, bad input) leaves it free for the next sending. Two sendings at once: the
    second waits on the key's unique index until the first commits, then finds it taken.

    Yields the key's DeliveredSave (None without a key), for `delivered_as` to name what the
    save stored."""
    if not key or len(key) > DELIVERY_KEY_LENGTH:
        yield None
        return
    with transaction.atomic():
        try:
            with transaction.atomic():
                delivery = DeliveredSave.objects.create(user=user, key=key)
        except IntegrityError:
            raise AlreadyDelivered from None
        prune_deliveries()
        yield delivery


def delivered_as(delivery: DeliveredSave | None, obj) -> None:
    """Remember what the save sent with this key stored, for a sending again to be answered
    with it (the API's POSTs: delivered_record)."""
    if delivery is not None:
        DeliveredSave.objects.filter(pk=delivery.pk).update(
            kind=obj._meta.label_lower, object_id=obj.pk
        )


# How long a save's key is kept (see DeliveredSave). A phone sends a kept day again at the next
# page it opens with signal, and once its caregiver logs in again if the login expired (two
# weeks): a year is far beyond any queue a phone in use holds. Were a key sent again after
# this, a day would still not be stored twice (it carries the version it started from, long
# since raised: it is shown beside the day as saved); a trigger event would.
DELIVERY_KEPT = datetime.timedelta(days=365)


def prune_deliveries() -> int:
    """Forget the keys older than DELIVERY_KEPT, everyone's: run with each key stored, so that
    the table holds a year of offline saves at the most, with no scheduler to set up (the
    index on created_at finds them; there are none most of the time). The keys forgotten."""
    cutoff = timezone.now() - DELIVERY_KEPT
    return DeliveredSave.objects.filter(created_at__lt=cutoff).delete()[0]


def was_delivered(*, user, key: str) -> bool:
    """Whether a save sent with `key` is stored already: its sending again is answered as
    saved, asked nothing more."""
    return bool(key) and DeliveredSave.objects.filter(user=user, key=key).exists()


def delivered_record(*, user, key: str, records):
    """What the save sent with `key` stored, among `records` (a child's events, say): None if
    it is none of them (deleted since, or a save of another kind)."""
    delivery = DeliveredSave.objects.filter(user=user, key=key).first()
    if delivery is None or delivery.kind != records.model._meta.label_lower:
        return None
    return records.filter(pk=delivery.object_id).first()


def _claim(obj, expected_version: int | None):
    """The record as stored, its version raised and its row locked for this transaction;
    EditConflict if it is no longer the version the caregiver started from.

    The version is checked and raised in one UPDATE, so two saves racing from the same version
    cannot both pass: the second waits for the first's row lock, then finds the version gone.
    (SQLite has no row locks; its writers already take turns, the transactions being IMMEDIATE.)
    """
    model = type(obj)
    claimed = model.objects.filter(pk=obj.pk)
    if expected_version is not None:
        claimed = claimed.filter(version=expected_version)
    if not claimed.update(version=F("version") + 1):
        raise EditConflict(model.objects.filter(pk=obj.pk).first())
    # Read with SQL written once (journal/rows.py): the write lock is held meanwhile, and
    # building the ORM's query took several times as long as the read.
    stored = by_primary_key(model).first([obj.pk])["row"]
    obj.version = stored.version
    return stored


def _stored_day(entry: DailyEntry) -> StoredDay:
    """The day as stored now, with its ratings: for a save whose caller read nothing before
    (the admin, an import), or a conflict's answer."""
    if entry.pk is not None:
        found = by_primary_key(DailyEntry).first([entry.pk])
        stored = found["row"] if found else None
    else:
        stored = DailyEntry.objects.filter(child_id=entry.child_id, date=entry.date).first()
    return StoredDay.read(stored) if stored else StoredDay(None)


TRUSTED_FIELDS = ("child", "created_by", "updated_by")
# What a save of a logged day writes: every column but the id, as Model.save() does.
ENTRY_COLUMNS = [field for field in DailyEntry._meta.concrete_fields if not field.primary_key]


def _update_entry(entry: DailyEntry, version: int) -> None:
    """Write the day, if it is still at the version read: the version is checked and raised
    by the same UPDATE, so two saves racing from one version cannot both pass. EditConflict,
    with the day as stored now, if it is not (someone saved or deleted it meanwhile)."""
    entry.version = version + 1
    values = {field.attname: field.pre_save(entry, False) for field in ENTRY_COLUMNS}
    if not DailyEntry.objects.filter(pk=entry.pk, version=version).update(**values):
        raise EditConflict(_stored_day(entry).entry)


def _write_ratings(entry: DailyEntry, before: Mapping, item_values: Mapping) -> None:
    """The day's ratings of extra items as `item_values` says (None clears one), knowing those
    stored (`before`): a statement only for a rating added, changed or cleared."""
    for item, value in item_values.items():
        if item.child_id != entry.child_id:
            raise ValidationError(_("This item belongs to another child."))
        rated = ItemRating.objects.filter(entry=entry, item=item)
        if value is None:
            if item in before:
                rated.delete()
            continue
        rating = ItemRating(entry=entry, item=item, value=value)
        # The value's own checks; the entry is the one being written and the item the child's
        # (above), and the database holds the one-rating-a-day and 0-3 constraints itself.
        rating.full_clean(
            exclude=("entry", "item"), validate_unique=False, validate_constraints=False
        )
        if item not in before:
            rating.save(force_insert=True)
        elif before[item] != value:
            rated.update(value=value)


def entry_save(
    *,
    entry: DailyEntry,
    user,
    item_values: Mapping[TrackedItem, int | None] | None = None,
    expected_version: int | None = None,
    stored: StoredDay | None = None,
) -> DailyEntry:
    """Save a day, with the ratings of the child's extra items (None clears one).

    `expected_version` is the version the caregiver started from (0 for a day with no entry
    yet); if the day was saved by someone else since, EditConflict is raised and nothing is
    written. None skips the check, for writers that hold no stale copy.

    `stored` is the day as the caller read it (the form's, EntryForm.stored): the change
    history's "before", not read again, and the version the write must find. Without it, or
    without an expected version, the day is read here.
    """
    try:
        return _entry_save(entry, user, item_values or {}, expected_version, stored)
    except IntegrityError:
        # One entry a day is the database's to enforce: the day a new or moved entry goes onto
        # may have been saved since the form checked it, which is a conflict. Asked once the
        # save is undone (PostgreSQL's transaction is unusable after an error), rather than
        # around the write in a savepoint, two more round trips for every new day.
        taken = DailyEntry.objects.filter(child_id=entry.child_id, date=entry.date)
        taken = taken.exclude(pk=entry.pk).first()
        if taken is None:
            raise
        raise EditConflict(taken) from None


@transaction.atomic
def _entry_save(entry, user, item_values, expected_version, stored) -> DailyEntry:
    # The data version first: its UPDATE locks the child's row, so saves of one child's days
    # take turns (the first save of a day can't race another's), taking their locks in the
    # order a day's deletion and an import take theirs: the child, then its days. SQLite's
    # writers already take turns: its transactions are IMMEDIATE.
    touch(entry.child_id)
    read_here = stored is None or expected_version is None
    if read_here:
        stored = _stored_day(entry)
    if expected_version is not None and stored.version != expected_version:
        raise EditConflict((stored if read_here else _stored_day(entry)).entry)
    if entry.pk is not None and stored.entry is None:
        raise EditConflict(None)  # deleted meanwhile: not written again
    ratings = {**stored.ratings, **item_values}
    if entry.is_empty(ratings.values()):
        raise ValidationError(NOTHING_LOGGED)
    _stamp(entry, user)
    # The child and the users are those of the request, not the form's: no need to ask the
    # database whether they exist.
    entry.full_clean(exclude=TRUSTED_FIELDS, validate_unique=False, validate_constraints=False)
    if stored.entry is None:
        entry.save(force_insert=True)
    else:
        _update_entry(entry, stored.entry.version)
    _write_ratings(entry, stored.ratings, item_values)
    before = history.entry_snapshot(stored.entry, stored.ratings) if stored.entry else None
    after = {item: value for item, value in ratings.items() if value is not None}
    history.record(obj=entry, user=user, before=before, after=history.entry_snapshot(entry, after))
    return entry


@transaction.atomic
def entry_delete(*, entry: DailyEntry, user) -> None:
    history.record(obj=entry, user=user, before=history.entry_snapshot(entry), after=None)
    touch(entry.child_id)
    entry.delete()


@transaction.atomic
def tracked_item_save(*, item: TrackedItem) -> TrackedItem:
    item.full_clean()
    item.save()
    touch(item.child_id)
    return item


@transaction.atomic
def tracked_item_delete(*, item: TrackedItem) -> None:
    """Delete an extra item with its ratings. Staff only (the admin): the app retires items."""
    touch(item.child_id)
    item.delete()


@transaction.atomic
def event_save(*, event: TriggerEvent, user, expected_version: int | None = None) -> TriggerEvent:
    """Save a trigger event; `expected_version` as for entry_save (None skips the check)."""
    stored = _claim(event, expected_version) if event.pk else None
    _stamp(event, user)
    event.full_clean()
    event.save()
    history.record(
        obj=event,
        user=user,
        before=history.event_snapshot(stored) if stored else None,
        after=history.event_snapshot(event),
    )
    touch(event.child_id)
    return event


@transaction.atomic
def event_delete(*, event: TriggerEvent, user, expected_version: int | None = None) -> None:
    """Delete a trigger event; `expected_version` as for entry_save (None skips the check)."""
    if expected_version is not None:
        event = _claim(event, expected_version)
    history.record(obj=event, user=user, before=history.event_snapshot(event), after=None)
    touch(event.child_id)
    event.delete()


@transaction.atomic
def treatment_save(
    *,
    course: TreatmentCourse,
    user,
    changes: Iterable[DoseChange] = (),
    removed: Iterable[DoseChange] = (),
    expected_version: int | None = None,
) -> TreatmentCourse:
    """Save a course with its dose changes, all or nothing; `expected_version` as for
    entry_save (None skips the check)."""
    stored = _claim(course, expected_version) if course.pk else None
    before = history.treatment_snapshot(stored) if stored else None
    _stamp(course, user)
    course.full_clean()
    course.save()
    for change in removed:
        if change.pk:
            change.delete()
    for change in changes:
        change.course = course
        change.full_clean()
        change.save()
    history.record(obj=course, user=user, before=before, after=history.treatment_snapshot(course))
    touch(course.child_id)
    return course


@transaction.atomic
def treatment_delete(*, course: TreatmentCourse, user, expected_version: int | None = None) -> None:
    """Delete a course and its dose changes; `expected_version` as for entry_save (None skips
    the check)."""
    if expected_version is not None:
        course = _claim(course, expected_version)
    history.record(obj=course, user=user, before=history.treatment_snapshot(course), after=None)
    touch(course.child_id)
    course.delete()


def _stored_relapse_settings(child: Child) -> RelapseSettings | None:
    """The child's own rule as stored, its child row locked: saves of the rule take turns."""
    Child.objects.select_for_update().filter(pk=child.pk).first()
    return RelapseSettings.objects.filter(child=child).first()


@transaction.atomic
def relapse_settings_save(*, child: Child, user, values: Mapping[str, int]) -> RelapseSettings:
    """Set numbers of the child's possible-relapse rule (those not in `values` stay as they
    are), recorded in the change history. A save that changes nothing writes nothing."""
    unknown = set(values) - set(analysis.RULE_FIELDS)
    if unknown:
        raise ValueError(f"not numbers of the rule: {', '.join(sorted(unknown))}")
    stored = _stored_relapse_settings(child)
    own = stored or RelapseSettings(child_id=child.pk)
    before = history.relapse_settings_snapshot(own)
    for name, value in values.items():
        setattr(own, name, value)
    own.full_clean()
    after = history.relapse_settings_snapshot(own)
    if after == before:
        return own
    own.updated_by = user
    own.save()
    history.record(obj=own, user=user, before=before, after=after)
    touch(child.pk)
    child.relapse_settings = own  # child.relapse_rule() now reads the saved rule
    return own


@transaction.atomic
def relapse_settings_reset(*, child: Child, user) -> None:
    """Back to the defaults: the child's own rule is deleted, and the change recorded."""
    stored = _stored_relapse_settings(child)
    if stored is not None:
        before = history.relapse_settings_snapshot(stored)
        after = history.relapse_settings_snapshot(RelapseSettings(child_id=child.pk))
        history.record(obj=stored, user=user, before=before, after=after)
        touch(child.pk)
        stored.delete()
    # child.relapse_rule() now reads the defaults, without asking the database again.
    Child.relapse_settings.related.set_cached_value(child, None)


@transaction.atomic
def invitation_create(*, child: Child, role: str, note: str, user) -> tuple[Invitation, str]:
    """A new invitation and its token. The token is shown once; only its hash is kept."""
    token = Invitation.new_token()
    invitation = Invitation(
        child=child,
        role=role,
        note=note,
        token_hash=hash_token(token),
        created_by=user,
        expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("child").filter(token_hash=hash_token(token)).first()


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    """Join the care team the invitation is for. A token works once, before it expires."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("child")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or invitation.status != "pending":
        raise ValidationError(_("This invitation link is no longer valid."))
    if Membership.objects.filter(child=invitation.child, user=user).exists():
        # The link stays unused, for the person it was meant for.
        raise ValidationError(_("You are already on this care team."))
    membership = Membership.objects.create(child=invitation.child, user=user, role=invitation.role)
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    return membership


def invitation_revoke(*, invitation: Invitation) -> None:
    if invitation.status == "pending":
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def children_owned_alone(user) -> list[Child]:
    """The children whose only owner is `user`: deleting the account deletes them too."""
    owned = Child.objects.filter(memberships__user=user, memberships__role=Role.OWNER)
    shared = Membership.objects.filter(role=Role.OWNER).exclude(user=user)
    return list(owned.exclude(memberships__in=shared).distinct())


@transaction.atomic
def account_delete(*, user) -> list[str]:
    """Delete the account and what it alone owned; returns the names of the deleted journals.

    Entries it wrote in journals that others own stay, with no author.
    """
    alone = children_owned_alone(user)
    for child in alone:
        child.delete()
    user.delete()
    return [child.name for child in alone]


LAST_OWNER = _("A care team needs at least one owner: make someone else owner first.")


def _last_owner(membership: Membership) -> bool:
    """Whether `membership` is the team's only owner, its team's rows locked first: two owners
    demoting or removing each other at once take turns, so the second sees the first's change
    (without the lock each saw the other owner, and both went: no owner left)."""
    team = Membership.objects.select_for_update().filter(child_id=membership.child_id)
    roles = dict(team.values_list("pk", "role"))
    if membership.pk not in roles:  # removed by another owner meanwhile
        raise Http404(_("This member has left the care team."))
    others = [pk for pk, role in roles.items() if role == Role.OWNER and pk != membership.pk]
    return roles[membership.pk] == Role.OWNER and not others


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str) -> Membership:
    if role != Role.OWNER and _last_owner(membership):
        raise PermissionDenied(LAST_OWNER)
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    if _last_owner(membership):
        raise PermissionDenied(LAST_OWNER)
    membership.delete()


# --- share links: the visit summary for a clinician ----------------------------------------------
# A share link changes nothing the charts or the analysis read, so it raises no data_version.


@transaction.atomic
def share_link_create(
    *,
    child: Child,
    first: datetime.date,
    last: datetime.date | None,
    note: str,
    user,
    days: int = SHARE_LINK_DEFAULT_DAYS,
    language: str = "",
) -> tuple[ShareLink, str]:
    """A new link to the child's visit summary from `first` to `last` (empty: to the day it is
    opened), in `language` (empty: the browser's that opens it), working for `days` days, and
    its token: shown once, only its hash is kept."""
    token = ShareLink.new_token()
    link = ShareLink(
        child=child,
        note=note,
        first=first,
        last=last,
        language=language,
        token_hash=hash_token(token),
        created_by=user,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    link.full_clean()
    link.save()
    history.record(obj=link, user=user, before=None, after=history.share_link_snapshot(link))
    return link, token


@transaction.atomic
def share_link_revoke(*, link: ShareLink, user) -> None:
    """The link stops working now; a link that no longer works is left as it is."""
    link = ShareLink.objects.select_for_update().get(pk=link.pk)
    if link.status != "valid":
        return
    before = history.share_link_snapshot(link)
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    history.record(obj=link, user=user, before=before, after=history.share_link_snapshot(link))


def share_link_for_token(token: str) -> ShareLink | None:
    """The link this token opens, with its child; None if unknown, expired or revoked."""
    return (
        ShareLink.objects.valid()
        .select_related("child", "child__relapse_settings")
        .filter(token_hash=hash_token(token))
        .first()
    )


def share_opening_record(*, link: ShareLink, kind: str) -> ShareOpening:
    """Log one opening of the link (its time is now): the page, or its PDF."""
    opening = ShareOpening(link=link, kind=kind)
    opening.full_clean()
    opening.save()
    return opening


# --- Import of entries and events (journal/exchange) ---------------------------------------------


def _imported_day(child: Child, row, user) -> DailyEntry:
    return DailyEntry(
        child=child, date=row.date, created_by=user, updated_by=user, version=1, **row.values
    )


@transaction.atomic
def diary_import(*, child: Child, user, plan) -> dict[str, int]:
    """Write an import plan (exchange.plan): new items, new days, changed days, new events; all
    or nothing, each day and event recorded in the change history.

    A changed day must still be at the version the preview showed, and a new day must still be
    free: else EditConflict, and nothing is written. New days are inserted together (a 5-year
    file is some 1,900 of them); changed days and events go through entry_save and event_save.
    """
    Child.objects.select_for_update().filter(pk=child.pk).first()
    items = {item.name: item for item in TrackedItem.objects.for_child(child)}
    for name in plan.new_items:
        items[name] = tracked_item_save(item=new_item(child, name))
    dates = [row.date for row in plan.new_days]
    if dates:
        taken = DailyEntry.objects.for_child(child).filter(date__range=(min(dates), max(dates)))
        clash = next((entry for entry in taken if entry.date in set(dates)), None)
        if clash is not None:
            raise EditConflict(clash)
    days = DailyEntry.objects.bulk_create(
        [_imported_day(child, row, user) for row in plan.new_days]
    )
    ratings, snapshots = [], []
    for entry, row in zip(days, plan.new_days, strict=True):
        given = {items[name]: value for name, value in row.items.items() if value is not None}
        ratings += [ItemRating(entry=entry, item=item, value=v) for item, v in given.items()]
        snapshots.append((entry, history.entry_snapshot(entry, given)))
    ItemRating.objects.bulk_create(ratings)
    kind, label = history.LABELS[DailyEntry]
    Change.objects.bulk_create(
        Change(
            child=child,
            kind=kind,
            object_id=entry.pk,
            label=label(entry),
            action=Change.Action.CREATED,
            user=user,
            after=after,
        )
        for entry, after in snapshots
    )
    for day in plan.changed_days:
        entry = DailyEntry.objects.for_child(child).filter(pk=day.entry_id).first()
        if entry is None:
            raise EditConflict(None)
        for name, value in day.row.values.items():
            setattr(entry, name, value)
        item_values = {items[name]: value for name, value in day.row.items.items()}
        entry_save(entry=entry, user=user, item_values=item_values, expected_version=day.version)
    for row in plan.new_events:
        event_save(event=TriggerEvent(child=child, **row.fields), user=user)
    touch(child.pk)
    return {
        "new_days": len(days),
        "changed_days": len(plan.changed_days),
        "new_events": len(plan.new_events),
        "new_items": len(plan.new_items),
    }


def import_choices_save(*, child: Child, choices: dict) -> None:
    """Remember how the child's files were read (exchange.reading.Choices.as_data), for the
    next file: the columns of this one added to those of the files before."""
    stored, _created = ImportChoices.objects.get_or_create(child=child)
    stored.columns = {**stored.columns, **choices["columns"]}
    stored.date_order = choices["date_order"] or stored.date_order
    stored.rating_words = {**stored.rating_words, **choices["rating_words"]}
    stored.save()
