"""Sharing the visit summary with a clinician: the owners' page of links, and the public pages a
link opens.

A link opens the summary page and its PDF for the link's child and period, and nothing else: no
other URL reads its token. An unknown, expired or revoked token gets the site's own 404 page, the
same for all three.
"""

import datetime
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from journal import services, trends
from journal.access import OWNER_REFUSAL, membership_for, owner_membership_for
from journal.forms import ShareLinkForm
from journal.languages import in_language
from journal.models import ShareLink, ShareOpening
from journal.pdf import PAPERS
from journal.summary import default_period
from journal.views import once
from journal.views.summary import render_summary, summary_pdf

NEW_LINK = "new_share_link"
OPENINGS_SHOWN = 5  # the last few openings beside each link; the rest on the link's own page
OPENINGS_PER_PAGE = 100


# --- the owners' page ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def share_links(request: HttpRequest, child_id: int) -> HttpResponse:
    """The child's links to the visit summary: make one, see each one's state and openings.

    Only owners make and see links, as only they make and see invitations (journal.views.team):
    the rest of the team is told so.
    """
    membership = membership_for(request, child_id)
    child = membership.child
    if request.method == "POST" and not membership.is_owner:
        raise PermissionDenied(_(OWNER_REFUSAL))
    form = share_link_form(request, child)
    if request.method == "POST" and form.is_valid():
        _link, token = services.share_link_create(
            child=child,
            first=form.cleaned_data["first"],
            last=form.cleaned_data["last"],
            note=form.cleaned_data["note"],
            days=form.cleaned_data["days"],
            language=form.cleaned_data["language"],
            user=request.user,
        )
        # Shown once, on the next page: only the token's hash is stored.
        link = request.build_absolute_uri(reverse("shared_summary", args=[token]))
        page = reverse("share_links", args=[child.pk])
        return once.keep_for_next_page(redirect(page), NEW_LINK, link, page)
    context = {
        "membership": membership,
        "child": child,
        "form": form,
        "links": links_of(child) if membership.is_owner else [],
        "new_link": once.waiting_link(request, NEW_LINK),
        "openings_shown": OPENINGS_SHOWN,
    }
    return once.shown(render(request, "journal/share_links.html", context), request, NEW_LINK)


def share_link_form(request: HttpRequest, child) -> ShareLinkForm:
    today = child.today()
    first, _last = default_period(child)
    return ShareLinkForm(
        request.POST if request.method == "POST" else None,
        instance=ShareLink(child=child),
        initial={"first": first},
        today=today,
        born=child.birth_date,
    )


def links_of(child) -> list[ShareLink]:
    """The child's links, newest first, each with its count of openings and its last few:
    two queries, however many links and openings."""
    last_few = Prefetch(
        "openings",
        queryset=ShareOpening.objects.order_by("-at", "-pk")[:OPENINGS_SHOWN],
        to_attr="last_openings",
    )
    return list(
        ShareLink.objects.filter(child=child)
        .annotate(opening_count=Count("openings"))
        .select_related("created_by")
        .prefetch_related(last_few)
    )


@login_required
@require_GET
def share_link_openings(request: HttpRequest, child_id: int, pk: int) -> HttpResponse:
    """Every opening of one link, newest first, a page at a time."""
    membership = owner_membership_for(request, child_id)
    link = get_object_or_404(ShareLink.objects.filter(child=membership.child), pk=pk)
    openings = Paginator(link.openings.all(), OPENINGS_PER_PAGE)
    return render(
        request,
        "journal/share_link_openings.html",
        {
            "membership": membership,
            "child": membership.child,
            "link": link,
            "page": openings.get_page(request.GET.get("page")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def share_link_revoke(request: HttpRequest, child_id: int, pk: int) -> HttpResponse:
    """GET asks to confirm; POST revokes: the link stops working at once."""
    membership = owner_membership_for(request, child_id)
    link = get_object_or_404(ShareLink.objects.filter(child=membership.child), pk=pk)
    if request.method == "POST":
        services.share_link_revoke(link=link, user=request.user)
        messages.success(
            request,
            _("The link for %(link)s no longer works.") % {"link": link.description},
        )
        return redirect("share_links", child_id=child_id)
    return render(
        request,
        "journal/share_link_revoke.html",
        {"membership": membership, "child": membership.child, "link": link},
    )


# --- what a link opens, without logging in -------------------------------------------------------


def shared(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page a share link opens: GET only, its token looked up (unknown, expired or revoked:
    a 404 that says so, the same for each), and headers that keep the token and the page out
    of caches, other sites' logs (Referer) and search engines, on the 404 too."""

    @require_GET
    @never_cache
    @wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        link = services.share_link_for_token(token)
        if link is None:
            # Not the site's 404: its "Back to the journal" leads a clinician nowhere.
            response = render(request, "journal/shared_gone.html", {"shared": True}, status=404)
        else:
            # Days and times read as they are where the child lives; words in the link's
            # language, else in the browser's.
            timezone.activate(link.child.zone)
            response = in_language(link.language, view, request, link, token)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def period_of(link: ShareLink) -> tuple[datetime.date, datetime.date]:
    """The link's days: to its last day, or to the child's today when it has none."""
    return trends.bounded(link.first, link.last or max(link.first, link.child.today()))


@shared
def shared_summary(request: HttpRequest, link: ShareLink, token: str) -> HttpResponse:
    response = render_summary(request, link.child, *period_of(link), share_token=token)
    services.share_opening_record(link=link, kind=ShareOpening.Kind.PAGE)
    return response


@shared
def shared_summary_pdf(request: HttpRequest, link: ShareLink, token: str) -> HttpResponse:
    paper = request.GET.get("paper")
    paper = paper if paper in PAPERS else "a4"
    response = summary_pdf(link.child, *period_of(link), paper=paper)
    services.share_opening_record(link=link, kind=ShareOpening.Kind.PDF)
    return response
