import contextlib
import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from journal import analysis, history, queries, services
from journal.access import membership_for, writer_membership_for
from journal.forms import EventForm
from journal.models import TriggerEvent
from journal.views import conflicts
from journal.views.delivery import delivery_key


@login_required
@require_GET
def event_list(request: HttpRequest, child_id: int) -> HttpResponse:
    membership = membership_for(request, child_id)
    events = TriggerEvent.objects.for_child(membership.child)
    return render(
        request,
        "journal/event_list.html",
        {"membership": membership, "child": membership.child, "events": events},
    )


KEEP_BOTH = "keep_both"


def event_form_page(request: HttpRequest, membership, event: TriggerEvent) -> HttpResponse:
    """Add or change a trigger event: the same form for both."""
    child = membership.child
    title = (
        _("Edit %(event)s") % {"event": event} if event.pk else _("Log a trigger")
    )  # before the form changes `event`
    initial = {}
    if event.pk is None:
        initial = {
            "start_date": child.today(),
            "type": request.GET.get("type", ""),
            **given(request),
        }
    form = EventForm(request.POST or None, instance=event, initial=initial)
    conflict = same = None
    if request.method == "POST" and services.was_delivered(
        user=request.user, key=delivery_key(request)
    ):
        return event_saved(request, child, _("Saved."))  # sent again from the phone: stored
    if request.method == "POST" and form.is_valid():
        # The same trigger twice is most often a double tap or two caregivers logging one
        # fever: say so before saving, and save both only when the caregiver says they are two.
        same = None if KEEP_BOTH in request.POST else queries.same_trigger(form)
        # Found, it may be this very sending's trigger, stored meanwhile by its twin sent at
        # the same instant (a phone's queue and a retry): then it is saved, nothing to ask.
        if same is not None and services.was_delivered(
            user=request.user, key=delivery_key(request)
        ):
            return event_saved(request, child, _("Saved."))
    if same is None and request.method == "POST" and form.is_valid():
        try:
            with services.delivered_once(user=request.user, key=delivery_key(request)):
                saved = services.event_save(
                    event=form.instance,
                    user=request.user,
                    expected_version=form.started_from_version,
                )
        except services.AlreadyDelivered:
            return event_saved(request, child, _("Saved."))
        except services.EditConflict as clash:
            conflict = conflicts.conflict(
                saved=clash.saved,
                theirs=history.event_snapshot(clash.saved) if clash.saved else {},
                mine=history.event_snapshot(form.instance),
                keep_url=request.path if clash.saved else reverse("event_list", args=[child.pk]),
            )
            instance = conflicts.retry_instance(clash.saved, form.instance)
            form = EventForm(conflicts.retry_data(request, clash.saved), instance=instance)
        else:
            return event_saved(
                request,
                child,
                _("Saved: %(trigger)s.") % {"trigger": saved.get_type_display().lower()},
            )
    context = {
        "membership": membership,
        "child": child,
        "form": form,
        "event": event,
        "title": title,
        "conflict": conflict,
        "same": same,
        "keep_both": KEEP_BOTH,
    }
    template = "journal/event_form.html#event-form" if request.htmx else "journal/event_form.html"
    return render(request, template, context, status=409 if conflict else 200)


def event_saved(request: HttpRequest, child, message: str) -> HttpResponse:
    """Back to the triggers, saying so; for htmx, the browser is sent there (the list is a page
    of its own, never swapped into the form)."""
    messages.success(request, message)
    target = reverse("event_list", args=[child.pk])
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


GIVEN_DATES = ("start_date", "end_date")


def given(request: HttpRequest) -> dict:
    """What a link to the form fills in (a fever's days and temperature, say), each value kept
    only when it reads as one: the form checks it again when it is saved."""
    values = {}
    for name in GIVEN_DATES:
        with contextlib.suppress(ValueError):
            values[name] = datetime.date.fromisoformat(request.GET.get(name, ""))
    with contextlib.suppress(InvalidOperation, ValueError):
        values["temperature_c"] = Decimal(request.GET.get("temperature_c", "")).quantize(
            Decimal("0.1")
        )
    return values


def fever_offer(child_id: int, fever: analysis.Trigger) -> dict:
    """A fever read from the days' temperatures, with a link to log it as a trigger event (to
    add what illness it was, say), its days and temperature filled in."""
    query = {"type": "fever", "start_date": fever.date}
    if fever.end_date:
        query["end_date"] = fever.end_date
    query["temperature_c"] = f"{fever.entry_temperature_c:.1f}"
    url = f"{reverse('event_add', args=[child_id])}?{urlencode(query)}"
    return {"fever": fever, "temperature": query["temperature_c"], "log_url": url}


@login_required
@require_http_methods(["GET", "POST"])
def event_add(request: HttpRequest, child_id: int) -> HttpResponse:
    membership = writer_membership_for(request, child_id)
    return event_form_page(request, membership, TriggerEvent(child=membership.child))


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, child_id: int, pk: int) -> HttpResponse:
    membership = writer_membership_for(request, child_id)
    event = get_object_or_404(TriggerEvent.objects.for_child(membership.child), pk=pk)
    return event_form_page(request, membership, event)


@login_required
@require_http_methods(["GET", "POST"])
def event_delete(request: HttpRequest, child_id: int, pk: int) -> HttpResponse:
    membership = writer_membership_for(request, child_id)
    event = get_object_or_404(TriggerEvent.objects.for_child(membership.child), pk=pk)
    if request.method == "POST":
        services.event_delete(event=event, user=request.user)
        messages.success(request, _("Deleted: %(trigger)s.") % {"trigger": event})
        return redirect("event_list", child_id=child_id)
    return render(
        request,
        "journal/confirm_delete.html",
        {
            "membership": membership,
            "child": membership.child,
            "object": event,
            "cancel_url": reverse("event_edit", kwargs={"child_id": child_id, "pk": pk}),
        },
    )
