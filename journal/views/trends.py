"""Trends: the charts of a period, their numbers as tables, and the possible relapses.

Charts are drawn once per child, period and data version, cached, and revalidated through an
ETag: a browser that has the chart gets a 304 until the child's journal changes.
"""

import gzip

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from journal import trends
from journal.access import membership_for
from journal.compression import accepts_gzip
from journal.forms import PeriodForm
from journal.models import Child, Membership
from journal.pages import cached_page, page_key
from journal.trends import DEFAULT_RANGE, EMPTY_HISTORY, KINDS, PRESETS, Period


def _period_for(request: HttpRequest, child: Child) -> tuple[PeriodForm, Period]:
    """The range picker as the request fills it in, and the period it asks for."""
    today = child.today()
    form = PeriodForm(request.GET or None, today=today, born=child.birth_date)
    if not form.is_bound:
        form = PeriodForm({"range": DEFAULT_RANGE}, today=today, born=child.birth_date)
    wants_all = form.is_valid() and form.cleaned_data.get("range") == "all"
    return form, form.period(trends.history_for(child) if wants_all else EMPTY_HISTORY)


def _period_of(request: HttpRequest, child: Child) -> Period:
    """The period a chart or a table asks for, as _period_for reads it. A preset alone in the
    query, as every link of the trends page sends, needs no form: building and checking one
    cost a cached chart about a tenth of its time."""
    key = request.GET.get("range", DEFAULT_RANGE)
    if key in PRESETS and set(request.GET) <= {"range"}:
        history = trends.history_for(child) if key == "all" else EMPTY_HISTORY
        return Period.preset(key, child.today(), history)
    return _period_for(request, child)[1]


@login_required
@require_GET
@never_cache  # going Back to it after a save must show the save
def trends_page(request: HttpRequest, child_id: int) -> HttpResponse:
    """The charts of a period, with the range picker; the charts alone for htmx."""
    membership = membership_for(request, child_id)
    child = membership.child
    form, period = _period_for(request, child)
    context = {
        "membership": membership,
        "child": child,
        "form": form,
        "presets": trends.PRESETS,
        "trends": trends.trends_for(child, period),
        "period": period,
        "overview_today": trends.overview_for(child, child.today()),
    }
    template = "journal/trends.html"
    if request.htmx and not request.htmx.boosted:
        template += "#charts"
    return render(request, template, context)


@login_required
@require_GET
def chart(request: HttpRequest, child_id: int, kind: str) -> HttpResponse:
    """One chart as SVG: drawn once, then from the cache; a 304 while the browser's is fresh."""
    if kind not in KINDS:
        raise Http404("No such chart.")
    child = membership_for(request, child_id).child
    period = _period_of(request, child)
    # Weak: the same chart, sent compressed or not.
    etag = "W/" + trends.etag_for(trends.chart_key(child, kind, period))
    response = get_conditional_response(request, etag=etag)
    if response is None:
        svg = trends.chart_svg_gzip(child, kind, period)
        if accepts_gzip(request):
            response = HttpResponse(svg, content_type="image/svg+xml")
            response["Content-Encoding"] = "gzip"  # the GZip middleware leaves it as it is
        else:
            response = HttpResponse(gzip.decompress(svg), content_type="image/svg+xml")
    response["ETag"] = etag
    patch_vary_headers(response, ["Accept-Encoding"])
    # Health data: kept by the browser only, and asked again each time (a 304 costs little).
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_GET
def chart_table(request: HttpRequest, child_id: int, kind: str) -> HttpResponse:
    """The numbers behind a chart, as a table; the table alone for htmx."""
    if kind not in KINDS:
        raise Http404("No such chart.")
    membership = membership_for(request, child_id)
    period = _period_of(request, membership.child)
    template = "journal/chart_table.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return cached_page(
        request,
        template,
        page_key(request, membership, template, period.key, period.first, period.last),
        lambda: table_context(membership, kind, period),
    )


def table_context(membership: Membership, kind: str, period: Period) -> dict:
    child = membership.child
    history = trends.history_for(child)
    overview = trends.overview_for(child, period.last)
    return {
        "membership": membership,
        "child": child,
        "kind": kind,
        "title": KINDS[kind].title,
        "period": period,
        "columns": trends.table_columns(kind, history),
        "note": trends.TABLE_NOTES.get(kind, ""),
        "rows": trends.table_rows(kind, history, overview, period),
    }
