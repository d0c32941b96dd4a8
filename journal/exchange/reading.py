"""Uploaded CSV as checked rows: every bad row named by its line number and what is wrong.

The same rules as the daily-entry and trigger forms (the models' own checks, plus the form's
quarter hours), so that an imported day can be opened and saved again as it is. Nothing here
reads or writes the database: the child (saved or not yet) and its extra items are given.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from journal.models import Child, DailyEntry, Doses, TrackedItem, TriggerEvent, day_is_empty
from journal.scales import CORE_FIELDS, CORE_ITEMS, MAX_RATING

from .columns import ENTRY_COLUMNS, EVENT_COLUMNS, EVENT_TIME_COLUMN, unguarded

ENTRIES_FILE, EVENTS_FILE = "entries.csv", "events.csv"
MAX_ITEM_NAME = TrackedItem._meta.get_field("name").max_length
WHOLE = re.compile(r"\d{1,6}")
DECIMAL = re.compile(r"\d{1,6}(?:[.,]\d+)?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME = re.compile(r"\d{1,2}:\d{2}")
WHOLE_FIELDS = ("night_wakings", "rage_episodes", "rage_longest_minutes")
DECIMAL_FIELDS = ("sleep_hours", "max_temperature_c")
TEXT_FIELDS = ("notes", "question")


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


def event_identity(event: TriggerEvent) -> tuple:
    """What makes two events the same one: every field the caregiver gave, notes aside."""
    return (event.type, event.start_date, event.end_date, event.start_time, event.detail)


@dataclass
class Parsed:
    entries: list[EntryRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    new_items: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class FileProblem(Exception):
    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line, self.message = line, message


class RowProblems(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


# --- the table ---------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The file's text: UTF-8, with or without a byte-order mark."""
    if not data.strip():
        raise FileProblem(None, "the file is empty.")
    if b"\0" in data:
        raise FileProblem(None, "this is not a CSV text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileProblem(
            line,
            "the file is not UTF-8 text. Save it from the spreadsheet as "
            '"CSV UTF-8" (Excel) or "Text CSV" with the character set "Unicode (UTF-8)".',
        ) from None


def delimiter_of(first_line: str) -> str:
    # Spreadsheets in many European languages save "CSV" with semicolons.
    for mark in (",", ";", "\t"):
        if mark in first_line:
            return mark
    return ","


def read_table(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header's column names and each row that is not blank, with its first line's number."""
    text = decode(data)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter_of(text.split("\n", 1)[0]), strict=True
    )
    rows, line = [], 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        raise FileProblem(line, f"the file can't be read as CSV here ({error}).") from None
    if not rows:
        raise FileProblem(None, "the file is empty.")
    (first, header), *body = rows
    if first != 1 or not any(cell.strip().lower() == "date" for cell in header):
        raise FileProblem(
            first,
            'no header row: the first line must name the columns, starting with "date" '
            "(download an export to see them).",
        )
    return [unguarded(cell.strip()) for cell in header], body


def cells_of(header: list[str], cells: list[str]) -> dict[str, str]:
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
        raise RowProblems([f"{len(cells)} cells, but the header names {len(header)} columns"])
    # Free text is kept as it is, spaces and line ends included; other cells lose their spaces.
    return {
        name: (cells[i] if name.casefold() in TEXT_FIELDS else cells[i].strip())
        if i < len(cells)
        else ""
        for i, name in enumerate(header)
    }


# --- values ----------------------------------------------------------------------------------


def parse_date(text: str, column: str) -> datetime.date:
    try:
        if ISO_DATE.fullmatch(text):
            return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f'{column} "{text}" is not a date written as YYYY-MM-DD, such as 2025-03-01')


def check_day(day: datetime.date, child: Child, column: str) -> None:
    if day > child.today():
        raise ValueError(
            f"{column} {day} is in the future (today is {child.today()} where {child.name} lives)"
        )
    if day < child.birth_date:
        raise ValueError(f"{column} {day} is before {child.name}'s birth ({child.birth_date})")


def parse_rating(text: str, column: str) -> int | None:
    if text == "":
        return None
    if text.isdigit() and int(text) <= MAX_RATING:
        return int(text)
    raise ValueError(f'{column} is "{text}": use 0, 1, 2 or 3, or leave it empty for not observed')


def parse_number(text: str, column: str, *, whole: bool):
    if text == "":
        return None
    if whole and WHOLE.fullmatch(text):
        return int(text)
    if not whole and DECIMAL.fullmatch(text):
        return Decimal(text.replace(",", "."))
    kind = "a whole number, such as 2" if whole else "a number, such as 10.5"
    raise ValueError(f'{column} is "{text}": write {kind}')


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


def model_problems(obj, exclude: list[str]) -> None:
    """The model's own checks (ranges, lengths, the event's own rules), as row messages."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise RowProblems(
            [f"{name}: {' '.join(texts)}" for name, texts in error.message_dict.items()]
        ) from None


