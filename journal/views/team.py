from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from journal import services
from journal.access import OWNER_REFUSAL, membership_for, owner_membership_for
from journal.forms import InvitationForm, RoleForm
from journal.models import Invitation, Membership
from journal.templatetags.journal import person
from journal.views import once

NEW_LINK = "new_invitation_link"


@login_required
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, child_id: int) -> HttpResponse:
    """The care team: who can see and change this journal, and the invitations sent."""
    membership = membership_for(request, child_id)
    child = membership.child
    if request.method == "POST" and not membership.is_owner:
        raise PermissionDenied(_(OWNER_REFUSAL))
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _invitation, token = services.invitation_create(
            child=child,
            role=form.cleaned_data["role"],
            note=form.cleaned_data["note"],
            user=request.user,
        )
        # The link is shown once, on the next page: only its hash is stored.
        link = request.build_absolute_uri(reverse("invitation_accept", kwargs={"token": token}))
        page = reverse("team", args=[child.pk])
        return once.keep_for_next_page(redirect(page), NEW_LINK, link, page)
    members = list(Membership.objects.filter(child=child).select_related("user"))
    owners = sum(1 for member in members if member.is_owner)
    context = {
        "membership": membership,
        "child": child,
        "members": [(m, RoleForm(instance=m, prefix=f"m{m.pk}")) for m in members],
        "invitations": Invitation.objects.filter(child=child).select_related("accepted_by")
        if membership.is_owner
        else [],
        "form": form,
        "new_link": once.waiting_link(request, NEW_LINK),
        "invitation_days": settings.INVITATION_MAX_AGE_DAYS,
        # The last owner can't leave (the service refuses it), so no button offers it.
        "sole_owner": membership.is_owner and owners == 1,
    }
    return once.shown(render(request, "journal/team.html", context), request, NEW_LINK)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, child_id: int, pk: int) -> HttpResponse:
    membership = owner_membership_for(request, child_id)
    invitation = get_object_or_404(Invitation.objects.filter(child=membership.child), pk=pk)
    services.invitation_revoke(invitation=invitation)
    messages.success(request, _("The invitation link no longer works."))
    return redirect("team", child_id=child_id)


@login_required
@require_POST
def membership_role(request: HttpRequest, child_id: int, pk: int) -> HttpResponse:
    owner = owner_membership_for(request, child_id)
    member = get_object_or_404(Membership.objects.filter(child=owner.child), pk=pk)
    form = RoleForm(request.POST, instance=Membership(role=member.role), prefix=f"m{pk}")
    if not form.is_valid():
        messages.error(request, _("Choose owner, caregiver or viewer."))
    else:
        try:
            services.membership_set_role(membership=member, role=form.cleaned_data["role"])
            messages.success(
                request,
                _("%(person)s is now %(role)s.")
                % {"person": person(member.user), "role": member.get_role_display()},
            )
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
    return redirect("team", child_id=child_id)


@login_required
@require_POST
def membership_remove(request: HttpRequest, child_id: int, pk: int) -> HttpResponse:
    """An owner removes someone from the team; anyone may remove themselves (leave)."""
    own = membership_for(request, child_id)
    member = get_object_or_404(Membership.objects.filter(child=own.child), pk=pk)
    # Decided before removing: delete() sets the removed membership's pk to None.
    leaving = member.pk == own.pk
    if not leaving and not own.is_owner:
        raise PermissionDenied(_(OWNER_REFUSAL))
    try:
        services.membership_remove(membership=member)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
        return redirect("team", child_id=child_id)
    if leaving:
        messages.success(
            request, _("You have left %(child)s's care team.") % {"child": own.child.name}
        )
        return redirect("home")
    messages.success(
        request, _("%(person)s was removed from the care team.") % {"person": person(member.user)}
    )
    return redirect("team", child_id=child_id)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation link opens: log in or sign up, then join the care team."""
    invitation = services.invitation_for_token(token)
    if invitation is None or invitation.status != "pending":
        return render(request, "journal/invitation_invalid.html", status=404)
    already = (
        request.user.is_authenticated
        and Membership.objects.filter(child=invitation.child, user=request.user).exists()
    )
    if request.method == "POST" and request.user.is_authenticated and not already:
        try:
            joined = services.invitation_accept(token=token, user=request.user)
        except ValidationError:
            return render(request, "journal/invitation_invalid.html", status=404)
        messages.success(
            request,
            _("You are on %(child)s's care team as %(role)s.")
            % {"child": joined.child.name, "role": joined.get_role_display().lower()},
        )
        return redirect("child_detail", child_id=joined.child_id)
    return render(
        request, "journal/invitation_accept.html", {"invitation": invitation, "already": already}
    )
