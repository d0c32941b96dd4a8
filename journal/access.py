"""Who may see and change which child. Every view that touches a child starts here.

A child the caregiver is not on the care team of does not exist for them: 404, never 403, so that
a stranger cannot even learn that an id is taken.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from journal.models import Membership

VIEWER_REFUSAL = (
    "You can read this journal but not change it: your role is viewer. "
    "Ask an owner of the care team if you need to log entries."
)
OWNER_REFUSAL = "Only an owner of the care team can do this."


def membership_for(request, child_id: int) -> Membership:
    """The user's place on the child's care team, with the child and its possible-relapse
    rule (so `child.relapse_rule()` costs no query); 404 if they have none."""
    if not request.user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("child", "child__relapse_settings")
        .filter(user=request.user, child_id=child_id)
        .first()
    )
    if membership is None:
        raise Http404("No such child in your journal.")
    # Days and times on the child's pages read as they are where the child lives.
    timezone.activate(membership.child.zone)
    return membership


def writer_membership_for(request, child_id: int) -> Membership:
    membership = membership_for(request, child_id)
    if not membership.can_write:
        raise PermissionDenied(VIEWER_REFUSAL)
    return membership


def owner_membership_for(request, child_id: int) -> Membership:
    membership = membership_for(request, child_id)
    if not membership.is_owner:
        raise PermissionDenied(OWNER_REFUSAL)
    return membership
