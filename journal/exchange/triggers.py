"""The triggers of an import: events.csv as the exchange format writes it, or a family's own
file of triggers in their words (types such as sick, temp, jab, GA, taper; details such as
cold, 39.2 C, prednisolone taper step), each read into its type and fields with the words as
written kept at the top of its notes.
"""

import datetime
import re
from decimal import Decimal

from django.utils.translation import gettext as _

from journal.models import Child, TriggerEvent

from . import words
from .checks import (
    AS_WRITTEN,
    EVENT_TARGETS,
    EVENTS_FILE,
    TIME,
    Choices,
    ColumnReading,
    EventRow,
    Parsed,
    Problem,
    RowProblems,
    checked_rows,
    collect,
    column_values,
    date_order_of,
    label,
    looks_dated,
    model_problems,
    opened,
    parse_choice,
    shown_value,
    twice,
)
from .columns import EVENT_COLUMNS, EVENT_TIME_COLUMN, unguarded
from .sheets import Table, sheet_headers
from .words import SKIP, Read

# --- events -------------------------------------------------------------------------------------


def short_choices(choices) -> list[tuple[str, str]]:
    """Choices with their labels as the detail writes them: "Respiratory", not "Respiratory
    (cold, cough, flu)"."""
    return [(value, label.split(" (")[0]) for value, label in choices]


def split_detail(detail: str) -> tuple[str, str]:
    first, _comma, rest = detail.partition(",")
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
    for suffix, _live in words.LIVE_MARKS:
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
        # The type's words too, unless they were the type's own name and it stands.
        kept_type = exact_type(type_text) == event_type
        said = [detail.strip()] if kept_type else [type_text.strip(), detail.strip()]
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
            _(
                "the columns %(columns)s are all read as %(meaning)s: choose one, and set the "
                "others to something else"
            )
            % {"columns": ", ".join(repr(n) for n in names), "meaning": label(target)}
        )
    if "date" not in targets:
        problems.append(_('no column of dates: name the column of days "date"'))
    return meaning, readings, problems


def parse_events(
    data: bytes,
    *,
    child: Child,
    name: str = EVENTS_FILE,
    choices: Choices | None = None,
    sheet: int = 0,
) -> Parsed:
    choices = choices or Choices()
    parsed, table = opened(name, data, sheet)
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
            if any(character.isalpha() for character in text) and not TIME.fullmatch(text):
                ended.append(f"{table.header[index]}: {text}")  # "after lunch": kept
                by_index[index].add(line, text, "no time; kept in the notes")
                return None
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


def trigger_sheet(name: str, data: bytes) -> tuple[int, str] | None:
    """A workbook's sheet of triggers beside its days (a "Triggers" tab): a later sheet with a
    column of dates and one of trigger types or details. Its index and name, or None."""
    for index, (sheet, header) in enumerate(sheet_headers(name, data)):
        targets = {words.header_target(cell, words.EVENT_HEADERS) for cell in header}
        if index and "date" in targets and targets & {"type", "detail"}:
            return index, sheet
    return None
