"""Copy the SQLite database while the app runs: `python manage.py backup_db FILE`.

SQLite's online backup API (`sqlite3.Connection.backup`) copies the whole database in one step,
inside one read transaction: the copy is the database at one moment, with every save committed
before that moment and none half-written, while caregivers go on saving (WAL lets them). The copy
is written to a temporary file beside FILE, checked (`PRAGMA integrity_check`), and only then
renamed to FILE, so FILE is never a half-written backup.

restore_db uses the same helpers. PostgreSQL has its own tools: see the README's "Backups".
"""

import datetime
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

SQLITE_HEADER = b"SQLite format 3\x00"
DEFAULT_TIMEOUT = 20  # seconds to wait for a lock, as the app's own connections do

POSTGRES_ADVICE = {
    "backup": (
        'pg_dump --format=custom --file=oms-journal.dump "$DATABASE_URL"',
        "backup_db",
    ),
    "restore": (
        'pg_restore --clean --if-exists --dbname="$DATABASE_URL" oms-journal.dump',
        "restore_db",
    ),
}


def live_database_for(action: str) -> tuple[Path, float]:
    """The path of the app's SQLite database and its lock timeout; CommandError otherwise."""
    recipe, command = POSTGRES_ADVICE[action]
    if connection.vendor != "sqlite":
        raise CommandError(
            f"{command} works on SQLite only, and this database is {connection.display_name} "
            f"(DATABASE_URL). Use PostgreSQL's own tool instead: {recipe} "
            '(see "Backups" in the README).'
        )
    name = connection.settings_dict["NAME"]
    if not name or connection.is_in_memory_db():
        raise CommandError(f"{command}: the database is in memory; there is no file to copy.")
    timeout = float(connection.settings_dict.get("OPTIONS", {}).get("timeout", DEFAULT_TIMEOUT))
    return Path(name).resolve(), timeout


def is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def open_existing(path: Path, *, timeout: float, read_only: bool = False) -> sqlite3.Connection:
    """A connection to a database file that must already exist (never creates an empty one)."""
    mode = "ro" if read_only else "rw"
    return sqlite3.connect(f"{path.as_uri()}?mode={mode}", uri=True, timeout=timeout)


def integrity_problems(db: sqlite3.Connection) -> list[str]:
    """What `PRAGMA integrity_check` and `foreign_key_check` find wrong; empty when sound."""
    problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
    if problems == ["ok"]:
        problems = []
    problems += [
        f"row {rowid} of {table} points at a missing row of {parent}"
        for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check")
    ]
    return problems


def row_counts(db: sqlite3.Connection) -> dict[str, int]:
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    counts = {}
    for table in tables:
        # A name from the database's own catalogue, quoted as an identifier.
        query = f"SELECT count(*) FROM {quoted(table)}"  # noqa: S608  # nosec B608
        counts[table] = db.execute(query).fetchone()[0]
    return counts


def quoted(identifier: str) -> str:
    """A table name from the database's own catalogue, quoted as an SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def copy_database(
    source: Path, target: Path, *, timeout: float, require_sound: bool = True
) -> tuple[dict[str, int], list[str]]:
    """Copy `source` to `target` with the online backup API, via a temporary file and a rename.

    Returns the copy's row count per table and its integrity problems. With `require_sound`
    (backups), a copy with problems is thrown away and `target` is left as it was; without (the
    safety copy restore_db makes of a database that may be damaged), it is kept all the same.
    """
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    os.close(handle)
    temporary = Path(temporary)
    try:
        src = open_existing(source, timeout=timeout)
        try:
            dst = sqlite3.connect(temporary)
            try:
                src.backup(dst)  # pages=-1: all of it in one step, so one consistent moment
                # One self-contained file, whatever the live database's journal mode.
                dst.execute("PRAGMA journal_mode=DELETE")
                problems = integrity_problems(dst)
                if problems and require_sound:
                    raise CommandError(
                        "The copy failed its integrity check; nothing was written to "
                        f"{target}: " + "; ".join(problems[:5])
                    )
                counts = row_counts(dst)
            finally:
                dst.close()
        finally:
            src.close()
        with temporary.open("rb+") as file:
            os.fsync(file.fileno())
        temporary.replace(target)
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except sqlite3.Error as error:
        raise CommandError(f"Could not copy {source} to {target}: {error}") from error
    finally:
        temporary.unlink(missing_ok=True)
    return counts, problems


def same_file(a: Path, b: Path) -> bool:
    return a == b or (a.exists() and b.exists() and a.samefile(b))


def write_counts(stdout, counts: dict[str, int]) -> None:
    width = max((len(table) for table in counts), default=0)
    for table, rows in counts.items():
        stdout.write(f"  {table:<{width}}  {rows:>8}")


def human_size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"


class Command(BaseCommand):
    help = (
        "Copy the SQLite database to FILE while the app runs (SQLite's online backup API), "
        "check the copy's integrity and print its row counts. FILE may be a folder: the copy "
        "is then named oms-journal-<UTC date and time>.sqlite3 in it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the copy (replaced if it exists).")

    def handle(self, *args, file: str, **options):
        source, timeout = live_database_for("backup")
        if not is_sqlite_file(source):
            raise CommandError(f"There is no SQLite database at {source} to back up.")
        target = Path(file).expanduser().resolve()
        if target.is_dir():
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
            target = target / f"oms-journal-{stamp}.sqlite3"
        if not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist.")
        if any(same_file(target, Path(f"{source}{end}")) for end in ("", "-wal", "-shm")):
            raise CommandError(f"{target} is the live database itself: pick another file.")

        began = time.monotonic()
        counts, _ = copy_database(source, target, timeout=timeout)
        seconds = time.monotonic() - began
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {source} to {target} ({human_size(target)}, {seconds:.2f} s); "
                "integrity check ok."
            )
        )
        if options["verbosity"] >= 1:
            self.stdout.write("Rows per table in the copy:")
            write_counts(self.stdout, counts)