# --- entries.csv ------------------------------------------------------------------------------


def entry_columns(
    header: list[str], items: list[TrackedItem], *, add_items: bool, child_name: str
) -> tuple[dict[str, str], list[str], list[str]]:
    """Each column's meaning: a model field, or an item's name; the new items; the problems."""
    by_name = {item.name.casefold(): item.name for item in items}
    taken = {item.label.casefold() for item in CORE_ITEMS} | set(CORE_FIELDS)
    meaning, new, problems = {}, [], []
    for name in header:
        key = name.casefold()
        if not name:
            problems.append("a column has no name in the header")
        elif name in meaning:
            problems.append(f'the column "{name}" is there twice')
        elif key in ENTRY_COLUMNS:
            meaning[name] = key
        elif key in by_name:
            meaning[name] = "item:" + by_name[key]
        elif add_items and key not in taken and len(name) <= MAX_ITEM_NAME:
            meaning[name] = "item:" + name
            new.append(name)
        else:
            problems.append(
                f'unknown column "{name}": it is not a column of the exchange format, nor an '
                f"item {child_name} is rated on (add the item first, or let the import add it)"
            )
    return meaning, new, problems


def entry_row(line: int, cells: dict[str, str], meaning: dict[str, str], child: Child) -> EntryRow:
    by_field = {meaning[name]: text for name, text in cells.items() if name in meaning}
    parsers = {"date": lambda: parse_date(by_field.get("date", ""), "date")}
    for name, text in by_field.items():
        if name != "date":
            parsers[name] = value_parser(name, text)
    values = collect(parsers)
    day = values.pop("date")
    try:
        check_day(day, child, "date")
    except ValueError as error:
        raise RowProblems([str(error)]) from None
    items = {name[5:]: values.pop(name) for name in list(values) if name.startswith("item:")}
    if day_is_empty(values, items.values()):
        raise RowProblems(["nothing in this row but its date: an empty day is not a logged day"])
    entry = DailyEntry(date=day, **values)
    model_problems(entry, exclude=["child", "created_by", "updated_by"])
    if entry.sleep_hours is not None and (entry.sleep_hours * 4) % 1:
        raise RowProblems(["sleep_hours: use quarter hours, such as 9, 9.25, 9.5 or 9.75"])
    return EntryRow(line, day, values, items)


def value_parser(name: str, text: str):
    if name in CORE_FIELDS or name.startswith("item:"):
        return lambda: parse_rating(text, name.removeprefix("item:"))
    if name in WHOLE_FIELDS:
        return lambda: parse_number(text, name, whole=True)
    if name in DECIMAL_FIELDS:
        return lambda: parse_number(text, name, whole=False)
    if name == "doses":
        return lambda: parse_choice(text, name, Doses.choices)
    return lambda: unguarded(text)  # notes and question


