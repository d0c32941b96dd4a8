from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from journal import services
from journal.access import OWNER_REFUSAL, membership_for, owner_membership_for
from journal.forms import TrackedItemForm
from journal.models import TrackedItem


@login_required
@require_http_methods(["GET", "POST"])
def item_list(request: HttpRequest, child_id: int) -> HttpResponse:
    """The extra items this child's daily entry asks about, and a form to add one (owners)."""
    membership = membership_for(request, child_id)
    child = membership.child
    if request.method == "POST" and not membership.is_owner:
        raise PermissionDenied(_(OWNER_REFUSAL))
    form = TrackedItemForm(request.POST or None, instance=TrackedItem(child=child))
    if request.method == "POST" and form.is_valid():
        item = services.tracked_item_save(item=form.instance)
        messages.success(request, _("%(item)s is now on the daily entry.") % {"item": item.label})
        return redirect("item_list", child_id=child.pk)
    context = {
        "membership": membership,
        "child": child,
        "items": TrackedItem.objects.for_child(child),
        "form": form,
    }
    return render(request, "journal/item_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, child_id: int, pk: int) -> HttpResponse:
    membership = owner_membership_for(request, child_id)
    item = get_object_or_404(TrackedItem.objects.for_child(membership.child), pk=pk)
    form = TrackedItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        services.tracked_item_save(item=form.instance)
        messages.success(request, _("Saved: %(item)s.") % {"item": item.label})
        return redirect("item_list", child_id=child_id)
    return render(
        request,
        "journal/item_form.html",
        {"membership": membership, "child": membership.child, "form": form, "item": item},
    )
