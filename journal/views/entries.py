import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect, reswap, trigger_client_event

from journal import analysis, history, queries, services, trends
from journal.access import VIEWER_REFUSAL, membership_for
from journal.dates import weekday_date
from journal.forms import EntryForm, day_form
from journal.models import DailyEntry, Membership
from journal.pages import cached_page, page_key
from journal.views import conflicts
from journal.views.delivery import delivery_key
from journal.views.events import fever_offer

HISTORY_DAYS = 28
ONE_DAY = datetime.timedelta(days=1)


@login_required
@require_GET
def entry_today(request: HttpRequest, child_id: int) -> HttpResponse:
    """Today's entry, in the child's time zone: one tap from the home page."""
    child = membership_for(request, child_id).child
    return redirect("entry_form", child_id=child.pk, day=child.today())


def entry_url(entry_or_child, day: datetime.date) -> str:
    return reverse("entry_form", kwargs={"child_id": entry_or_child.pk, "day": day})


@login_required
@require_http_methods(["GET", "POST"])
def entry_form(request: HttpRequest, child_id: int, day: datetime.date) -> HttpResponse:
    """Log a day, or change it: a day that has an entry is always edited, never duplicated."""
    membership = membership_for(request, child_id)
    if request.method == "POST":
        return save_day(request, membership, day)
    child = membership.child
    today = child.today()
    if not child.birth_date <= day <= today:
        messages.warning(
            request,
            _("That day hasn't happened yet.") if day > today else _("That day is before birth."),
        )
        return redirect("entry_form", child_id=child.pk, day=today)
    if request.htmx:
        return render(request, "journal/entry_form.html#entry-form", day_context(membership, day))
    return cached_page(
        request,
        "journal/entry_form.html",
        page_key(request, membership, today),
        lambda: day_context(membership, day),
    )


def day_context(membership, day: datetime.date, *, entry=None, form=None, **more) -> dict:
    """What the day's page shows; the day as stored when no form is given."""
    child = membership.child
    if form is None:
        entry, _items, form = day_form(child, day)
    today = child.today()
    saved = entry if entry.pk and membership.can_write else None
    return {
        "fever_offer": day_fever_offer(child, saved),
        "membership": membership,
        "child": child,
        "day": day,
        "today": today,
        "entry": entry if entry.pk else None,
        "form": form,
        "day_before": day_before_ratings(membership, day) if not entry.pk else "",
        "saved": False,
        "conflict": None,
        "previous_day": day - ONE_DAY if day > child.birth_date else None,
        "next_day": day + ONE_DAY if day < today else None,
        **more,
    }


def day_before_ratings(membership, day: datetime.date) -> str:
    """The day before's ratings by field name, as JSON, for "Same as yesterday" on a day not
    logged yet: the form takes them in to adjust, and nothing is saved until Save. Core items
    only: an extra item is rated afresh. Empty when there is nothing to copy."""
    if not membership.can_write:
        return ""
    rated = queries.core_ratings(membership.child, day - ONE_DAY)
    return json.dumps(rated) if rated else ""


def save_day(request: HttpRequest, membership, day: datetime.date) -> HttpResponse:
    """Save the day: back to it (or, for htmx, its "Saved" line), or the form again with what
    to fix or the other caregiver's save to compare."""
    if not membership.can_write:
        raise PermissionDenied(_(VIEWER_REFUSAL))
    child = membership.child
    entry, items, form = day_form(child, day, request.POST)
    outcome = {}
    if form.is_valid():
        try:
            with services.delivered_once(user=request.user, key=delivery_key(request)):
                entry = services.entry_save(
                    entry=form.instance,
                    user=request.user,
                    item_values=form.item_values,
                    expected_version=form.started_from_version,
                    stored=form.stored,
                )
        except services.AlreadyDelivered:
            return delivered_before(request, membership, day)
        except services.EditConflict as clash:
            conflict, form = entry_conflict(request, form, clash.saved, items)
            entry = clash.saved or form.instance
            outcome = {"conflict": conflict}
        else:
            if entry.date != day or not request.htmx:
                return after_save(request, child, entry)
            if request.POST.get("shown") == "clean":
                return saved_in_place(request, form, entry)
            form = EntryForm(instance=entry, items=items)
            outcome = {"saved": True}
    context = day_context(membership, day, entry=entry, form=form, **outcome)
    status = 409 if context["conflict"] else 200
    if not request.htmx:
        return render(request, "journal/entry_form.html", context, status=status)
    response = render(request, "journal/entry_form.html#entry-form", context, status=status)
    if context["saved"]:
        trigger_client_event(response, "entry-saved", {"day": day.isoformat()})
    return response