def opened(file: str, data: bytes) -> tuple[Parsed, list[str], list]:
    """The file's header and rows, and a Parsed holding its problem if it can't be read."""
    parsed = Parsed()
    try:
        header, body = read_table(data)
    except FileProblem as problem:
        parsed.problems.append(Problem(file, problem.line, problem.message))
        return parsed, [], []
    return parsed, header, body


def parse_entries(
    data: bytes, *, child: Child, items: list[TrackedItem], add_items: bool = False
) -> Parsed:
    parsed, header, body = opened(ENTRIES_FILE, data)
    if parsed.problems:
        return parsed
    meaning, parsed.new_items, header_problems = entry_columns(
        header, items, add_items=add_items, child_name=child.name
    )
    parsed.problems += [Problem(ENTRIES_FILE, 1, message) for message in header_problems]
    parsed.entries = checked_rows(
        parsed,
        ENTRIES_FILE,
        body,
        make=lambda line, cells: entry_row(line, cells_of(header, cells), meaning, child),
        key=lambda row: row.date,
        twice=lambda row, first: f"date {row.date} is on line {first} too: one row a day",
    )
    return parsed


def checked_rows(parsed: Parsed, file: str, body, *, make, key, twice) -> list:
    """The rows `make` reads from the body; each problem, by its line, goes to `parsed`, and so
    does a row whose `key` an earlier row has (`twice` says so)."""
    rows, seen = [], {}
    for line, cells in body:
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


# --- events.csv -------------------------------------------------------------------------------


def short_choices(choices) -> list[tuple[str, str]]:
    """Choices with their labels as the detail writes them: "Respiratory", not "Respiratory
    (cold, cough, flu)"."""
    return [(value, label.split(" (")[0]) for value, label in choices]


def split_detail(detail: str) -> tuple[str, str]:
    first, _, rest = detail.partition(",")
    return first.strip(), rest.strip()


def fever_fields(detail: str) -> dict:
    match = re.fullmatch(r"(\d{1,3}(?:[.,]\d+)?)\s*(?:°\s*C|C)?", detail, re.IGNORECASE)
    if not match:
        raise ValueError('detail: a fever needs its highest temperature, such as "38.5 °C"')
    return {"temperature_c": Decimal(match[1].replace(",", "."))}


def illness_fields(detail: str) -> dict:
    kind, pathogen = split_detail(detail)
    try:
        kind = parse_choice(kind, "the kind", short_choices(TriggerEvent.Illness.choices))
    except ValueError:
        kind = ""
    if not kind:
        raise ValueError(
            "detail: an illness starts with its kind, Respiratory, Stomach or Other, then the "
            'pathogen if tested, such as "Respiratory, influenza A"'
        )
    return {"illness_kind": kind, "pathogen": pathogen}


def vaccination_fields(detail: str) -> dict:
    live = None
    for suffix, value in ((" (not live)", False), (" (live)", True)):
        if detail.endswith(suffix):
            detail, live = detail.removesuffix(suffix).strip(), value
            break
    if not detail:
        raise ValueError('detail: a vaccination needs the vaccine, such as "MMR (live)"')
    return {"vaccine": detail, "live_vaccine": live}


def anaesthesia_fields(detail: str) -> dict:
    if not detail:
        raise ValueError('detail: anaesthesia needs the procedure, such as "MRI"')
    return {"procedure": detail}


def change_fields(detail: str) -> dict:
    change, drug = split_detail(detail)
    choices = short_choices(TriggerEvent.Change.choices)
    if not drug or change.casefold() not in {c.casefold() for pair in choices for c in pair}:
        labels = ", ".join(label for _, label in choices)
        raise ValueError(
            f"detail: an immunotherapy change is what changed ({labels}), a comma, then the "
            'drug, such as "Taper step, prednisolone"'
        )
    return {"change": parse_choice(change, "the change", choices), "drug": drug}


