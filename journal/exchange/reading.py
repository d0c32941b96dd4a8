"""Uploaded files as checked rows: every bad row named by its line number and what is wrong.
This module reads the days (entries), and both files together (parse_files); triggers.py reads
the triggers.

A file is CSV, .xlsx or .ods (sheets.py). Its columns are matched to what they hold: the
exchange format's own names exactly, else guessed from the header and the values (words.py),
or as the family set them (`Choices`). Values are read as far as they can be, and each value
not written as the exchange format writes it is recorded with what it became (`ColumnReading`),
for the preview and import_diary to show.

The rows are checked by the models' own full_clean, the one the forms run, so that an
imported day can be opened and saved again as it is. Nothing here reads or writes the database:
the child (saved or not yet) and its extra items are given.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from journal.models import Child, DailyEntry, TrackedItem, day_is_empty
from journal.scales import CORE_FIELDS, CORE_ITEMS

from . import words
from .checks import (
    ENTRIES_FILE,
    EVENTS_FILE,
    MAX_ITEM_NAME,
    TEXT_FIELDS,
    WHOLE_FIELDS,
    Choices,
    ColumnReading,
    EntryRow,
    EventRow,
    Parsed,
    Problem,
    RowProblems,
    checked_rows,
    column_values,
    date_order_of,
    label,
    looks_dated,
    model_problems,
    opened,
    shown_value,
    twice,
)
from .columns import ENTRY_COLUMNS, unguarded
from .sheets import Table
from .triggers import event_fields, parse_events, trigger_sheet
from .words import NEW_ITEM, NOTES_TARGET, SKIP, TRIGGER, Read, Words

VALUE_READERS = {
    "sleep_hours": words.read_hours,
    "night_wakings": words.read_whole,
    "rage_episodes": words.read_whole,
    "rage_longest_minutes": words.read_whole,
    "max_temperature_c": words.read_temperature,
    "doses": words.read_doses,
}


def mostly_read(reader, texts: list[str]) -> bool:
    """Whether at least half of a column's values read as the values of a column it might be."""
    read = 0
    for text in texts:
        try:
            reader(text, "")
            read += 1
        except (ValueError, Words):
            pass
    return read * 2 >= len(texts)


def guess_entry_target(header: str, texts: list[str], *, can_add: bool) -> str:
    """What a column of a family's diary most likely holds, from its header, then its values."""
    target = words.header_target(header, words.ENTRY_HEADERS)
    if target == "sleep" and texts and not words.looks_rated(texts):
        target = "sleep_hours"  # "Sleep: 10.5" is hours, not a rating
    if target in VALUE_READERS and texts and not mostly_read(VALUE_READERS[target], texts):
        return NOTES_TARGET  # "Meds: pred 10mg" says which, not whether doses were given
    if target:
        return target
    if looks_dated(texts):
        return "date"
    if texts and words.looks_rated(texts) and can_add and len(header) <= MAX_ITEM_NAME:
        return NEW_ITEM
    return NOTES_TARGET if texts else SKIP


def entry_targets(items: list[TrackedItem], *, can_add: bool) -> list[str]:
    """Every meaning an entries column may be given."""
    return [
        "date",
        *CORE_FIELDS,
        *DailyEntry.DETAIL_FIELDS,
        "doses",
        NOTES_TARGET,
        "question",
        *(f"item:{item.name}" for item in items),
        *([NEW_ITEM] if can_add else []),
        TRIGGER,
        SKIP,
    ]


