"""An uploaded file as a table of text: CSV (any delimiter, with or without a byte-order mark),
Excel .xlsx or LibreOffice .ods, whichever it is, and only if it is what its name says.

A workbook is a zip: what it unpacks to, and the rows and columns read, are bounded before
anything is read from it, and python-calamine reads the values the spreadsheet saved, never
evaluating a formula. Cells come out as text a family could have typed in a CSV file: a date
cell as YYYY-MM-DD, a whole number without ".0", so that one reader reads every kind of file.
"""

import csv
import datetime
import io
import itertools
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from .columns import unguarded

MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # a 5-year diary's workbook unpacks to about 2 MB
MAX_MEMBERS = 500  # files inside a workbook's zip; an ordinary one has a dozen or two
MAX_ROWS = 10_000  # a 5-year diary is some 1,900 days
MAX_COLUMNS = 60
MAX_SHEETS = 20
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
KINDS = {".csv": "CSV", ".txt": "CSV", ".tsv": "CSV", ".xlsx": "Excel", ".ods": "OpenDocument"}


class FileProblem(Exception):
    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line, self.message = line, message


@dataclass
class Table:
    """The header's column names, and each row that is not blank with its line in the file
    (a CSV file's first line of the row; a sheet's row number)."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def read_table(name: str, data: bytes, sheet: int = 0) -> Table:
    """The file's table (a workbook's `sheet`-th sheet that holds anything), whatever kind of
    file it is; FileProblem if it can't be read as its name says."""
    if not data.strip():
        raise FileProblem(None, _("the file is empty."))
    suffix = PurePath(name).suffix.casefold()
    zipped = data[:4] == b"PK\x03\x04"
    if suffix == ".xls":
        raise FileProblem(
            None, _('this is an old Excel file (.xls): save it as "Excel Workbook (.xlsx)".')
        )
    if suffix in (".xlsx", ".ods"):
        if not zipped:
            raise FileProblem(
                None,
                _(
                    "this file is named %(suffix)s but is not a %(kind)s spreadsheet: save it "
                    "again from the spreadsheet as one."
                )
                % {"suffix": suffix, "kind": KINDS[suffix]},
            )
        sheets = workbook_sheets(suffix, data)
        return with_header(sheets[sheet][1] if sheet < len(sheets) else [])
    if zipped:
        raise FileProblem(
            None,
            "this file is a spreadsheet workbook or a zip, not CSV text: name it .xlsx or .ods "
            "as it is, or save it as CSV.",
        )
    return with_header(csv_rows(data))


# --- CSV ----------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The file's text: UTF-8, with or without a byte-order mark."""
    if b"\0" in data:
        raise FileProblem(None, "this is not a CSV text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        # Excel on Windows saves "CSV" in the computer's code page: Western European, mostly.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise FileProblem(
            line,
            _(
                "the file is not UTF-8 text. Save it from the spreadsheet as "
                '"CSV UTF-8" (Excel) or "Text CSV" with the character set "Unicode (UTF-8)".'
            ),
        ) from None


def delimiter_of(first_line: str) -> str:
    # Spreadsheets in many European languages save "CSV" with semicolons.
    for mark in (",", ";", "\t"):
        if mark in first_line:
            return mark
    return ","


def csv_rows(data: bytes) -> list[tuple[int, list[str]]]:
    text = decode(data)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter_of(text.split("\n", 1)[0]), strict=True
    )
    rows, line = [], 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((line, cells))
                if len(rows) > MAX_ROWS + 1:
                    raise FileProblem(line, too_many_rows())
            line = reader.line_num + 1
    except csv.Error as error:
        raise FileProblem(
            line, _("the file can't be read as CSV here (%(error)s).") % {"error": error}
        ) from None
    return rows


def too_many_rows() -> str:
    return _(
        "the file has more than %(rows)s rows: split it into a few files of some years "
        "each and import them one after the other."
    ) % {"rows": f"{MAX_ROWS:,}"}


# --- workbooks ----------------------------------------------------------------------------------


