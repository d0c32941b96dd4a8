"""What an API request may do to which child: never more than its owner may on the web.

The caregiver's place on the care team comes from journal.access, as for every page (another
family's child is a 404). A token narrows it further: to one child if it names one (any other is
a 404 too), and to reading if its scope is read only. A viewer's token reads, whatever its scope.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from journal.access import VIEWER_REFUSAL, membership_for
from journal.models import AccessToken, Child, Membership

READ_ONLY_REFUSAL = "This token may only read: make a read-and-write token to change the journal."


def token_of(request) -> AccessToken | None:
    return request.auth if isinstance(request.auth, AccessToken) else None


def api_membership(request, child_id: int, *, write: bool = False) -> Membership:
    """The caller's membership of the child (404 if none, or outside the token's child), and,
    for a write, the right to write (403 with the reason if not)."""
    token = token_of(request)
    if token is not None and token.child_id not in (None, child_id):
        raise Http404("No such child in your journal.")
    membership = membership_for(request, child_id)
    if write:
        if token is not None and not token.can_write:
            raise PermissionDenied(READ_ONLY_REFUSAL)
        if not membership.can_write:
            raise PermissionDenied(_(VIEWER_REFUSAL))
    return membership


def visible_children(request):
    """The children the caller may read, by name: those of their care teams, or the token's."""
    children = Child.objects.visible_to(request.user).select_related("relapse_settings")
    token = token_of(request)
    if token is not None and token.child_id is not None:
        children = children.filter(pk=token.child_id)
    return children.order_by("name", "pk")
