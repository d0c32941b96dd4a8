"""The exchange format's columns, and the guard that keeps a spreadsheet from running a cell.

A cell that starts with = + - @ (or a tab or carriage return) is a formula to a spreadsheet:
a note "=HYPERLINK(...)" would run when the file is opened. Such text is written with a leading
apostrophe, which spreadsheets show as text and the import takes off again. Text that itself
starts with an apostrophe gets a second one, so that every text survives the round trip.
"""

from journal.models import DailyEntry, TreatmentCourse, TriggerEvent
from journal.scales import CORE_FIELDS

ENTRY_COLUMNS: tuple[str, ...] = (
    "date",
    *CORE_FIELDS,
    *DailyEntry.DETAIL_FIELDS,
    *DailyEntry.OTHER_FIELDS,
)
EVENT_COLUMNS: tuple[str, ...] = ("date", "end_date", "type", "detail", "notes")
# Beyond the exchange format: written only when an event has a time, read when present.
EVENT_TIME_COLUMN = "time"
# The course's own fields, the drug by its name (the other drug's too), then the dose changes.
TREATMENT_COLUMNS: tuple[str, ...] = (
    "drug",
    *(name for name in TreatmentCourse.CAREGIVER_FIELDS if name not in ("drug", "drug_other")),
    "dose_changes",
)
EVENT_TYPES: tuple[str, ...] = tuple(TriggerEvent.Type.values)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def guarded(text: str) -> str:
    """The text as written to a cell: never read as a formula."""
    if text.startswith((*FORMULA_STARTS, GUARD)):
        return GUARD + text
    return text


def unguarded(text: str) -> str:
    """The text as it was before `guarded`."""
    if text.startswith(GUARD) and text[1:].startswith((*FORMULA_STARTS, GUARD)):
        return text[1:]
    return text
