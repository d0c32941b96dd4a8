"""Everything an account can see, as plain data for a JSON download."""

import dataclasses
import datetime
from decimal import Decimal

from django.db.models import Model

from journal.models import Child, Membership

FORMAT_VERSION = 1
BOOKKEEPING = {"id", "child", "course", "entry", "token_hash", "data_version"}


def plain(value):
    """A field's value as JSON can hold it."""
    if isinstance(value, datetime.date | datetime.time | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return str(value)
    return value


def row(obj: Model) -> dict:
    """The object's own fields; people by username, never by internal id."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in BOOKKEEPING:
            continue
        if field.is_relation:
            related = getattr(obj, field.name)
            values[field.name] = getattr(related, "username", None) if related else None
        else:
            values[field.name] = plain(getattr(obj, field.attname))
    return values


def child_journal(child: Child) -> dict:
    entries = child.entries.order_by("date").prefetch_related("item_ratings__item")
    courses = child.treatments.order_by("start_date").prefetch_related("changes")
    return {
        **row(child),
        "care_team": [
            {"username": m.user.username, "role": m.role}
            for m in child.memberships.select_related("user")
        ],
        "relapse_rule": dataclasses.asdict(child.relapse_rule()),
        "tracked_items": [row(item) for item in child.tracked_items.all()],
        "entries": [
            {**row(entry), "items": {r.item.name: r.value for r in entry.item_ratings.all()}}
            for entry in entries.select_related("created_by", "updated_by")
        ],
        "events": [
            # The detail in words too, as events.csv writes it ("Respiratory, influenza A").
            {**row(event), "detail": event.file_detail}
            for event in child.events.order_by("start_date").select_related(
                "created_by", "updated_by"
            )
        ],
        "treatments": [
            {**row(course), "dose_changes": [row(step) for step in course.changes.all()]}
            for course in courses.select_related("created_by", "updated_by")
        ],
    }


def account_export(user) -> dict:
    memberships = Membership.objects.filter(user=user).select_related("child")
    return {
        "format": "oms-journal-account",
        "format_version": FORMAT_VERSION,
        "exported_at": plain(datetime.datetime.now(datetime.UTC)),
        "account": {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": plain(user.date_joined),
            "last_login": plain(user.last_login),
        },
        "journals": [{"your_role": m.role, "child": child_journal(m.child)} for m in memberships],
    }
