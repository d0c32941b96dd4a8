"""Writes. Each service validates the whole object (full_clean) before it saves, in a transaction.

Views bind a form and call one of these; they never save models themselves.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

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


@transaction.atomic
def entry_save(
    *, entry: DailyEntry, user, item_values: Mapping[TrackedItem, int | None] | None = None
) -> DailyEntry:
    """Save a day, with the ratings of the child's extra items (None clears one)."""
    _stamp(entry, user)
    entry.full_clean()
    entry.save()
    for item, value in (item_values or {}).items():
        if item.child_id != entry.child_id:
            raise ValidationError("This item belongs to another child.")
        if value is None:
            ItemRating.objects.filter(entry=entry, item=item).delete()
        else:
            rating = ItemRating(entry=entry, item=item, value=value)
            rating.full_clean(validate_unique=False)
            ItemRating.objects.update_or_create(entry=entry, item=item, defaults={"value": value})
    return entry


def tracked_item_save(*, item: TrackedItem) -> TrackedItem:
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def event_save(*, event: TriggerEvent, user) -> TriggerEvent:
    _stamp(event, user)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def treatment_save(
    *,
    course: TreatmentCourse,
    user,
    changes: Iterable[DoseChange] = (),
    removed: Iterable[DoseChange] = (),
) -> TreatmentCourse:
    """Save a course with its dose changes, all or nothing."""
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
    return course


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
