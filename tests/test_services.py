"""journal.services: every write validates, stamps who did it, and keeps a team with an owner."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from journal import services
from journal.models import (
    Child,
    DailyEntry,
    DoseChange,
    Invitation,
    Membership,
    Role,
    TreatmentCourse,
    TriggerEvent,
)
from tests.factories import (
    DailyEntryFactory,
    DoseChangeFactory,
    InvitationFactory,
    MembershipFactory,
    TreatmentCourseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def membership_of(user, child) -> Membership:
    return Membership.objects.get(user=user, child=child)


# --- children ----------------------------------------------------------------------------------


def test_child_create_makes_the_creator_owner(owner):
    child = services.child_create(
        owner=owner, name="Lily", birth_date=datetime.date(2021, 6, 2), time_zone="Europe/Paris"
    )
    assert Child.objects.get() == child
    assert child.name == "Lily"
    assert list(child.memberships.values_list("user__username", "role")) == [("olivia", Role.OWNER)]


def test_child_create_refuses_an_invalid_child_and_saves_nothing(owner):
    with pytest.raises(ValidationError) as caught:
        services.child_create(
            owner=owner, name="Lily", birth_date=datetime.date(2021, 6, 2), time_zone="Nowhere"
        )
    assert set(caught.value.message_dict) == {"time_zone"}
    assert not Child.objects.exists()
    assert not Membership.objects.exists()


# --- invitations -------------------------------------------------------------------------------


def test_invitation_create_keeps_only_the_tokens_hash(child, owner):
    invitation, token = services.invitation_create(
        child=child, role=Role.VIEWER, note="Grandpa", user=owner
    )
    invitation.refresh_from_db()
    assert len(token) >= 40
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    assert (invitation.role, invitation.note, invitation.created_by) == (
        Role.VIEWER,
        "Grandpa",
        owner,
    )
    assert invitation.status == "pending"
    assert services.invitation_for_token(token) == invitation
    assert services.invitation_for_token(token + "x") is None


def test_each_invitation_gets_its_own_token(child, owner):
    _, first = services.invitation_create(child=child, role=Role.CAREGIVER, note="", user=owner)
    _, second = services.invitation_create(child=child, role=Role.CAREGIVER, note="", user=owner)
    assert first != second


def test_invitation_expires_after_the_configured_days(child, owner, settings):
    settings.INVITATION_MAX_AGE_DAYS = 2
    before = timezone.now()
    invitation, _ = services.invitation_create(
        child=child, role=Role.CAREGIVER, note="", user=owner
    )
    expected = before + datetime.timedelta(days=2)
    assert expected <= invitation.expires_at <= expected + datetime.timedelta(seconds=5)


def test_accepting_an_invitation_joins_the_team_with_its_role(child, owner, stranger):
    invitation, token = services.invitation_create(
        child=child, role=Role.VIEWER, note="Sam", user=owner
    )
    membership = services.invitation_accept(token=token, user=stranger)

    assert (membership.child, membership.user, membership.role) == (child, stranger, Role.VIEWER)
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.accepted_by == stranger
    assert list(Child.objects.visible_to(stranger)) == [child]


def test_an_invitation_works_only_once(child, owner, stranger):
    _, token = services.invitation_create(child=child, role=Role.CAREGIVER, note="", user=owner)
    services.invitation_accept(token=token, user=stranger)
    latecomer = UserFactory()

    with pytest.raises(ValidationError, match="no longer valid"):
        services.invitation_accept(token=token, user=latecomer)
    with pytest.raises(ValidationError, match="no longer valid"):
        services.invitation_accept(token=token, user=stranger)
    assert not Membership.objects.filter(user=latecomer).exists()
    assert Membership.objects.filter(child=child, user=stranger).count() == 1


def test_an_expired_invitation_is_refused(child, stranger):
    InvitationFactory(
        child=child,
        token="expired-token",
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    with pytest.raises(ValidationError, match="no longer valid"):
        services.invitation_accept(token="expired-token", user=stranger)
    assert not Membership.objects.filter(user=stranger).exists()


def test_a_revoked_invitation_is_refused(child, stranger):
    invitation = InvitationFactory(child=child, token="revoked-token")
    services.invitation_revoke(invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == "revoked"

    with pytest.raises(ValidationError, match="no longer valid"):
        services.invitation_accept(token="revoked-token", user=stranger)
    assert not Membership.objects.filter(user=stranger).exists()


def test_an_unknown_token_is_refused(child, stranger):
    InvitationFactory(child=child, token="the-real-token")
    with pytest.raises(ValidationError, match="no longer valid"):
        services.invitation_accept(token="a-guessed-token", user=stranger)


def test_revoking_an_accepted_invitation_changes_nothing(child, stranger):
    invitation = InvitationFactory(child=child, token="used-token")
    services.invitation_accept(token="used-token", user=stranger)
    invitation.refresh_from_db()

    services.invitation_revoke(invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.revoked_at is None


def test_a_member_cannot_use_up_an_invitation_meant_for_someone_else(child, owner):
    InvitationFactory(child=child, role=Role.VIEWER, token="for-someone-else")
    with pytest.raises(ValidationError, match="already on this care team"):
        services.invitation_accept(token="for-someone-else", user=owner)
    assert membership_of(owner, child).role == Role.OWNER
    assert Invitation.objects.get().status == "pending"


# --- roles -------------------------------------------------------------------------------------


def test_the_last_owner_cannot_be_demoted(child, owner):
    with pytest.raises(PermissionDenied, match="at least one owner"):
        services.membership_set_role(membership=membership_of(owner, child), role=Role.CAREGIVER)
    assert membership_of(owner, child).role == Role.OWNER


def test_an_owner_can_step_down_once_someone_else_owns(child, owner, caregiver):
    services.membership_set_role(membership=membership_of(caregiver, child), role=Role.OWNER)
    services.membership_set_role(membership=membership_of(owner, child), role=Role.VIEWER)
    assert membership_of(owner, child).role == Role.VIEWER
    assert membership_of(caregiver, child).role == Role.OWNER


def test_a_role_must_be_one_of_the_three(child, caregiver):
    with pytest.raises(ValidationError) as caught:
        services.membership_set_role(membership=membership_of(caregiver, child), role="admin")
    assert set(caught.value.message_dict) == {"role"}
    assert membership_of(caregiver, child).role == Role.CAREGIVER


def test_the_last_owner_cannot_be_removed(child, owner):
    with pytest.raises(PermissionDenied, match="at least one owner"):
        services.membership_remove(membership=membership_of(owner, child))
    assert Membership.objects.filter(child=child, user=owner).exists()


def test_caregivers_and_viewers_can_be_removed(child, caregiver, viewer):
    services.membership_remove(membership=membership_of(caregiver, child))
    services.membership_remove(membership=membership_of(viewer, child))
    assert list(child.memberships.values_list("role", flat=True)) == [Role.OWNER]
    assert not Child.objects.visible_to(caregiver).exists()


def test_an_owner_can_be_removed_when_another_owner_remains(child, owner, stranger):
    MembershipFactory(child=child, user=stranger, role=Role.OWNER)
    services.membership_remove(membership=membership_of(owner, child))
    assert list(child.memberships.values_list("user__username", flat=True)) == ["sam"]


# --- entries, events, treatments ---------------------------------------------------------------


def test_entry_save_stamps_who_wrote_and_who_changed_it(child, owner, caregiver):
    entry = DailyEntryFactory.build(child=child, date=child.today())
    services.entry_save(entry=entry, user=caregiver)
    entry.refresh_from_db()
    assert (entry.created_by, entry.updated_by) == (caregiver, caregiver)

    entry.rage = 3
    services.entry_save(entry=entry, user=owner)
    entry.refresh_from_db()
    assert (entry.created_by, entry.updated_by, entry.rage) == (caregiver, owner, 3)


def test_entry_save_refuses_an_invalid_entry_and_saves_nothing(child, caregiver):
    entry = DailyEntryFactory.build(child=child, date=child.today(), sleep=4)
    with pytest.raises(ValidationError) as caught:
        services.entry_save(entry=entry, user=caregiver)
    assert "sleep" in caught.value.message_dict
    assert not DailyEntry.objects.exists()


def test_entry_save_refuses_a_second_entry_for_the_same_day(child, caregiver):
    first = DailyEntryFactory(child=child, date=child.today())
    with pytest.raises(services.EditConflict) as caught:
        services.entry_save(
            entry=DailyEntryFactory.build(child=child, date=child.today()), user=caregiver
        )
    assert caught.value.saved == first
    assert DailyEntry.objects.count() == 1


def test_event_save_stamps_and_forgets_other_types_fields(child, caregiver):
    event = TriggerEvent(
        child=child,
        type=TriggerEvent.Type.ANAESTHESIA,
        start_date=child.today() - DAY,
        procedure="MRI",
        temperature_c=Decimal("38.5"),
    )
    services.event_save(event=event, user=caregiver)
    event.refresh_from_db()
    assert (event.created_by, event.updated_by) == (caregiver, caregiver)
    assert (event.procedure, event.temperature_c) == ("MRI", None)


def test_treatment_save_keeps_the_course_and_its_steps(child, owner):
    course = TreatmentCourseFactory.build(child=child, start_date=child.today() - 20 * DAY)
    steps = [
        DoseChange(date=child.today() - 13 * DAY, dose=Decimal("1.5")),
        DoseChange(date=child.today() - 6 * DAY, dose=Decimal("1")),
    ]
    services.treatment_save(course=course, user=owner, changes=steps)

    course.refresh_from_db()
    assert (course.created_by, course.updated_by) == (owner, owner)
    assert list(course.changes.values_list("dose", flat=True)) == [Decimal("1.5"), Decimal("1")]


def test_treatment_save_removes_steps(child, owner):
    step = DoseChangeFactory(course=TreatmentCourseFactory(child=child))
    services.treatment_save(course=step.course, user=owner, removed=[step])
    assert not DoseChange.objects.exists()
    assert TreatmentCourse.objects.get().updated_by == owner


def test_treatment_save_is_all_or_nothing(child, owner):
    course = TreatmentCourseFactory.build(child=child, start_date=child.today() - 20 * DAY)
    steps = [
        DoseChange(date=child.today() - 13 * DAY, dose=Decimal("1.5")),
        DoseChange(date=child.today() - 6 * DAY, dose=Decimal("-1")),
    ]
    with pytest.raises(ValidationError) as caught:
        services.treatment_save(course=course, user=owner, changes=steps)
    assert "dose" in caught.value.message_dict
    assert not TreatmentCourse.objects.exists()
    assert not DoseChange.objects.exists()


def test_an_entry_stays_editable_after_its_author_deletes_their_account(child, owner, caregiver):
    entry = DailyEntryFactory(child=child, created_by=caregiver, updated_by=caregiver)
    caregiver.delete()
    entry.refresh_from_db()
    assert entry.created_by is None

    entry.notes = "Added the next morning."
    services.entry_save(entry=entry, user=owner)
    entry.refresh_from_db()
    assert (entry.created_by, entry.updated_by, entry.notes) == (
        None,
        owner,
        "Added the next morning.",
    )
