from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from journal.access import owner_membership_for
from journal.models import Change

CHANGES_PER_PAGE = 50


@login_required
@require_GET
def change_list(request: HttpRequest, child_id: int) -> HttpResponse:
    """Every change to the child's entries, triggers and treatments: who, when, before, after."""
    membership = owner_membership_for(request, child_id)
    changes = Change.objects.for_child(membership.child).select_related("user")
    page = Paginator(changes, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "journal/change_list.html",
        {"membership": membership, "child": membership.child, "page": page},
    )
