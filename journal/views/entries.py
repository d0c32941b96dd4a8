import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect, reswap, trigger_client_event

from journal import history, services
from journal.access import VIEWER_REFUSAL, membership_for
from journal.forms import EntryForm
from journal.models import (
    DailyEntry,
    DoseChange,
    ItemRating,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
    plain_number,
)
from journal.pages import cached_page, page_key
from journal.rows import Joined, RowReader
from journal.views import conflicts

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
            "That day hasn't happened yet." if day > today else "That day is before birth.",
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


def day_form(child, day: datetime.date, data=None) -> tuple[DailyEntry, list, EntryForm]:
    """The day's entry (or a new one), the extra items it rates, and its form."""
    entry = day_entry(child, day) or DailyEntry(child=child, date=day)
    entry.child = child  # already read with the membership: validating the day needs no query
    items = entry_items(child, entry)
    return entry, items, EntryForm(data, instance=entry, items=items)


def day_context(membership, day: datetime.date, *, entry=None, form=None, **more) -> dict:
    """What the day's page shows; the day as stored when no form is given."""
    child = membership.child
    if form is None:
        entry, _, form = day_form(child, day)
    today = child.today()
    return {
        "membership": membership,
        "child": child,
        "day": day,
        "today": today,
        "entry": entry if entry.pk else None,
        "form": form,
        "saved": False,
        "conflict": None,
        "previous_day": day - ONE_DAY if day > child.birth_date else None,
        "next_day": day + ONE_DAY if day < today else None,
        **more,
    }


def save_day(request: HttpRequest, membership, day: datetime.date) -> HttpResponse:
    """Save the day: back to it (or, for htmx, its "Saved" line), or the form again with what
    to fix or the other caregiver's save to compare."""
    if not membership.can_write:
        raise PermissionDenied(VIEWER_REFUSAL)
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


def delivery_key(request: HttpRequest) -> str:
    """The key a phone sends with each save (services.delivered_once)."""
    return request.headers.get("Idempotency-Key", "")


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
    context = {"form": form, "entry": entry}  # no request: it needs no context processor
    response = HttpResponse(render_to_string("journal/entry_form.html#entry-saved", context))
    reswap(response, "none")  # the out-of-band swaps only
    return trigger_client_event(response, "entry-saved", {"day": entry.date.isoformat()})


def after_save(request: HttpRequest, child, entry: DailyEntry) -> HttpResponse:
    """Back to the saved day: a redirect, or for htmx (only when the entry moved to another
    day) a client redirect."""
    target = entry_url(child, entry.date)
    moved = request.resolver_match.kwargs["day"] != entry.date
    messages.success(request, f"Saved on {entry.date:%A %-d %B}." if moved else "Saved.")
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


# The day's entry with who logged and who last changed it: every save reads it, so it is SQL
# written once (journal/rows.py), the same as select_related("created_by", "updated_by").
DAY_ENTRY = RowReader(
    "FROM {entry} LEFT JOIN {created_by} ON cu.id = e.created_by_id "
    "LEFT JOIN {updated_by} ON uu.id = e.updated_by_id WHERE e.child_id = %s AND e.date = %s",
    entry=Joined(DailyEntry, "e"),
    created_by=Joined(get_user_model(), "cu"),
    updated_by=Joined(get_user_model(), "uu"),
)


def day_entry(child, day: datetime.date) -> DailyEntry | None:
    found = DAY_ENTRY.first([child.pk, connection.ops.adapt_datefield_value(day)])
    if found is None:
        return None
    entry = found["entry"]
    for name in ("created_by", "updated_by"):
        DailyEntry._meta.get_field(name).set_cached_value(entry, found[name])
    return entry


TRACKED_ITEMS = RowReader(
    "FROM {item} WHERE i.child_id = %s ORDER BY i.created_at, i.id",
    item=Joined(TrackedItem, "i"),
)


def entry_items(child, entry: DailyEntry) -> list[TrackedItem]:
    """The extra items to rate: those tracked now, and any retired one this day has a rating of.

    Most children have none; the one query that says so is SQL written once (journal/rows.py).
    """
    every = [row["item"] for row in TRACKED_ITEMS.all([child.pk])]
    retired = [item for item in every if not item.active]
    rated = set()
    if retired and entry.pk:
        ratings = ItemRating.objects.filter(entry=entry, item__in=retired)
        rated = set(ratings.values_list("item_id", flat=True))
    return [item for item in every if item.active or item.pk in rated]


def history_range(request: HttpRequest, child) -> tuple[datetime.date, datetime.date]:
    """The four weeks to list: those ending on `?until=` (or today), never past today."""
    today = child.today()
    try:
        last = datetime.date.fromisoformat(request.GET.get("until", ""))
    except ValueError:
        last = today
    last = min(max(last, child.birth_date), today)
    first = max(last - datetime.timedelta(days=HISTORY_DAYS - 1), child.birth_date)
    return first, last


def history_days(child, first: datetime.date, last: datetime.date) -> list[dict]:
    """Every day of the range, newest first, with its entry (or a gap), events and treatment
    changes: four queries whatever the length of the history."""
    entries = {e.date: e for e in DailyEntry.objects.for_child(child).between(first, last)}
    events_by_day: dict[datetime.date, list] = {}
    for event in TriggerEvent.objects.for_child(child).filter(start_date__range=(first, last)):
        events_by_day.setdefault(event.start_date, []).append(event)
    notes_by_day: dict[datetime.date, list[str]] = {}
    courses = TreatmentCourse.objects.for_child(child).filter(
        Q(start_date__range=(first, last)) | Q(end_date__range=(first, last))
    )
    for course in courses:
        if first <= course.start_date <= last:
            notes_by_day.setdefault(course.start_date, []).append(
                f"Started {course.drug_name}, {plain_number(course.dose)} {course.unit}"
            )
        if course.end_date and first <= course.end_date <= last:
            notes_by_day.setdefault(course.end_date, []).append(f"Last day of {course.drug_name}")
    changes = DoseChange.objects.filter(course__child=child, date__range=(first, last))
    for change in changes.select_related("course"):
        notes_by_day.setdefault(change.date, []).append(
            f"{change.course.drug_name} now {plain_number(change.dose)} {change.course.unit}"
        )
    days = []
    day = last
    while day >= first:
        days.append(
            {
                "date": day,
                "entry": entries.get(day),
                "events": events_by_day.get(day, []),
                "treatment_notes": notes_by_day.get(day, []),
            }
        )
        day -= ONE_DAY
    return days


@login_required
@require_GET
def entry_list(request: HttpRequest, child_id: int) -> HttpResponse:
    """The history: recent days with their daily score, gaps visible, triggers beside them."""
    membership = membership_for(request, child_id)
    child = membership.child
    first, last = history_range(request, child)
    days = history_days(child, first, last)
    context = {
        "membership": membership,
        "child": child,
        "days": days,
        "first": first,
        "last": last,
        "logged": sum(1 for d in days if d["entry"]),
        "older": first - ONE_DAY if first > child.birth_date else None,
        "newer": last + datetime.timedelta(days=HISTORY_DAYS) if last < child.today() else None,
    }
    template = "journal/entry_list.html"
    return render(request, template + "#history" if request.htmx else template, context)
