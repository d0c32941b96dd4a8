"""Uploaded files as checked rows: every bad row named by its line number and what is wrong.

A file is CSV, .xlsx or .ods (sheets.py). Its columns are matched to what they hold: the
exchange format's own names exactly, else guessed from the header and the values (words.py),
or as the family set them (`Choices`). Values are read as far as they can be, and each value
not written as the exchange format writes it is recorded with what it became (`ColumnReading`),
for the preview and import_diary to show.

The rows are checked by the models' own full_clean, the one the forms run, so that an
imported day can be opened and saved again as it is. Nothing here reads or writes the database:
the child (saved or not yet) and its extra items are given.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from journal.models import Child, DailyEntry, TrackedItem, TriggerEvent
from journal.scales import CORE_FIELDS, CORE_ITEMS

from . import words
from .columns import ENTRY_COLUMNS, EVENT_COLUMNS, EVENT_TIME_COLUMN, unguarded
from .sheets import FileProblem, Table, read_table
from .words import NEW_ITEM, NOTES_TARGET, SKIP, TRIGGER, Read, Words

ENTRIES_FILE, EVENTS_FILE = "entries.csv", "events.csv"
MAX_ITEM_NAME = TrackedItem._meta.get_field("name").max_length
TIME = re.compile(r"[0-9]{1,2}[:.h][0-9]{2}(?::00)?")
WHOLE_FIELDS = ("night_wakings", "rage_episodes", "rage_longest_minutes")
TEXT_FIELDS = ("notes", "question")
# A file with more problems than this is listed this far, and the rest of it is not read.
MAX_PROBLEMS = 100
SHOWN_READINGS = 8  # values shown per column that were read another way; the rest are counted
EVENT_TARGETS = (*EVENT_COLUMNS, EVENT_TIME_COLUMN, SKIP)


@dataclass(frozen=True)
class Problem:
    """What is wrong with a file: at a line (the header is line 1), or with the whole file."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class Choices:
    """What the family said of their files: a column's meaning by its header (folded), the
    order of numeric dates, and what their rating words mean. Empty: all guessed."""

    columns: dict[str, str] = field(default_factory=dict)  # by column_key
    date_order: str = ""
    rating_words: dict[str, int | None] = field(default_factory=dict)

    def column(self, file: str, header: str) -> str | None:
        return self.columns.get(column_key(file, header))

    def as_data(self) -> dict:
        return {
            "columns": self.columns,
            "date_order": self.date_order,
            "rating_words": self.rating_words,
        }

    @classmethod
    def from_data(cls, data: dict | None) -> "Choices":
        data = data or {}
        return cls(
            dict(data.get("columns") or {}),
            data.get("date_order") or "",
            dict(data.get("rating_words") or {}),
        )

    @property
    def all_rating_words(self) -> dict[str, int | None]:
        return {**words.RATING_WORDS, **self.rating_words}


def column_key(file: str, header: str) -> str:
    """A column as the family's choices name it: its file and its header, folded."""
    return f"{file.split('.')[0]}:{words.folded(header) or header.casefold()}"


@dataclass
class ColumnReading:
    """How one column of a file was read: what it was matched to, whether that was guessed,
    and the values read another way than the exchange format writes them (line, as written,
    as read), the first SHOWN_READINGS of `count`."""

    file: str
    header: str
    target: str
    guessed: bool
    examples: list[tuple[int, str, str]] = field(default_factory=list)
    count: int = 0

    def add(self, line: int, written: str, became: str) -> None:
        self.count += 1
        if len(self.examples) < SHOWN_READINGS:
            self.examples.append((line, written, became))


@dataclass
class EntryRow:
    """A day as the file gives it: the model fields of the columns present, and item ratings
    by item name (the journal's spelling; a new item's as in the file)."""

    line: int
    date: datetime.date
    values: dict[str, object]
    items: dict[str, int | None] = field(default_factory=dict)


@dataclass
class EventRow:
    line: int
    fields: dict[str, object]  # TriggerEvent fields: type, start_date, typed fields, notes...

    @property
    def event(self) -> TriggerEvent:
        return TriggerEvent(**self.fields)

    @property
    def identity(self) -> tuple:
        return event_identity(self.event)


AS_WRITTEN = "As written: "


