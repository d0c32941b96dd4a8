"""Reminders to log the day: by email, by a notification on each phone a caregiver allows.

Each caregiver chooses, per child, whether and at what time of the evening (in the child's time
zone) to be reminded, and how. `python manage.py send_reminders` (from cron, a systemd timer, or
`--loop` in a worker) sends the reminders that are due: only when the day is not logged, each at
most once (ReminderSent's unique day, claimed before sending, decides between two senders), and
never more than two hours late. A reminder names the child by first name and nothing of the
child's health: it may show on a locked phone or in a shared inbox.

Modules: models (the choices, the reminders sent, the phones' push subscriptions), sending
(what is due, and sending it), push (Web Push with VAPID, and which endpoints are accepted),
views (the settings page, subscribing a phone, the one-tap stop). This package reads the journal
through its QuerySets and never writes the journal's own tables.
"""
