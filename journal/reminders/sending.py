"""Which reminders are due, and sending them at most once."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from journal.languages import email_language
from journal.models import DailyEntry
from journal.reminders import push
from journal.reminders.models import Reminder, ReminderSent

log = logging.getLogger(__name__)

# A reminder later than this (the sender was stopped, the machine asleep) is skipped: a parent
# is never woken at 3 a.m. by yesterday evening's reminder.
MAX_LATE = datetime.timedelta(hours=2)
STOP_SALT = "journal.reminders.stop"


@dataclass(frozen=True)
class Due:
    reminder: Reminder
    day: datetime.date  # the child's day it is for


def scheduled(reminder: Reminder, day: datetime.date) -> datetime.datetime:
    """The moment of `day`'s reminder, at its wall-clock time where the child lives: the same
    20:00 in summer and in winter."""
    return datetime.datetime.combine(day, reminder.at, tzinfo=reminder.membership.child.zone)


def due(now: datetime.datetime) -> list[Due]:
    """The reminders whose moment has come within the last two hours, for a day not logged yet
    and not reminded of yet."""
    reminders = Reminder.objects.filter(enabled=True).select_related(
        "membership__child",
        "membership__user__profile",  # the profile: the email's language
    )
    found = []
    for reminder in reminders:
        local = now.astimezone(reminder.membership.child.zone).date()
        for day in (local, local - datetime.timedelta(days=1)):  # a 23:30 reminder after midnight
            if datetime.timedelta(0) <= now - scheduled(reminder, day) <= MAX_LATE:
                found.append(Due(reminder, day))
    if not found:
        return []
    logged = set(
        DailyEntry.objects.filter(
            child_id__in={d.reminder.membership.child_id for d in found},
            date__in={d.day for d in found},
        ).values_list("child_id", "date")
    )
    sent = set(
        ReminderSent.objects.filter(reminder__in=[d.reminder for d in found]).values_list(
            "reminder_id", "day"
        )
    )
    return [
        d
        for d in found
        if (d.reminder.membership.child_id, d.day) not in logged
        and (d.reminder.pk, d.day) not in sent
    ]


def claim(reminder: Reminder, day: datetime.date) -> ReminderSent | None:
    """The day's reminder, claimed for this sender; None if another sender has it."""
    try:
        with transaction.atomic():
            return ReminderSent.objects.create(reminder=reminder, day=day)
    except IntegrityError:
        return None


def send_due(now: datetime.datetime | None = None) -> int:
    """Send every reminder due now; how many were sent."""
    now = now or timezone.now()
    count = 0
    for found in due(now):
        claimed = claim(found.reminder, found.day)
        if claimed is None:
            continue
        channels = deliver(found.reminder, found.day)
        claimed.channels = ",".join(channels)
        claimed.save(update_fields=["channels"])
        count += bool(channels)
    return count


def words(reminder: Reminder) -> str:
    """All a reminder says: the child's first name, nothing of their health."""
    first_name = reminder.membership.child.name.split()[0]
    return _("Time to log %(child)s's day") % {"child": first_name}


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def day_link(reminder: Reminder, day: datetime.date) -> str:
    child = reminder.membership.child
    return absolute(reverse("entry_form", kwargs={"child_id": child.pk, "day": day}))


def stop_link(reminder: Reminder) -> str:
    token = signing.dumps(reminder.pk, salt=STOP_SALT)
    return absolute(reverse("reminder_stop", kwargs={"token": token}))


def reminder_from_token(token: str) -> Reminder | None:
    try:
        pk = signing.loads(token, salt=STOP_SALT)
    except signing.BadSignature:
        return None
    return Reminder.objects.filter(pk=pk).first()


def deliver(reminder: Reminder, day: datetime.date) -> list[str]:
    """Send the reminder by each way chosen, in the caregiver's language; the ways that worked."""
    with translation.override(email_language(reminder.membership.user)):
        return deliver_in_language(reminder, day)


def deliver_in_language(reminder: Reminder, day: datetime.date) -> list[str]:
    done = []
    title, url, stop = words(reminder), day_link(reminder, day), stop_link(reminder)
    user = reminder.membership.user
    if reminder.by_email and user.email:
        message = EmailMessage(
            subject=title,
            body=_("%(title)s.\n\nOpen the day: %(url)s\n\nStop these reminders: %(stop)s\n")
            % {"title": title, "url": url, "stop": stop},
            to=[user.email],
            headers={
                "List-Unsubscribe": f"<{stop}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        try:
            message.send()
            done.append("email")
        except OSError as failure:
            log.warning("Reminder %s: email not sent: %s", reminder.pk, failure)
    if reminder.by_push:
        pushed = [
            push.send(phone, title=title, body=_("Tap to open the day's form."), url=url)
            for phone in user.push_subscriptions.all()
        ]
        if any(pushed):
            done.append("push")
    return done
