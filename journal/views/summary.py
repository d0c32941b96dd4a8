"""The visit summary: a print-friendly page and a PDF for the neurologist, each in the language
asked for (the page's by default)."""

import base64

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from journal import pdf, summary, trends
from journal.access import membership_for
from journal.forms import SummaryForm
from journal.languages import in_language
from journal.models import Child


def _asked(request: HttpRequest, child_id: int):
    """The membership, and the summary's form as the request fills it in."""
    membership = membership_for(request, child_id)
    child = membership.child
    first, _ = summary.default_period(child)
    form = SummaryForm(request.GET, today=child.today(), born=child.birth_date, first=first)
    return membership, form


def _with_errors(request: HttpRequest, membership, form: SummaryForm) -> HttpResponse:
    """The page of the default period, with the form's errors beside its fields."""
    child = membership.child
    first, last = summary.default_period(child)
    return render_summary(request, child, first, last, form=form, membership=membership)


@login_required
@require_GET
def summary_page(request: HttpRequest, child_id: int) -> HttpResponse:
    """The summary of the period asked for (by default since the last visit), to print."""
    membership, form = _asked(request, child_id)
    if not form.is_valid():
        return _with_errors(request, membership, form)
    data = form.cleaned_data
    return in_language(
        data["language"],
        render_summary,
        request,
        membership.child,
        data["start"],
        data["end"],
        form=form,
        membership=membership,
    )


@login_required
@require_GET
def summary_pdf_download(request: HttpRequest, child_id: int) -> HttpResponse:
    """The summary as a PDF file; with bad dates, the page says what to fix."""
    membership, form = _asked(request, child_id)
    if not form.is_valid():
        return _with_errors(request, membership, form)
    data = form.cleaned_data
    return in_language(
        data["language"],
        summary_pdf,
        membership.child,
        data["start"],
        data["end"],
        paper=data["paper"],
    )


def render_summary(
    request: HttpRequest, child: Child, first, last, *, share_token=None, form=None, membership=None
) -> HttpResponse:
    """The summary page. With a share token, the clinician's: no way into the journal, and
    the PDF from the share link."""
    visit = summary.visit_summary(child, first, last)
    if share_token:
        pdf_url = reverse("shared_summary_pdf", args=[share_token])
    else:
        pdf_url = reverse("summary_pdf", args=[child.pk]) + "?" + request.GET.urlencode()
    context = {
        "child": None if share_token else child,
        "membership": membership,
        "visit": visit,
        "headline": summary.status_words(visit),
        "charts": [_chart(child, kind, visit) for kind in trends.KINDS],
        "form": form,
        "pdf_url": pdf_url,
        "shared": bool(share_token),
    }
    response = render(request, "journal/summary.html", context)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _chart(child: Child, kind: str, visit: summary.VisitSummary) -> dict:
    """A chart of the summary, inline: the page then needs no other URL, shared or not."""
    svg = trends.chart_svg(child, kind, visit.period)
    width, height = trends.svg_size(svg)
    return {
        "kind": kind,
        "title": trends.KINDS[kind].title,
        "src": "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
        "words": visit.chart_words(kind),
        "width": width,
        "height": height,
    }


def summary_pdf(child: Child, first, last, *, paper: str = "a4") -> HttpResponse:
    """The PDF as a download, built once for the journal as it is."""
    made = child.today()
    language = translation.get_language()
    key = trends.cache_key(child, "summary-pdf", first, last, paper, made, language)

    def build() -> bytes:
        return pdf.summary_pdf(summary.visit_summary(child, first, last), paper=paper, made=made)

    response = HttpResponse(trends.cached(key, build), content_type="application/pdf")
    name = slugify(child.name) or "child"
    filename = f"oms-journal-{name}-visit-summary-{first:%Y-%m-%d}-to-{last:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, private=True, no_store=True)
    return response