def checked_zip(suffix: str, data: bytes) -> None:
    """Refuse a workbook that is not of its kind, or that would unpack to too much."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileProblem(
            None, _("this %(suffix)s file is damaged: save it again.") % {"suffix": suffix}
        ) from None
    names = {member.filename for member in members}
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise FileProblem(
            None,
            _("this workbook unpacks to more than %(most)s MB.")
            % {"most": MAX_UNPACKED_BYTES // 2**20},
        )
    kind = None
    if "xl/workbook.xml" in names:
        kind = ".xlsx"
    elif "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
        kind = ".ods"
    if kind != suffix:
        raise FileProblem(
            None,
            (
                _(
                    "this file is named %(suffix)s but is a %(kind)s spreadsheet: name it as "
                    "what it is, or save it again."
                )
                if kind
                else _(
                    "this file is named %(suffix)s but is not a spreadsheet: name it as what it "
                    "is, or save it again."
                )
            )
            % {"suffix": suffix, "kind": KINDS.get(kind, "")},
        )


def workbook_sheets(suffix: str, data: bytes) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    """Each sheet that holds anything: its name, and its rows of text."""
    checked_zip(suffix, data)
    found = []
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for index in range(min(len(book.sheet_names), MAX_SHEETS)):
            rows = sheet_rows(book.get_sheet_by_index(index))
            if rows:
                found.append((book.sheet_names[index], rows))
    except FileProblem:
        raise
    except Exception as error:
        # CalamineError and its kin, or whatever else a damaged file makes the reader raise:
        # an untrusted file that can't be read is the family's problem to hear of, not a 500.
        raise FileProblem(
            None,
            _("this %(suffix)s file can't be read (%(error)s).")
            % {"suffix": suffix, "error": error},
        ) from None
    return found


def sheet_headers(name: str, data: bytes) -> list[tuple[str, list[str]]]:
    """A workbook's sheets that hold anything, by name with their headers; none for CSV."""
    suffix = PurePath(name).suffix.casefold()
    if suffix not in (".xlsx", ".ods") or data[:4] != b"PK\x03\x04":
        return []
    try:
        sheets = workbook_sheets(suffix, data)
        return [(sheet, with_header(rows).header) for sheet, rows in sheets]
    except FileProblem:
        return []


def sheet_rows(sheet) -> list[tuple[int, list[str]]]:
    """Each row that is not blank, with its row number, its cells as text; MAX_ROWS at most."""
    rows = []
    first = sheet.start[0] + 1 if sheet.start else 1
    for number, values in enumerate(sheet.iter_rows(), start=first):
        cells = [cell_text(value) for value in itertools.islice(values, MAX_COLUMNS + 1)]
        if any(cells):
            rows.append((number, cells))
            if len(rows) > MAX_ROWS + 1:
                raise FileProblem(number, too_many_rows())
    return rows


def cell_text(value) -> str:
    """A saved cell's value as a family would type it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(round(value, 6))
    if isinstance(value, datetime.timedelta):
        return str(value)
    return str(value)


# --- the header ---------------------------------------------------------------------------------


def with_header(rows: list[tuple[int, list[str]]]) -> Table:
    if not rows:
        raise FileProblem(None, _("the file is empty."))
    while len(rows) > 1 and filled(rows[0][1]) == 1 and filled(rows[1][1]) > 1:
        rows = rows[1:]  # a title above the header, such as "Leo's diary 2025"
    (first, header), *body = rows
    header = [unguarded(name.strip()) for name in header]
    while (
        header
        and not header[-1]
        and not any(
            len(cells) >= len(header) and cells[len(header) - 1].strip() for _, cells in body
        )
    ):
        header.pop()  # a sheet's empty columns at the right
    if len(header) > MAX_COLUMNS:
        raise FileProblem(
            first, _("the file has more than %(most)s columns.") % {"most": MAX_COLUMNS}
        )
    for index, name in enumerate(header):
        if not name and any(index < len(cells) and cells[index].strip() for _, cells in body):
            header[index] = f"Column {index + 1}"  # a column of values the family left unnamed
    return Table(header, body)


def filled(cells: list[str]) -> int:
    return sum(1 for cell in cells if cell.strip())
