"""Writes. Each service validates the whole object (full_clean) before it saves, in a transaction.

Views bind a form and call one of these; they never save models themselves.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from journal import history
from journal.models import (
    Child,
    DailyEntry,
    DoseChange,
    Invitation,
    ItemRating,
    Membership,
    Role,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
    hash_token,
)


@transaction.atomic
def child_create(*, owner, **fields) -> Child:
    """A new child, with the caregiver who added it as owner of its care team."""
    child = Child(**fields)
    child.full_clean()
    child.save()
    Membership.objects.create(child=child, user=owner, role=Role.OWNER)
    return child


def child_update(*, child: Child) -> Child:
    child.full_clean()
    child.save()
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
    stored = model.objects.get(pk=obj.pk)
    obj.version = stored.version
    return stored


def _claim_entry(entry: DailyEntry, expected_version: int | None) -> DailyEntry | None:
    """The day as stored (see _claim), or None for a day with no entry yet."""
    # Saves of one child's days take turns: the first save of a day can't race another's.
    Child.objects.select_for_update().filter(pk=entry.child_id).first()
    if entry.pk is not None:
        return _claim(entry, expected_version)
    stored = DailyEntry.objects.filter(child_id=entry.child_id, date=entry.date).first()
    if stored is not None or expected_version:
        raise EditConflict(stored)
    return None


@transaction.atomic
def entry_save(
    *,
    entry: DailyEntry,
    user,
    item_values: Mapping[TrackedItem, int | None] | None = None,
    expected_version: int | None = None,
) -> DailyEntry:
    """Save a day, with the ratings of the child's extra items (None clears one).

    `expected_version` is the version the caregiver started from (0 for a day with no entry
    yet); if the day was saved by someone else since, EditConflict is raised and nothing is
    written. None skips the check, for writers that hold no stale copy.
    """
    stored = _claim_entry(entry, expected_version)
    before = history.entry_snapshot(stored) if stored else None
    _stamp(entry, user)
    # One entry a day is the database's to enforce, below: a day this entry is moved onto may
    # have been saved since the form checked it.
    entry.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        taken = DailyEntry.objects.filter(child_id=entry.child_id, date=entry.date).first()
        if taken is None:
            raise
        raise EditConflict(taken) from None
    for item, value in (item_values or {}).items():
        if item.child_id != entry.child_id:
            raise ValidationError("This item belongs to another child.")
        if value is None:
            ItemRating.objects.filter(entry=entry, item=item).delete()
        else:
            rating = ItemRating(entry=entry, item=item, value=value)
            rating.full_clean(validate_unique=False)
            ItemRating.objects.update_or_create(entry=entry, item=item, defaults={"value": value})
    history.record(obj=entry, user=user, before=before, after=history.entry_snapshot(entry))
    return entry


@transaction.atomic
def entry_delete(*, entry: DailyEntry, user) -> None:
    history.record(obj=entry, user=user, before=history.entry_snapshot(entry), after=None)
    entry.delete()


def tracked_item_save(*, item: TrackedItem) -> TrackedItem:
    item.full_clean()
    item.save()
    return item


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
    return event


@transaction.atomic
def event_delete(*, event: TriggerEvent, user) -> None:
    history.record(obj=event, user=user, before=history.event_snapshot(event), after=None)
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
    return course


@transaction.atomic
def treatment_delete(*, course: TreatmentCourse, user) -> None:
    history.record(obj=course, user=user, before=history.treatment_snapshot(course), after=None)
    course.delete()


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
        raise ValidationError("This invitation link is no longer valid.")
    if Membership.objects.filter(child=invitation.child, user=user).exists():
        # The link stays unused, for the person it was meant for.
        raise ValidationError("You are already on this care team.")
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


def _other_owners(membership: Membership):
    return Membership.objects.filter(child=membership.child, role=Role.OWNER).exclude(
        pk=membership.pk
    )


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str) -> Membership:
    if membership.is_owner and role != Role.OWNER and not _other_owners(membership).exists():
        raise PermissionDenied(
            "A care team needs at least one owner: make someone else owner first."
        )
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    if membership.is_owner and not _other_owners(membership).exists():
        raise PermissionDenied(
            "A care team needs at least one owner: make someone else owner first."
        )
    membership.delete()
