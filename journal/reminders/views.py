"""The reminder's settings page, a phone's push subscription, and the one-tap stop."""

import datetime
import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateformat import time_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from journal.access import writer_membership_for
from journal.reminders import push
from journal.reminders.models import PushSubscription, Reminder
from journal.reminders.sending import reminder_from_token, words

# The evening, in half hours: never a time a clock change skips or repeats (1 to 3 a.m.).
TIMES = [datetime.time(hour, minute) for hour in range(17, 24) for minute in (0, 30)]


class ReminderForm(forms.ModelForm):
    at = forms.TypedChoiceField(
        label=pgettext_lazy("time of day", "At"),
        choices=[(t.strftime("%H:%M"), t.strftime("%H:%M")) for t in TIMES],
        coerce=lambda text: datetime.time.fromisoformat(text),
        help_text=_("In the child's time zone."),
    )

    class Meta:
        model = Reminder
        fields = ("enabled", "at", "by_email", "by_push")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["at"] = self.instance.at.strftime("%H:%M")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enabled") and not (cleaned.get("by_email") or cleaned.get("by_push")):
            raise forms.ValidationError(
                _("Choose how to be reminded: by email, on your phones, or both.")
            )
        return cleaned


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest, child_id: int) -> HttpResponse:
    """Whether, when and how this caregiver is reminded to log this child's day."""
    membership = writer_membership_for(request, child_id)
    reminder = Reminder.objects.filter(membership=membership).first() or Reminder(
        membership=membership
    )
    form = ReminderForm(request.POST or None, instance=reminder)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, summary(form.instance, membership.child))
        return redirect("reminder_settings", child_id=child_id)
    context = {
        "membership": membership,
        "child": membership.child,
        "form": form,
        "example": words(reminder),
        "has_email": bool(request.user.email),
        "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        "phones": request.user.push_subscriptions.count(),
    }
    return render(request, "journal/reminder_settings.html", context)


def summary(reminder: Reminder, child) -> str:
    """What was saved, in words."""
    if not reminder.enabled:
        return _("Saved: no reminder for %(child)s.") % {"child": child.name}
    values = {
        "time": time_format(reminder.at, "H:i"),
        "zone": child.time_zone,
        "child": child.name,
    }
    if reminder.by_email and reminder.by_push:
        return (
            _(
                "Saved: a reminder at %(time)s (%(zone)s) by email and on your phones, when "
                "%(child)s's day is not logged."
            )
            % values
        )
    if reminder.by_push:
        return (
            _(
                "Saved: a reminder at %(time)s (%(zone)s) on your phones, when %(child)s's day "
                "is not logged."
            )
            % values
        )
    return (
        _("Saved: a reminder at %(time)s (%(zone)s) by email, when %(child)s's day is not logged.")
        % values
    )


def subscription_data(request: HttpRequest) -> dict:
    try:
        data = json.loads(request.body)
        return {"endpoint": str(data["endpoint"]), "keys": dict(data.get("keys") or {})}
    except (ValueError, KeyError, TypeError):
        return {}


@login_required
@require_POST
def push_subscribe(request: HttpRequest) -> JsonResponse:
    """This phone's push subscription, from the browser; only a known push service's."""
    data = subscription_data(request)
    keys = data.get("keys", {})
    if not data or not keys.get("p256dh") or not keys.get("auth"):
        return JsonResponse({"error": _("Not a push subscription.")}, status=400)
    try:
        endpoint = push.checked_endpoint(data["endpoint"])
    except push.EndpointRefused as refused:
        return JsonResponse({"error": _("Refused: %(why)s.") % {"why": refused}}, status=400)
    # One phone, one subscription: a shared phone's subscription follows whoever subscribed last.
    PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": request.user,
            "p256dh": str(keys["p256dh"])[:200],
            "auth": str(keys["auth"])[:100],
        },
    )
    return JsonResponse({"phones": request.user.push_subscriptions.count()})


@login_required
@require_POST
def push_unsubscribe(request: HttpRequest) -> JsonResponse:
    data = subscription_data(request)
    request.user.push_subscriptions.filter(endpoint=data.get("endpoint", "")).delete()
    return JsonResponse({"phones": request.user.push_subscriptions.count()})


@csrf_exempt  # the signed link is the credential: a mail client's one-click POST has no token
@require_http_methods(["GET", "POST"])
def reminder_stop(request: HttpRequest, token: str) -> HttpResponse:
    """The one-tap stop of a reminder's email or notification: a page with one button, and the
    same POST for List-Unsubscribe-Post. A GET changes nothing (mail scanners open links)."""
    reminder = reminder_from_token(token)
    if reminder is None:
        raise Http404(_("This link is not valid."))
    child = reminder.membership.child
    if request.method == "POST":
        reminder.enabled = False
        reminder.save(update_fields=["enabled", "updated_at"])
    return render(
        request,
        "journal/reminder_stop.html",
        {"name": child.name, "stopped": not reminder.enabled, "token": token},
    )