def delivered_before(request: HttpRequest, membership, day: datetime.date) -> HttpResponse:
    """A save sent again (a day kept on the phone, whose first sending was stored but whose
    answer never arrived): answered as saved, with the day as it is stored."""
    if not request.htmx:
        return redirect("entry_form", child_id=membership.child.pk, day=day)
    context = day_context(membership, day, saved=True)
    response = render(request, "journal/entry_form.html#entry-form", context)
    return trigger_client_event(response, "entry-saved", {"day": day.isoformat()})


def saved_in_place(request: HttpRequest, form: EntryForm, entry: DailyEntry) -> HttpResponse:
    """For htmx, a save of a form that showed no problem: the form stays as the caregiver left
    it, which is what was saved; only its version and the "Saved" line change. (Drawing the
    whole form again took three quarters of a save's time.)"""
    # No request: it needs no context processor.
    context = {"form": form, "entry": entry, "fever_offer": day_fever_offer(entry.child, entry)}
    response = HttpResponse(render_to_string("journal/entry_form.html#entry-saved", context))
    reswap(response, "none")  # the out-of-band swaps only
    return trigger_client_event(response, "entry-saved", {"day": entry.date.isoformat()})


def day_fever_offer(child, entry: DailyEntry | None) -> dict | None:
    """A saved day's fever (38.0 °C or more) that no fever event covers yet: it counts as a
    fever already, and the caregiver may log it as a trigger to say more. A query only on such
    a day."""
    if entry is None or not entry.has_fever:
        return None
    if queries.fever_logged_on(child, entry.date):
        return None
    temperature = float(entry.max_temperature_c)
    return fever_offer(child.pk, analysis.Trigger(entry.date, "fever", "", None, temperature))


def after_save(request: HttpRequest, child, entry: DailyEntry) -> HttpResponse:
    """Back to the saved day: a redirect, or for htmx (only when the entry moved to another
    day) a client redirect."""
    target = entry_url(child, entry.date)
    moved = request.resolver_match.kwargs["day"] != entry.date
    saved = _("Saved on %(day)s.") % {"day": weekday_date(entry.date)} if moved else _("Saved.")
    messages.success(request, saved)
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


def entry_conflict(request: HttpRequest, form: EntryForm, saved: DailyEntry | None, items):
    """Both versions of the day, and the caregiver's form again, based on the saved one."""
    found = conflicts.conflict(
        saved=saved,
        theirs=history.entry_snapshot(saved) if saved else {},
        mine=history.entry_snapshot(form.instance, form.item_values),
        keep_url=request.path,
    )
    instance = conflicts.retry_instance(saved, form.instance)
    retry = EntryForm(conflicts.retry_data(request, saved), instance=instance, items=items)
    return found, retry


def history_range(
    request: HttpRequest, child, began: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The four weeks to list: those ending on `?until=` (or today), never past today nor
    before the journal began: no "Not logged" for days before there was a journal."""
    today = child.today()
    try:
        last = datetime.date.fromisoformat(request.GET.get("until", ""))
    except ValueError:
        last = today
    last = min(max(last, began), today)
    first = max(last - datetime.timedelta(days=HISTORY_DAYS - 1), began)
    return first, last


@login_required
@require_GET
def entry_list(request: HttpRequest, child_id: int) -> HttpResponse:
    """The history: recent days with their daily score, gaps visible, triggers beside them."""
    membership = membership_for(request, child_id)
    child = membership.child
    # The day the journal began changes only with the journal: cached with its version.
    began = trends.cached(trends.cache_key(child, "began"), lambda: queries.journal_began(child))
    first, last = history_range(request, child, began)
    today = child.today()
    template = "journal/entry_list.html" + ("#history" if request.htmx else "")
    return cached_page(
        request,
        template,
        page_key(request, membership, template, first, last, today),
        lambda: history_context(membership, began, first, last, today),
    )


def history_context(
    membership: Membership,
    began: datetime.date,
    first: datetime.date,
    last: datetime.date,
    today: datetime.date,
) -> dict:
    child = membership.child
    days = queries.history_days(child, first, last)
    return {
        "membership": membership,
        "child": child,
        "days": days,
        "first": first,
        "last": last,
        "logged": sum(1 for d in days if d["entry"]),
        "older": first - ONE_DAY if first > began else None,
        "began": began,
        "newer": last + datetime.timedelta(days=HISTORY_DAYS) if last < today else None,
    }
