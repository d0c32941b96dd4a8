"""What every file of an import is checked into: the rows, the problems by file and line, how
each column was read, the family's choices; and the checks both files share (the models' own
full_clean, the one the forms run; the first MAX_PROBLEMS problems).
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from journal.models import Child, TrackedItem, TriggerEvent
from journal.scales import CORE_ITEMS

from . import words
from .columns import EVENT_COLUMNS, EVENT_TIME_COLUMN
from .sheets import FileProblem, Table, read_table
from .words import NEW_ITEM, NOTES_TARGET, SKIP, TRIGGER

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
        if not self.line:
            return f"{self.file}: {self.message}"
        return _("%(file)s, line %(line)s: %(message)s") % {
            "file": self.file,
            "line": self.line,
            "message": self.message,
        }


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
    for _line, cells in table.rows:
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


def twice(name: str, first: str) -> str:
    if name == first:
        return _('the column "%(name)s" is there twice') % {"name": name}
    return _(
        'the columns "%(first)s" and "%(name)s" are the same column, but for capital letters'
    ) % {"first": first, "name": name}


TARGET_LABELS = {
    "date": gettext_lazy("Date"),
    "sleep_hours": gettext_lazy("Hours slept"),
    "night_wakings": gettext_lazy("Night wakings"),
    "rage_episodes": gettext_lazy("Rage episodes"),
    "rage_longest_minutes": gettext_lazy("Longest rage (minutes)"),
    "max_temperature_c": gettext_lazy("Temperature"),
    "doses": gettext_lazy("Doses given"),
    NOTES_TARGET: gettext_lazy("Notes"),
    "question": gettext_lazy("Question for the neurologist"),
    TRIGGER: gettext_lazy("A trigger that day"),
    SKIP: gettext_lazy("Leave out"),
    NEW_ITEM: gettext_lazy("A new item"),
    "end_date": gettext_lazy("End date"),
    "type": gettext_lazy("Trigger type"),
    "detail": gettext_lazy("Trigger detail"),
    "time": gettext_lazy("Time"),
}


def label(target: str) -> str:
    """A column's meaning in the family's words: Eyes, Hours slept, Leave out."""
    core = {item.field: item.label for item in CORE_ITEMS}
    if target in core:
        return core[target]
    if target.startswith("item:"):
        return _("%(item)s (item)") % {"item": target[5:]}
    return str(TARGET_LABELS.get(target, target))


def opened(name: str, data: bytes, sheet: int = 0) -> tuple[Parsed, Table | None]:
    """The file's table, and a Parsed holding its problem if it can't be read."""
    file = name
    parsed = Parsed()
    try:
        table = read_table(name.split(" (sheet ")[0], data, sheet)
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
