"""What an import would do to a journal: the new days, the changed days with what changes, the
new events, and the events already there (not added twice). The preview shows this; the import
service (services.diary_import) writes it, or nothing if the journal changed meanwhile.
"""

from dataclasses import dataclass, field

from journal.history import NOT_OBSERVED, shown
from journal.models import Child, DailyEntry, TrackedItem, TriggerEvent
from journal.scales import CORE_FIELDS, CORE_ITEMS

from .checks import EntryRow, EventRow, Parsed, event_identity

# The anchors of an item the import adds, unless it is one of the ready-made items; the family
# can change them on the items page.
PLAIN_ANCHORS = ("None", "Mild", "Marked", "Severe")


@dataclass(frozen=True)
class DayChange:
    """An existing day the file changes: what changes (column, before, after), and the version
    of the day the preview was made from."""

    row: EntryRow
    entry_id: int
    version: int
    changes: tuple[tuple[str, str, str], ...]


@dataclass
class ImportPlan:
    data_version: int
    new_days: list[EntryRow] = field(default_factory=list)
    changed_days: list[DayChange] = field(default_factory=list)
    unchanged_days: int = 0
    new_events: list[EventRow] = field(default_factory=list)
    known_events: list[EventRow] = field(default_factory=list)
    new_items: list[str] = field(default_factory=list)

    @property
    def writes_nothing(self) -> bool:
        return not (self.new_days or self.changed_days or self.new_events or self.new_items)

    @property
    def first_new_day(self):
        return min((row.date for row in self.new_days), default=None)

    @property
    def last_new_day(self):
        return max((row.date for row in self.new_days), default=None)


def new_item(child: Child, name: str) -> TrackedItem:
    """An item the import adds for a column the child is not rated on yet."""
    preset = {key.casefold(): anchors for key, anchors in TrackedItem.PRESETS.items()}
    anchors = preset.get(name.casefold(), PLAIN_ANCHORS)
    return TrackedItem(child=child, name=name, **{f"anchor_{i}": a for i, a in enumerate(anchors)})


def rating_text(value) -> str:
    return NOT_OBSERVED if value is None else str(value)


def label_of(name: str) -> str:
    """A column as the daily entry calls it: Eyes, not opsoclonus."""
    core = {item.field: item.label for item in CORE_ITEMS}
    if name in core:
        return core[name]
    verbose = DailyEntry._meta.get_field(name).verbose_name
    return verbose[:1].upper() + verbose[1:]


def day_changes(entry: DailyEntry, row: EntryRow) -> tuple[tuple[str, str, str], ...]:
    """Each field whose value differs, as the app shows it: (label, before, after)."""
    changes = []
    for name, value in row.values.items():
        before = getattr(entry, name)
        if before != value:
            show = rating_text if name in CORE_FIELDS else shown
            changes.append((label_of(name), show(before), show(value)))
    saved = {rating.item.name: rating.value for rating in entry.item_ratings.all()}
    for name, value in row.items.items():
        if saved.get(name) != value:
            changes.append((name, rating_text(saved.get(name)), rating_text(value)))
    return tuple(changes)


def existing_days(child: Child, rows: list[EntryRow]) -> dict:
    if not rows or child.pk is None:
        return {}
    dates = [row.date for row in rows]
    # A range, not date__in: a 5-year file would pass SQLite more parameters than it takes.
    stored = (
        DailyEntry.objects.for_child(child)
        .filter(date__range=(min(dates), max(dates)))
        .prefetch_related("item_ratings__item")
    )
    return {entry.date: entry for entry in stored}


def plan_import(child: Child, parsed: Parsed) -> ImportPlan:
    """Compare checked rows with the child's journal (an unsaved child has none yet)."""
    plan = ImportPlan(data_version=child.data_version, new_items=list(parsed.new_items))
    stored = existing_days(child, parsed.entries)
    for row in parsed.entries:
        entry = stored.get(row.date)
        if entry is None:
            plan.new_days.append(row)
            continue
        changes = day_changes(entry, row)
        if changes:
            plan.changed_days.append(DayChange(row, entry.pk, entry.version, changes))
        else:
            plan.unchanged_days += 1
    known = set()
    if child.pk is not None:
        known = {event_identity(event) for event in TriggerEvent.objects.for_child(child)}
    for row in parsed.events:
        (plan.known_events if row.identity in known else plan.new_events).append(row)
    return plan
