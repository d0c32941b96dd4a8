"""The files a family downloads: entries.csv, events.csv, treatments.csv, all of them in one zip,
and journal.json, the whole journal with the possible relapses computed from it.

CSV files are UTF-8 with a byte-order mark: without it Excel reads them in the computer's old
code page and turns "°C" or "Zoë" into mojibake; LibreOffice, Numbers and Google Sheets read the
mark as UTF-8 too. Rows end in CRLF and cells are quoted as RFC 4180 says.
"""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

from journal import analysis
from journal.export import child_journal, plain
from journal.models import Child, DailyEntry, ItemRating, TrackedItem, plain_number
from journal.scales import CORE_FIELDS
from journal.trends import history_for

from .columns import (
    ENTRY_COLUMNS,
    EVENT_COLUMNS,
    EVENT_TIME_COLUMN,
    TREATMENT_COLUMNS,
    guarded,
)

BOM = "\ufeff"
JSON_FORMAT = "oms-journal-child"
JSON_FORMAT_VERSION = 1


def cell(value) -> str:
    """A value as a cell: empty for nothing, numbers as a person writes them, text guarded."""
    if value is None:
        return ""
    if isinstance(value, str):
        return guarded(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="minutes")
    return str(value)  # whole numbers and dates (YYYY-MM-DD)


def table(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([guarded(name) for name in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return BOM + out.getvalue()


def child_items(child: Child) -> list[TrackedItem]:
    """The child's extra items, retired ones too: their past ratings are part of the journal."""
    return list(TrackedItem.objects.for_child(child).order_by("created_at", "pk"))


def entries_csv(child: Child) -> str:
    items = child_items(child)
    ratings: dict[int, dict[int, int]] = {}
    for entry_id, item_id, value in ItemRating.objects.filter(entry__child=child).values_list(
        "entry_id", "item_id", "value"
    ):
        ratings.setdefault(entry_id, {})[item_id] = value
    fields = ENTRY_COLUMNS[1:]
    rows = []
    for entry in DailyEntry.objects.for_child(child).order_by("date"):
        own = ratings.get(entry.pk, {})
        rows.append(
            [
                entry.date,
                *(getattr(entry, name) for name in fields),
                *(own.get(item.pk) for item in items),
            ]
        )
    return table([*ENTRY_COLUMNS, *(item.name for item in items)], rows)


def events_csv(child: Child) -> str:
    events = list(child.events.order_by("start_date", "start_time", "pk"))
    timed = any(event.start_time for event in events)
    header = [*EVENT_COLUMNS, *([EVENT_TIME_COLUMN] if timed else [])]
    rows = [
        [
            event.start_date,
            event.end_date,
            event.type,
            event.file_detail,
            event.notes,
            *([event.start_time] if timed else []),
        ]
        for event in events
    ]
    return table(header, rows)


def dose_changes_text(course) -> str:
    """A course's dose changes in words, such as
    "2025-03-01: 1.5 mg/kg (first step); 2025-03-15: 1 mg/kg"."""
    steps = []
    for step in course.changes.all():
        text = f"{step.date.isoformat()}: {plain_number(step.dose)} {course.unit}"
        steps.append(f"{text} ({step.note})" if step.note else text)
    return "; ".join(steps)


def treatments_csv(child: Child) -> str:
    courses = child.treatments.order_by("start_date", "pk").prefetch_related("changes")
    rows = [
        [
            course.drug_name,
            course.purpose,
            course.regimen,
            course.dose,
            course.unit,
            course.route,
            course.start_date,
            course.end_date,
            course.notes,
            dose_changes_text(course),
        ]
        for course in courses
    ]
    return table(list(TREATMENT_COLUMNS), rows)


def episode_data(episode: analysis.Episode, today: datetime.date, rule_version: int) -> dict:
    return {
        "onset": plain(episode.onset),
        "end": plain(episode.end),
        "ongoing": episode.ongoing,
        "length_days": episode.length_days(today),
        "peak_date": plain(episode.peak_date),
        "peak_score": episode.peak_score,
        "baseline": {
            "score": episode.baseline.score,
            "items": {name: episode.baseline.items.get(name) for name in CORE_FIELDS},
            # Eyes, Jerks and Balance added up: the usual total a rise of theirs is judged by.
            "motor_total": episode.baseline.motor,
            "logged_days": episode.baseline.logged_days,
        },
        "illness_associated": episode.illness_associated,
        # Which possible-relapse rule found it: today's (analysis.RULE_VERSION), or the earlier
        # one whose meaning the family's own numbers keep (analysis.version_kept); the numbers
        # are in "relapse_rule".
        "rule_version": rule_version,
        "possible_triggers": [
            {
                "type": found.trigger.type,
                "label": found.trigger.label,
                "date": plain(found.trigger.date),
                "end_date": plain(found.trigger.end_date),
                "days_before_onset": found.days_before_onset,
            }
            for found in episode.possible_triggers
        ],
    }


def journal_json(child: Child) -> dict:
    """The whole journal of one child, and its possible relapses as the child's rule finds them."""
    history = history_for(child)
    today = child.today()
    rule = child.relapse_rule()
    found = analysis.episodes(history.days, history.triggers, rule)
    version = analysis.version_kept(rule)
    return {
        "format": JSON_FORMAT,
        "format_version": JSON_FORMAT_VERSION,
        "exported_at": plain(datetime.datetime.now(datetime.UTC)),
        "today": plain(today),
        "child": child_journal(child),
        "possible_relapses": [episode_data(episode, today, version) for episode in found],
    }


def zip_of_all(child: Child, json_text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("entries.csv", entries_csv(child))
        archive.writestr("events.csv", events_csv(child))
        archive.writestr("treatments.csv", treatments_csv(child))
        archive.writestr("journal.json", json_text)
    return out.getvalue()
