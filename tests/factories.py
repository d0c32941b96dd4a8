"""factory_boy factories for every model, with plain, valid defaults.

Every child has an owner (as in the app: a care team always has one), and rows are stamped as
written by that owner. Dates are counted back from the child's own today, so a factory-made row
passes `full_clean()`. Tests that care about a value pass it explicitly.
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from journal.models import (
    Child,
    DailyEntry,
    DoseChange,
    Drug,
    Invitation,
    Membership,
    Role,
    ShareLink,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
    hash_token,
)

PASSWORD = "a-long-test-password"  # every factory-made user has it


def years_ago(years: int) -> datetime.date:
    return timezone.now().date() - datetime.timedelta(days=round(365.25 * years))


def first_owner(child: Child):
    """The child's first owner, or None for a child that isn't saved."""
    if child.pk is None:
        return None
    membership = child.memberships.filter(role=Role.OWNER).order_by("pk").first()
    return membership.user if membership else None


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"carer{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = factory.Faker("first_name")
    password = factory.django.Password(PASSWORD)


class ChildFactory(DjangoModelFactory):
    """A child of about four, diagnosed a year ago, owned by `owner` (a new user if not given)."""

    class Meta:
        model = Child
        skip_postgeneration_save = True

    name = factory.Faker("first_name")
    birth_date = factory.LazyFunction(lambda: years_ago(4))
    diagnosis_date = factory.LazyFunction(lambda: years_ago(1))
    tumour_found = Child.Tumour.UNKNOWN
    time_zone = "Europe/London"

    @factory.post_generation
    def owner(child, create, extracted, **kwargs):
        if create:
            owner = extracted if extracted is not None else UserFactory()
            Membership.objects.create(child=child, user=owner, role=Role.OWNER)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    child = factory.SubFactory(ChildFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.CAREGIVER


class InvitationFactory(DjangoModelFactory):
    """A pending invitation. Pass `token="..."` to know the token its hash was made from."""

    class Meta:
        model = Invitation

    class Params:
        token = factory.LazyFunction(Invitation.new_token)

    child = factory.SubFactory(ChildFactory)
    role = Role.CAREGIVER
    note = "Grandma"
    token_hash = factory.LazyAttribute(lambda invitation: hash_token(invitation.token))
    created_by = factory.LazyAttribute(lambda invitation: first_owner(invitation.child))
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class ShareLinkFactory(DjangoModelFactory):
    """A valid link to the last 3 months' visit summary. Pass `token="..."` to know its token."""

    class Meta:
        model = ShareLink

    class Params:
        token = factory.LazyFunction(ShareLink.new_token)

    child = factory.SubFactory(ChildFactory)
    note = "Dr Rivera"
    first = factory.LazyAttribute(lambda link: link.child.today() - datetime.timedelta(days=90))
    token_hash = factory.LazyAttribute(lambda link: hash_token(link.token))
    created_by = factory.LazyAttribute(lambda link: first_owner(link.child))
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))


class DailyEntryFactory(DjangoModelFactory):
    """Yesterday's entry (in the child's time zone) with every core item rated."""

    class Meta:
        model = DailyEntry

    child = factory.SubFactory(ChildFactory)
    date = factory.LazyAttribute(lambda entry: entry.child.today() - datetime.timedelta(days=1))
    opsoclonus = 1
    myoclonus = 1
    ataxia = 2
    sleep = 0
    rage = 1
    sleep_hours = Decimal("9.50")
    night_wakings = 2
    notes = ""
    created_by = factory.LazyAttribute(lambda row: first_owner(row.child))
    updated_by = factory.SelfAttribute("created_by")


class TriggerEventFactory(DjangoModelFactory):
    """A fever three days ago."""

    class Meta:
        model = TriggerEvent

    child = factory.SubFactory(ChildFactory)
    type = TriggerEvent.Type.FEVER
    start_date = factory.LazyAttribute(
        lambda event: event.child.today() - datetime.timedelta(days=3)
    )
    temperature_c = Decimal("38.9")
    created_by = factory.LazyAttribute(lambda row: first_owner(row.child))
    updated_by = factory.SelfAttribute("created_by")


class TreatmentCourseFactory(DjangoModelFactory):
    """A prednisolone taper started a month ago, still going."""

    class Meta:
        model = TreatmentCourse

    child = factory.SubFactory(ChildFactory)
    drug = Drug.PREDNISOLONE
    purpose = TreatmentCourse.Purpose.IMMUNOTHERAPY
    regimen = TreatmentCourse.Regimen.TAPER
    dose = Decimal("2.000")
    unit = TreatmentCourse.Unit.MG_KG
    route = TreatmentCourse.Route.ORAL
    start_date = factory.LazyAttribute(
        lambda course: course.child.today() - datetime.timedelta(days=30)
    )
    end_date = None
    created_by = factory.LazyAttribute(lambda row: first_owner(row.child))
    updated_by = factory.SelfAttribute("created_by")


class DoseChangeFactory(DjangoModelFactory):
    """The first taper step, a week into the course."""

    class Meta:
        model = DoseChange

    course = factory.SubFactory(TreatmentCourseFactory)
    date = factory.LazyAttribute(lambda change: change.course.start_date + datetime.timedelta(7))
    dose = Decimal("1.500")
    note = ""


class TrackedItemFactory(DjangoModelFactory):
    """An extra item a family rates each day, with its own anchors."""

    class Meta:
        model = TrackedItem

    child = factory.SubFactory(ChildFactory)
    name = factory.Sequence(lambda n: f"Item {n}")
    anchor_0 = "None"
    anchor_1 = "A little"
    anchor_2 = "A lot"
    anchor_3 = "All day"