def event_identity(event: TriggerEvent) -> tuple:
    """What makes two events the same one: every field the caregiver gave, notes aside but for
    the family's words an event was read from ("cold" and "cough" are two illnesses)."""
    first = event.notes.split("\n", 1)[0]
    written = first if first.startswith(AS_WRITTEN) else ""
    return (event.type, event.start_date, event.end_date, event.start_time, event.detail, written)


@dataclass
class Parsed:
    entries: list[EntryRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    new_items: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Where reading stopped, MAX_PROBLEMS being found before it ("entries.csv, line 180 of 2000");
    # None if the files were read to the end.
    stopped_at: str | None = None
    columns: list[ColumnReading] = field(default_factory=list)
    # The order numeric dates were read in, and whether the values told it (else: ask).
    date_order: str = ""
    date_order_told: bool = True
    rating_words: dict[str, int | None] = field(default_factory=dict)  # the words met

    @property
    def reinterpreted(self) -> bool:
        return any(c.guessed or c.count for c in self.columns) or bool(self.rating_words)


class RowProblems(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


# --- values -------------------------------------------------------------------------------------


def parse_choice(text: str, column: str, choices) -> str:
    """A choice by its code or its label, in any case; empty stays empty."""
    if text == "":
        return ""
    for value, label in choices:
        if text.casefold() in (value.casefold(), label.casefold()):
            return value
    codes = ", ".join(value for value, _ in choices)
    raise ValueError(f'{column} is "{text}": use one of {codes}')


def collect(parsers: dict[str, Callable[[], object]]) -> dict[str, object]:
    """Run each column's parser; every column's problem, not only the first."""
    values, messages = {}, []
    for name, parse in parsers.items():
        try:
            values[name] = parse()
        except ValueError as error:
            messages.append(str(error))
    if messages:
        raise RowProblems(messages)
    return values


# The file's name for a field, where it is not the field's own.
COLUMN_OF = {"start_date": "date"}


def model_problems(obj, headers: dict[str, str] | None = None) -> None:
    """The model's own checks, the very ones its form runs (dates from the child's birth to its
    today, ranges, lengths, quarter hours, the event's own rules), as row messages."""
    try:
        obj.full_clean(
            exclude=["child", "created_by", "updated_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        raise RowProblems(
            [
                f"{column_named(obj, name, headers)}: {' '.join(texts)}"
                for name, texts in error.message_dict.items()
            ]
        ) from None


def column_named(obj, name: str, headers: dict[str, str] | None = None) -> str:
    """The column as the file names it (`headers`: by field), and its value if it is a date:
    "date 2031-01-01"."""
    column = (headers or {}).get(name) or COLUMN_OF.get(name, name)
    value = getattr(obj, name, None)
    return f"{column} {value.isoformat()}" if isinstance(value, datetime.date) else column


def shown_value(value) -> str:
    if value is None or value == "":
        return "empty"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


# --- the columns --------------------------------------------------------------------------------


def column_values(table: Table, index: int, limit: int = 200) -> list[str]:
    """The first `limit` values of a column that are not empty, for guessing what it holds."""
    found = []
    for _, cells in table.rows:
        if index < len(cells) and cells[index].strip():
            found.append(cells[index].strip())
            if len(found) >= limit:
                break
    return found


def looks_dated(texts: list[str]) -> bool:
    read = 0
    for text in texts:
        try:
            words.read_date(text, words.DAY_FIRST)
            read += 1
        except ValueError:
            pass
    return bool(texts) and read >= 0.8 * len(texts)


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
    taken = {item.label.casefold() for item in CORE_ITEMS} | set(CORE_FIELDS)
    allowed = set(entry_targets(items, can_add=can_add))
    meaning, readings, new, problems, seen = {}, [], [], [], {}
    for index, name in enumerate(table.header):
        key = name.casefold()
        if not name:
            if column_values(table, index, 1):
                problems.append("a column has no name in the header")
            continue
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
            f"the columns {', '.join(repr(n) for n in names)} are all read as {label(target)}: "
            "choose one, and set the others to something else"
        )
    if "date" not in meaning.values():
        problems.append('no column of dates: name the column of days "date"')
    return meaning, readings, new, problems


def twice(name: str, first: str) -> str:
    if name == first:
        return f'the column "{name}" is there twice'
    return f'the columns "{first}" and "{name}" are the same column, but for capital letters'


TARGET_LABELS = {
    "date": "Date",
    "sleep_hours": "Hours slept",
    "night_wakings": "Night wakings",
    "rage_episodes": "Rage episodes",
    "rage_longest_minutes": "Longest rage (minutes)",
    "max_temperature_c": "Temperature",
    "doses": "Doses given",
    NOTES_TARGET: "Notes",
    "question": "Question for the neurologist",
    TRIGGER: "A trigger that day",
    SKIP: "Leave out",
    NEW_ITEM: "A new item",
    "end_date": "End date",
    "type": "Trigger type",
    "detail": "Trigger detail",
    "time": "Time",
}


def label(target: str) -> str:
    """A column's meaning in the family's words: Eyes, Hours slept, Leave out."""
    core = {item.field: item.label for item in CORE_ITEMS}
    if target in core:
        return core[target]
    if target.startswith("item:"):
        return f"{target[5:]} (item)"
    return TARGET_LABELS.get(target, target)


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


def opened(name: str, data: bytes) -> tuple[Parsed, Table | None]:
    """The file's table, and a Parsed holding its problem if it can't be read."""
    file = name
    parsed = Parsed()
    try:
        table = read_table(name, data)
    except FileProblem as problem:
        parsed.problems.append(Problem(file, problem.line, problem.message))
        return parsed, None
    if any(looks_dated([cell]) for cell in table.header if cell):
        parsed.problems.append(
            Problem(
                file,
                1,
                "no header row: the first line must name the columns, such as "
                '"date" (download an export to see them).',
            )
        )
        return parsed, None
    return parsed, table


def date_order_of(texts: list[str], child: Child, choices: Choices) -> tuple[str, bool]:
    """The order of the file's numeric dates, and whether it is known: the family's, else told
    by the values, else the likely one where the child lives (and the family is asked)."""
    if choices.date_order in words.DATE_ORDERS:
        return choices.date_order, True
    hint = words.MONTH_FIRST if child.time_zone.startswith("America/") else words.DAY_FIRST
    return words.date_order(texts, hint)


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
    parsed.rating_words = reader.rating_words
    for line, day, header, text in reader.trigger_rows:
        try:
            fields, _ = event_fields(child, {"start_date": day}, "", text, "")
            parsed.events.append(EventRow(line, fields))
        except RowProblems as problems:
            parsed.problems += [Problem(name, line, f"{header}: {m}") for m in problems.messages]
    return parsed


def checked_rows(parsed: Parsed, file: str, body, *, make, key, twice) -> list:
    """The rows `make` reads from the body; each problem, by its line, goes to `parsed`, and so
    does a row whose `key` an earlier row has (`twice` says so)."""
    rows, seen = [], {}
    for line, cells in body:
        if len(parsed.problems) >= MAX_PROBLEMS:
            parsed.stopped_at = f"{file}, line {line} of {body[-1][0]}"
            break
        try:
            row = make(line, cells)
        except RowProblems as problems:
            parsed.problems += [Problem(file, line, m) for m in problems.messages]
            continue
        first = seen.setdefault(key(row), line)
        if first != line:
            parsed.problems.append(Problem(file, line, twice(row, first)))
            continue
        rows.append(row)
    return rows


# --- events -------------------------------------------------------------------------------------


def short_choices(choices) -> list[tuple[str, str]]:
    """Choices with their labels as the detail writes them: "Respiratory", not "Respiratory
    (cold, cough, flu)"."""
    return [(value, label.split(" (")[0]) for value, label in choices]


def split_detail(detail: str) -> tuple[str, str]:
    first, _, rest = detail.partition(",")
    return first.strip(), rest.strip()


def exact_fever(detail: str) -> dict:
    match = re.fullmatch(r"([0-9]{1,3}(?:[.,][0-9]+)?)\s*(?:°\s*C|C)?", detail, re.IGNORECASE)
    if not match:
        raise ValueError("not the exchange format")
    return {"temperature_c": Decimal(match[1].replace(",", "."))}


def exact_illness(detail: str) -> dict:
    kind, pathogen = split_detail(detail)
    kind = parse_choice(kind, "the kind", short_choices(TriggerEvent.Illness.choices))
    if not kind:
        raise ValueError("not the exchange format")
    return {"illness_kind": kind, "pathogen": pathogen}


def exact_vaccination(detail: str) -> dict:
    if not detail:
        raise ValueError("not the exchange format")
    return words.vaccination_fields(detail) | {"vaccine": vaccine_of(detail)}


def vaccine_of(detail: str) -> str:
    for suffix, _ in words.LIVE_MARKS:
        detail = detail.removesuffix(suffix)
    return detail.strip()


def exact_anaesthesia(detail: str) -> dict:
    if not detail:
        raise ValueError("not the exchange format")
    return {"procedure": detail}


def exact_change(detail: str) -> dict:
    change, drug = split_detail(detail)
    choices = short_choices(TriggerEvent.Change.choices)
    if not drug:
        raise ValueError("not the exchange format")
    return {"change": parse_choice(change, "the change", choices), "drug": drug}


# The exchange format's detail of each type, as events.csv writes it.
EXACT_DETAILS = {
    TriggerEvent.Type.FEVER: exact_fever,
    TriggerEvent.Type.ILLNESS: exact_illness,
    TriggerEvent.Type.VACCINATION: exact_vaccination,
    TriggerEvent.Type.ANAESTHESIA: exact_anaesthesia,
    TriggerEvent.Type.IMMUNOTHERAPY_CHANGE: exact_change,
}


def exact_type(text: str) -> str | None:
    try:
        return parse_choice(text, "type", TriggerEvent.Type.choices) or None
    except ValueError:
        return None


def worded_fields(event_type: str, what: str, said: str) -> dict | None:
    """A type's own fields from the family's words (`what`: the detail, else the type's words;
    `said`: all of them), or None if the words don't give them."""
    Type = TriggerEvent.Type
    if event_type == Type.FEVER:
        degrees = words.temperature_in(said)
        return None if degrees is None else {"temperature_c": degrees}
    if event_type == Type.ILLNESS:
        return words.illness_fields(said, what)
    if event_type == Type.VACCINATION:
        return words.vaccination_fields(what.strip()) if what.strip() else None
    if event_type == Type.ANAESTHESIA:
        return {"procedure": what.strip()[:120]} if what.strip() else None
    if event_type == Type.IMMUNOTHERAPY_CHANGE:
        return words.change_fields(said)
    return {}


def event_fields(
    child: Child, dates: dict, type_text: str, detail: str, notes: str
) -> tuple[dict, bool]:
    """An event's fields from its type and detail as written, and whether they were written as
    the exchange format writes them. Else they are read from the family's words, and the words
    are kept in the event's notes as written."""
    if not type_text.strip() and not detail.strip():
        raise RowProblems(["the type and the detail are empty: say what happened"])
    event_type = exact_type(type_text)
    reader = EXACT_DETAILS.get(event_type)
    typed = None
    if event_type and not reader:
        typed = {}
        if detail:  # stress and other events have no fields of their own: the detail is kept
            notes = f"{detail}\n{notes}" if notes else detail
    elif reader:
        try:
            typed = reader(detail)
        except ValueError:
            typed = None
    worded = typed is None
    if worded:
        event_type = event_type or words.trigger_type(type_text, detail) or TriggerEvent.Type.OTHER
        typed = worded_fields(event_type, detail or type_text, f"{type_text} {detail}")
        if typed is None:  # a fever with no temperature, a change that names no change
            event_type, typed = TriggerEvent.Type.OTHER, {}
    values = {**dates, "type": event_type, **typed, "notes": notes}
    values.setdefault("end_date", None)
    exact = not worded and (not reader or TriggerEvent(**values).detail == detail.strip())
    if not exact:
        said = [detail.strip()] if exact_type(type_text) else [type_text.strip(), detail.strip()]
        written = AS_WRITTEN + ": ".join(filter(None, said))
        values["notes"] = "\n".join(filter(None, [written, notes]))
    model_problems(TriggerEvent(child=child, **values))
    return values, exact


def parse_time(text: str) -> Read:
    if text == "":
        return Read(None, True)
    if TIME.fullmatch(text):
        hours, minutes = re.split(r"[:.h]", text)[:2]
        try:
            return Read(datetime.time(int(hours), int(minutes)), ":" in text and len(text) == 5)
        except ValueError:
            pass
    raise ValueError(f'time "{text}" is not a time written as HH:MM, such as 14:30')


def event_columns(table: Table, choices: Choices):
    meaning, readings, problems, seen = {}, [], [], {}
    for index, name in enumerate(table.header):
        key = name.casefold()
        if not name:
            continue
        if key in seen:
            problems.append(twice(name, seen[key]))
            continue
        seen[key] = name
        exact = key if key in (*EVENT_COLUMNS, EVENT_TIME_COLUMN) else None
        chosen = choices.column(EVENTS_FILE, name)
        target = (chosen if chosen in EVENT_TARGETS else None) or exact
        if target is None:
            target = words.header_target(name, words.EVENT_HEADERS)
            if target is None:
                texts = column_values(table, index)
                target = "date" if looks_dated(texts) else ("detail" if texts else SKIP)
        meaning[index] = target
        readings.append(ColumnReading(EVENTS_FILE, name, target, guessed=target != exact))
    targets = [t for t in meaning.values() if t != SKIP]
    for target in sorted({t for t in targets if targets.count(t) > 1}):
        if target in ("detail", "notes"):
            continue  # several are joined
        names = [r.header for r in readings if r.target == target]
        problems.append(
            f"the columns {', '.join(repr(n) for n in names)} are all read as {label(target)}: "
            "choose one, and set the others to something else"
        )
    if "date" not in targets:
        problems.append('no column of dates: name the column of days "date"')
    return meaning, readings, problems


def parse_events(
    data: bytes, *, child: Child, name: str = EVENTS_FILE, choices: Choices | None = None
) -> Parsed:
    choices = choices or Choices()
    parsed, table = opened(name, data)
    if table is None:
        return parsed
    meaning, readings, header_problems = event_columns(table, choices)
    parsed.columns = readings
    parsed.problems += [Problem(name, 1, m) for m in header_problems]
    if parsed.problems:
        return parsed
    date_columns = [i for i, t in meaning.items() if t in ("date", "end_date")]
    texts = [cells[i].strip() for _, cells in table.rows for i in date_columns if i < len(cells)]
    order, parsed.date_order_told = date_order_of(texts, child, choices)
    parsed.date_order = order
    by_index = dict(zip(meaning, readings, strict=True))

    def make(line: int, cells: list[str]) -> EventRow:
        given: dict[str, list[tuple[int, str]]] = {}
        ended: list[str] = []
        for index, target in meaning.items():
            text = cells[index] if index < len(cells) else ""
            if target != SKIP and text.strip():
                given.setdefault(target, []).append((index, unguarded(text.strip())))
        first = {target: found[0] for target, found in given.items()}

        def date_of(target: str):
            if target not in first:
                return None
            index, text = first[target]
            if target == "end_date" and not words.looks_like_date(text):
                # "ongoing", "still ill": no end yet; the words are kept in the notes.
                ended.append(f"{table.header[index]}: {text}")
                by_index[index].add(line, text, "no end date; kept in the notes")
                return None
            read = words.read_date(text, order)
            if not read.exact:
                by_index[index].add(line, text, shown_value(read.value))
            return read.value

        def time_of():
            if "time" not in first:
                return None
            index, text = first["time"]
            read = parse_time(text)
            if not read.exact:
                by_index[index].add(line, text, shown_value(read.value))
            return read.value

        values = collect(
            {
                "start_date": lambda: date_of("date") or _missing_date(),
                "end_date": lambda: date_of("end_date"),
                "start_time": time_of,
            }
        )
        joined = {t: " ".join(text for _, text in given.get(t, [])) for t in ("detail", "notes")}
        joined["notes"] = "\n".join(filter(None, [joined["notes"], *ended]))
        type_text = first.get("type", (None, ""))[1]
        fields, exact = event_fields(child, values, type_text, joined["detail"], joined["notes"])
        if not exact:
            for target in ("type", "detail"):
                if target in first:
                    shown = TriggerEvent(**fields)
                    by_index[first[target][0]].add(
                        line, first[target][1], f"{shown.get_type_display()}: {shown.detail}"
                    )
                    break
        return EventRow(line, fields)

    parsed.events = checked_rows(
        parsed,
        name,
        table.rows,
        make=make,
        key=lambda row: row.identity,
        twice=lambda row, first: f"the same event as line {first}",
    )
    return parsed


def _missing_date():
    raise ValueError("the date is empty")


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
    if events is not None and parsed.stopped_at is None:
        if entries is not None and parsed.date_order_told and choices is not None:
            # The entries' dates tell the order; the triggers' are written the same way.
            choices = Choices(choices.columns, parsed.date_order, choices.rating_words)
        found = parse_events(events, child=child, name=names[1], choices=choices)
        parsed.events += found.events
        parsed.problems += found.problems
        parsed.columns += found.columns
        parsed.stopped_at = found.stopped_at
        if entries is None or not found.date_order_told:
            parsed.date_order, parsed.date_order_told = found.date_order, found.date_order_told
    return parsed
