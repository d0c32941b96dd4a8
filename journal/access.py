"""Who may see and change which child. Every view that touches a child starts here.

A child the caregiver is not on the care team of does not exist for them: 404, never 403, so that
a stranger cannot even learn that an id is taken.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from journal.models import Child, Membership, RelapseSettings
from journal.rows import Joined, RowReader

# Kept in English (tests and the API compare them); translated where raised.
VIEWER_REFUSAL = gettext_noop(
    "You can read this journal but not change it: your role is viewer. "
    "Ask an owner of the care team if you need to log entries."
)
OWNER_REFUSAL = gettext_noop("Only an owner of the care team can do this.")


# Every page of a child reads this, so it is SQL written once (journal/rows.py): the same as
# Membership.objects.select_related("child", "child__relapse_settings"), a sixth of its cost.
MEMBERSHIP = RowReader(
    "FROM {membership} JOIN {child} ON c.id = m.child_id "
    "LEFT JOIN {settings} ON s.child_id = c.id WHERE m.user_id = %s AND m.child_id = %s",
    membership=Joined(Membership, "m"),
    child=Joined(Child, "c"),
    settings=Joined(RelapseSettings, "s"),
)


def membership_for(request, child_id: int) -> Membership:
    """The user's place on the child's care team, with the child and its possible-relapse
    rule (so `child.relapse_rule()` costs no query); 404 if they have none."""
    if not request.user.is_authenticated:
        raise Http404
    found = MEMBERSHIP.first([request.user.pk, child_id])
    if found is None:
        raise Http404(_("No such child in your journal."))
    membership, child = found["membership"], found["child"]
    Child.relapse_settings.related.set_cached_value(child, found["settings"])
    Membership.child.field.set_cached_value(membership, child)
    Membership.user.field.set_cached_value(membership, request.user)
    # Days and times on the child's pages read as they are where the child lives.
    timezone.activate(membership.child.zone)
    return membership


def writer_membership_for(request, child_id: int) -> Membership:
    membership = membership_for(request, child_id)
    if not membership.can_write:
        raise PermissionDenied(_(VIEWER_REFUSAL))
    return membership


def owner_membership_for(request, child_id: int) -> Membership:
    membership = membership_for(request, child_id)
    if not membership.is_owner:
        raise PermissionDenied(_(OWNER_REFUSAL))
    return membership
