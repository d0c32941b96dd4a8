import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from journal import history, services
from journal.access import VIEWER_REFUSAL, membership_for
from journal.forms import EntryForm
from journal.models import (
    DailyEntry,
    DoseChange,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
    plain_number,
)
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
    child = membership.child
    today = child.today()
    if request.method == "POST" and not membership.can_write:
        raise PermissionDenied(VIEWER_REFUSAL)
    if request.method == "GET" and not child.birth_date <= day <= today:
        messages.warning(
            request,
            "That day hasn't happened yet." if day > today else "That day is before birth.",
        )
        return redirect("entry_form", child_id=child.pk, day=today)

    entry = (
        DailyEntry.objects.for_child(child)
        .filter(date=day)
        .select_related("created_by", "updated_by")
        .first()
    ) or DailyEntry(child=child, date=day)
    entry.child = child  # already read with the membership: validating the day needs no query
    items = entry_items(child, entry)
    form = EntryForm(request.POST or None, instance=entry, items=items)
    saved = False
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_save(
                entry=form.instance,
                user=request.user,
                item_values=form.item_values,
                expected_version=form.started_from_version,
            )
        except services.EditConflict as clash:
            conflict, form = entry_conflict(request, form, clash.saved, items)
            entry = clash.saved or form.instance
        else:
            if entry.date != day or not request.htmx:
                return after_save(request, child, entry)
            saved = True
            form = EntryForm(instance=entry, items=items)

    context = {
        "membership": membership,
        "child": child,
        "day": day,
        "today": today,
        "entry": entry if entry.pk else None,
        "form": form,
        "saved": saved,
        "conflict": conflict,
        "previous_day": day - ONE_DAY if day > child.birth_date else None,
        "next_day": day + ONE_DAY if day < today else None,
    }
    status = 409 if conflict else 200
    if request.htmx:
        response = render(request, "journal/entry_form.html#entry-form", context, status=status)
        if saved:
            trigger_client_event(response, "entry-saved", {"day": day.isoformat()})
        return response
    return render(request, "journal/entry_form.html", context, status=status)


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


def entry_items(child, entry: DailyEntry) -> list[TrackedItem]:
    """The extra items to rate: those tracked now, and any retired one this day has a rating of."""
    rated = Q(ratings__entry=entry) if entry.pk else Q(pk__in=[])
    return list(TrackedItem.objects.for_child(child).filter(Q(active=True) | rated).distinct())


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