def entry_columns(
    table: Table, items: list[TrackedItem], *, add_items: bool, can_add: bool, choices: Choices
) -> tuple[dict[int, str], list[ColumnReading], list[str], list[str]]:
    """Each column's meaning by its index: a model field, an item, notes, a trigger or left
    out; how each was matched; the new items; the problems. A column the family rated but the
    child is not rated on is guessed a new item if `add_items`, and may be chosen one if
    `can_add`."""
    by_name = {item.name.casefold(): item.name for item in items}
    taken = {item.english.casefold() for item in CORE_ITEMS} | set(CORE_FIELDS)
    allowed = set(entry_targets(items, can_add=can_add))
    meaning, readings, new, problems, seen = {}, [], [], [], {}
    for index, name in enumerate(table.header):
        key = name.casefold()
        if not name:
            continue  # an empty column (sheets.py names one that has values)
        if key in seen:
            # Spelled alike but for case, two columns would fill one field or make two items
            # that no one can tell apart: which one was meant is the family's to say.
            problems.append(twice(name, seen[key]))
            continue
        seen[key] = name
        exact = key if key in ENTRY_COLUMNS else None
        if exact is None and key in by_name:
            exact = "item:" + by_name[key]
        chosen = choices.column(ENTRIES_FILE, name)
        if chosen not in allowed:
            chosen = None
        target = chosen or exact
        if target is None:
            texts = column_values(table, index)
            target = guess_entry_target(name, texts, can_add=add_items)
        if target == NEW_ITEM and (key in taken or len(name) > MAX_ITEM_NAME):
            target = NOTES_TARGET
        if target == NEW_ITEM:
            new.append(name)
            target = "item:" + name
        meaning[index] = target
        readings.append(ColumnReading(ENTRIES_FILE, name, target, guessed=target != exact))
    targets = [t for t in meaning.values() if t not in (NOTES_TARGET, SKIP, TRIGGER)]
    for target in sorted({t for t in targets if targets.count(t) > 1}):
        names = [r.header for r in readings if r.target == target]
        problems.append(
            _(
                "the columns %(columns)s are all read as %(meaning)s: choose one, and set the "
                "others to something else"
            )
            % {"columns": ", ".join(repr(n) for n in names), "meaning": label(target)}
        )
    if "date" not in meaning.values():
        problems.append(_('no column of dates: name the column of days "date"'))
    return meaning, readings, new, problems


# --- entries ------------------------------------------------------------------------------------


@dataclass
class EntryReader:
    """Reads the rows of one entries file, the columns' meanings settled."""

    table: Table
    meaning: dict[int, str]
    readings: dict[int, ColumnReading]
    child: Child
    choices: Choices
    date_order: str
    rating_words: dict[str, int | None] = field(default_factory=dict)
    trigger_rows: list = field(default_factory=list)

    def row(self, line: int, cells: list[str]) -> EntryRow:
        header = self.table.header
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            raise RowProblems([f"{len(cells)} cells, but the header names {len(header)} columns"])
        values, messages, notes, triggers = {}, [], [], []
        day = None
        for index, target in self.meaning.items():
            raw = cells[index] if index < len(cells) else ""
            text = raw if target in TEXT_FIELDS else raw.strip()
            if target == SKIP:
                continue
            if target == TRIGGER:
                if text:
                    triggers.append((index, text))
                continue
            if target == NOTES_TARGET and self.notes_columns > 1:
                if text.strip():
                    notes.append(f"{header[index]}: {unguarded(text.strip())}")
                continue
            try:
                read = self.read(target, text, header[index])
            except ValueError as error:
                messages.append(str(error))
                continue
            except Words:
                notes.append(f"{header[index]}: {text}")
                self.readings[index].add(line, text, "kept in the notes")
                continue
            if not read.exact:
                self.readings[index].add(line, text, shown_value(read.value))
            if target == "date":
                day = read.value
            else:
                values[target] = read.value
        if messages:
            raise RowProblems(messages)
        if day is None:
            raise RowProblems(["the date is empty"])
        if notes:
            values["notes"] = "\n".join(filter(None, [values.get("notes", ""), *notes]))
        items = {name[5:]: values.pop(name) for name in list(values) if name.startswith("item:")}
        headers = {target: header[index] for index, target in self.meaning.items()}
        model_problems(DailyEntry(child=self.child, date=day, **values), headers)
        for index, text in triggers:
            self.trigger_rows.append((line, day, header[index], text))
        return EntryRow(line, day, values, items)

    @property
    def notes_columns(self) -> int:
        return list(self.meaning.values()).count(NOTES_TARGET)

    def read(self, target: str, text: str, header: str) -> Read:
        if target == "date":
            return words.read_date(text, self.date_order)
        if target in CORE_FIELDS or target.startswith("item:"):
            read = words.read_rating(text, header, self.choices.all_rating_words)
            if not read.exact and words.folded(text) in self.choices.all_rating_words:
                self.rating_words[words.folded(text)] = read.value
            return read
        if target in WHOLE_FIELDS:
            return words.read_whole(text, header)
        if target == "sleep_hours":
            return words.read_hours(text, header)
        if target == "max_temperature_c":
            fahrenheit = words.fahrenheit_header(header)
            return words.read_temperature(text, header, fahrenheit=fahrenheit)
        if target == "doses":
            return words.read_doses(text, header)
        return Read(unguarded(text), True)  # notes and question


