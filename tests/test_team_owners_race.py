"""Two owners demoting or removing each other at the same moment never leave a care team
without an owner.

Each service checks that another owner remains before it demotes or removes one. Without a lock,
two transactions can each see the other owner, each demote or remove the other, and both commit:
no owner left (PostgreSQL runs them side by side; SQLite lets one writer at a time). Each round
here runs both at the same instant, in their own threads and connections.
"""

import pytest
from django.core.exceptions import PermissionDenied

from journal import services
from journal.models import Membership, Role
from tests.factories import ChildFactory, MembershipFactory, UserFactory
from tests.test_conflicts import save_concurrently

ROUNDS = 12


def attempt(change):
    """Run one side's change; its outcome, the refusal being one."""
    try:
        change()
    except PermissionDenied:
        return "refused"
    return "done"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["demote", "remove", "one_each"])
def test_two_owners_acting_on_each_other_at_once_leave_one_owner(how):
    for round_ in range(ROUNDS):
        child = ChildFactory()
        first = child.memberships.get()
        second = MembershipFactory(child=child, user=UserFactory(), role=Role.OWNER)
        demote = lambda m: lambda: services.membership_set_role(membership=m, role=Role.VIEWER)  # noqa: E731
        remove = lambda m: lambda: services.membership_remove(membership=m)  # noqa: E731
        jobs = {
            "demote": [demote(second), demote(first)],
            "remove": [remove(second), remove(first)],
            "one_each": [demote(second), remove(first)],
        }[how]
        outcomes = save_concurrently([lambda job=job: attempt(job) for job in jobs])
        owners = Membership.objects.filter(child=child, role=Role.OWNER).count()
        assert owners == 1, f"round {round_}: {outcomes}, {owners} owners left"
        assert sorted(outcomes) == ["done", "refused"], outcomes
