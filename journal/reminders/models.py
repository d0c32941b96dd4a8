"""A caregiver's reminder for one child, the days it was sent, and the phones that receive it."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DEFAULT_TIME = datetime.time(20, 0)


class Reminder(models.Model):
    """Whether, when (in the child's time zone) and how one caregiver is reminded of one child."""

    membership = models.OneToOneField(
        "journal.Membership", on_delete=models.CASCADE, related_name="reminder"
    )
    enabled = models.BooleanField(_("remind me"), default=False)
    at = models.TimeField(pgettext_lazy("time of day", "at"), default=DEFAULT_TIME)
    by_email = models.BooleanField(_("by email"), default=True)
    by_push = models.BooleanField(_("by a notification on my phones"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "journal"

    def __str__(self) -> str:
        return f"Reminder for {self.membership}"


class ReminderSent(models.Model):
    """A reminder's day, claimed before it is sent: the unique day makes it at most once."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="sent")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    channels = models.CharField(max_length=40, blank=True)

    class Meta:
        app_label = "journal"
        constraints = [
            models.UniqueConstraint(fields=["reminder", "day"], name="one_reminder_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.reminder} on {self.day:%Y-%m-%d}"


class PushSubscription(models.Model):
    """One phone (one browser) a caregiver allowed to show notifications."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "journal"

    def __str__(self) -> str:
        return f"Phone of {self.user_id}"