def parse_entries(
    data: bytes,
    *,
    child: Child,
    items: list[TrackedItem],
    add_items: bool = False,
    can_add_items: bool | None = None,
    name: str = ENTRIES_FILE,
    choices: Choices | None = None,
) -> Parsed:
    choices = choices or Choices()
    parsed, table = opened(name, data)
    if table is None:
        return parsed
    can_add = add_items if can_add_items is None else can_add_items
    meaning, readings, parsed.new_items, header_problems = entry_columns(
        table, items, add_items=add_items, can_add=can_add, choices=choices
    )
    parsed.columns = readings
    parsed.problems += [Problem(name, 1, message) for message in header_problems]
    if header_problems:
        return parsed
    date_index = next(index for index, target in meaning.items() if target == "date")
    texts = [cells[date_index].strip() for _, cells in table.rows if date_index < len(cells)]
    parsed.date_order, parsed.date_order_told = date_order_of(texts, child, choices)
    reader = EntryReader(
        table,
        meaning,
        dict(zip(meaning, readings, strict=True)),
        child,
        choices,
        parsed.date_order,
    )
    parsed.entries = checked_rows(
        parsed,
        name,
        table.rows,
        make=reader.row,
        key=lambda row: row.date,
        twice=lambda row, first: f"date {row.date} is on line {first} too: one row a day",
    )
    # A row with a date and nothing else of the day (a trigger alone, say) is not a logged day:
    # its trigger comes in, the day stays a gap, as an empty save on the form does.
    parsed.entries = [
        row for row in parsed.entries if not day_is_empty(row.values, row.items.values())
    ]
    parsed.rating_words = reader.rating_words
    for line, day, header, text in reader.trigger_rows:
        try:
            fields, _typed = event_fields(child, {"start_date": day}, "", text, "")
            parsed.events.append(EventRow(line, fields))
        except RowProblems as problems:
            parsed.problems += [Problem(name, line, f"{header}: {m}") for m in problems.messages]
    return parsed


def parse_files(
    *,
    entries: bytes | None,
    events: bytes | None,
    child: Child,
    items: list[TrackedItem],
    add_items: bool = False,
    can_add_items: bool | None = None,
    names: tuple[str, str] = (ENTRIES_FILE, EVENTS_FILE),
    choices: Choices | None = None,
) -> Parsed:
    """Both files checked (either may be absent): rows, new items, how each column was read,
    and every problem."""
    parsed = Parsed()
    if entries is not None:
        parsed = parse_entries(
            entries,
            child=child,
            items=items,
            add_items=add_items,
            can_add_items=can_add_items,
            name=names[0],
            choices=choices,
        )
    sheet = 0
    if events is None and entries is not None and (found := trigger_sheet(names[0], entries)):
        # One workbook with a sheet of days and a sheet of triggers: both are read.
        events, sheet = entries, found[0]
        names = (names[0], f"{names[0]} (sheet {found[1]})")
    if events is not None and parsed.stopped_at is None:
        if entries is not None and parsed.date_order_told and choices is not None:
            # The entries' dates tell the order; the triggers' are written the same way.
            choices = Choices(choices.columns, parsed.date_order, choices.rating_words)
        found = parse_events(events, child=child, name=names[1], choices=choices, sheet=sheet)
        parsed.events += found.events
        parsed.problems += found.problems
        parsed.columns += found.columns
        parsed.stopped_at = found.stopped_at
        if entries is None or not found.date_order_told:
            parsed.date_order, parsed.date_order_told = found.date_order, found.date_order_told
    return parsed