DETAIL_READERS = {
    TriggerEvent.Type.FEVER: fever_fields,
    TriggerEvent.Type.ILLNESS: illness_fields,
    TriggerEvent.Type.VACCINATION: vaccination_fields,
    TriggerEvent.Type.ANAESTHESIA: anaesthesia_fields,
    TriggerEvent.Type.IMMUNOTHERAPY_CHANGE: change_fields,
}


def parse_time(text: str) -> datetime.time | None:
    if text == "":
        return None
    try:
        if TIME.fullmatch(text):
            return datetime.time.fromisoformat(text.zfill(5))
    except ValueError:
        pass
    raise ValueError(f'time "{text}" is not a time written as HH:MM, such as 14:30')


def event_row(line: int, cells: dict[str, str], child: Child) -> EventRow:
    values = collect(
        {
            "start_date": lambda: parse_date(cells["date"], "date"),
            "end_date": lambda: cells.get("end_date") and parse_date(cells["end_date"], "end_date"),
            "type": lambda: (
                parse_choice(cells.get("type", ""), "type", TriggerEvent.Type.choices)
                or _missing_type()
            ),
            "start_time": lambda: parse_time(cells.get(EVENT_TIME_COLUMN, "")),
        }
    )
    values["end_date"] = values["end_date"] or None
    detail, notes = unguarded(cells.get("detail", "")), unguarded(cells.get("notes", ""))
    messages = []
    try:
        check_day(values["start_date"], child, "date")
    except ValueError as error:
        messages.append(str(error))
    if values["end_date"] and values["end_date"] < values["start_date"]:
        messages.append(f"end_date {values['end_date']} is before the date {values['start_date']}")
    reader = DETAIL_READERS.get(values["type"])
    if reader:
        try:
            values.update(reader(detail))
        except ValueError as error:
            messages.append(str(error))
    elif detail:
        # Stress and other events have no fields of their own: what the detail says is kept.
        notes = f"{detail}\n{notes}" if notes else detail
    if messages:
        raise RowProblems(messages)
    values["notes"] = notes
    model_problems(TriggerEvent(**values), exclude=["child", "created_by", "updated_by"])
    return EventRow(line, values)


def _missing_type():
    types = ", ".join(TriggerEvent.Type.values)
    raise ValueError(f"type is empty: use one of {types}")


def event_header_problems(header: list[str]) -> list[str]:
    known = (*EVENT_COLUMNS, EVENT_TIME_COLUMN)
    problems = [
        f'unknown column "{name}": the columns are {", ".join(known)}'
        for name in header
        if name.casefold() not in known
    ]
    lowered = [name.casefold() for name in header]
    problems += [
        f'the column "{name}" is there twice' for name in set(lowered) if lowered.count(name) > 1
    ]
    if "type" not in lowered:
        problems.append('no "type" column')
    return problems


def parse_events(data: bytes, *, child: Child) -> Parsed:
    parsed, header, body = opened(EVENTS_FILE, data)
    if parsed.problems:
        return parsed
    parsed.problems += [Problem(EVENTS_FILE, 1, m) for m in event_header_problems(header)]
    if parsed.problems:
        return parsed
    header = [name.casefold() for name in header]
    parsed.events = checked_rows(
        parsed,
        EVENTS_FILE,
        body,
        make=lambda line, cells: event_row(line, cells_of(header, cells), child),
        key=lambda row: row.identity,
        twice=lambda row, first: f"the same event as line {first}",
    )
    return parsed


def parse_files(
    *,
    entries: bytes | None,
    events: bytes | None,
    child: Child,
    items: list[TrackedItem],
    add_items: bool = False,
) -> Parsed:
    """Both files checked (either may be absent): rows, new items, and every problem."""
    parsed = Parsed()
    if entries is not None:
        parsed = parse_entries(entries, child=child, items=items, add_items=add_items)
    if events is not None:
        found = parse_events(events, child=child)
        parsed.events, parsed.problems = found.events, parsed.problems + found.problems
    return parsed
