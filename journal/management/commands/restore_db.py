"""Put a backup made by backup_db back in place: `python manage.py restore_db FILE [--noinput]`.

FILE must pass SQLite's integrity check and be a database of this app (it has Django's
migrations table and the journal's tables, and no migration this code doesn't know). A copy of
the current database is kept beside it first (`<name>.before-restore-<UTC time>.sqlite3`).

The backup is copied into the live database with SQLite's online backup API rather than by
renaming files: a running server's open connections then see the restored journal at once,
instead of writing on into a file that has been replaced under them.
"""

import datetime
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from journal.management.commands.backup_db import (
    copy_database,
    integrity_problems,
    is_sqlite_file,
    live_database_for,
    open_existing,
    row_counts,
    same_file,
    write_counts,
)

APP_TABLES = ("django_migrations", "auth_user", "journal_child", "journal_dailyentry")


def _has_data_version(db: sqlite3.Connection) -> bool:
    return any(row[1] == "data_version" for row in db.execute("PRAGMA table_info(journal_child)"))


def highest_data_version(live: Path, *, timeout: float) -> int:
    """The highest data version of any child in the live database, 0 if there is none."""
    if not live.exists():
        return 0
    db = sqlite3.connect(live, timeout=timeout)
    try:
        if not _has_data_version(db):
            return 0
        return db.execute("SELECT COALESCE(MAX(data_version), 0) FROM journal_child").fetchone()[0]
    finally:
        db.close()


def move_data_versions_past(db: sqlite3.Connection, passed: int) -> None:
    """Raise the restored children's data versions past every version the live database had.

    Charts are cached under (child, data version). The backup's children have versions that
    the live journal may have passed since, with other data: without this, a running server
    could serve a chart of the days that were just restored away.
    """
    if passed and _has_data_version(db):
        with db:
            db.execute("UPDATE journal_child SET data_version = data_version + ?", (passed,))


def check_backup(path: Path, *, timeout: float) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """The backup's row counts and applied migrations; CommandError if it can't be restored."""
    if not path.is_file():
        raise CommandError(f"There is no file at {path}.")
    if not is_sqlite_file(path):
        raise CommandError(f"{path} is not a SQLite database: nothing was changed.")
    try:
        db = open_existing(path, timeout=timeout, read_only=True)
        try:
            problems = integrity_problems(db)
            if problems:
                raise CommandError(
                    f"{path} fails SQLite's integrity check, so it was not restored: "
                    + "; ".join(problems[:5])
                )
            counts = row_counts(db)
            missing = [table for table in APP_TABLES if table not in counts]
            if missing:
                raise CommandError(
                    f"{path} is a SQLite database, but not one of OMS Journal "
                    f"(no {', '.join(missing)} table): nothing was changed."
                )
            applied = set(db.execute("SELECT app, name FROM django_migrations"))
        finally:
            db.close()
    except sqlite3.Error as error:
        raise CommandError(f"{path} can't be read as a SQLite database: {error}") from error
    return counts, applied


def counted(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


class Command(BaseCommand):
    help = (
        "Replace the SQLite database with a backup made by backup_db, after checking the "
        "backup and keeping a copy of the current database beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup to restore.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Don't ask for confirmation (for scripts).",
        )

    def handle(self, *args, file: str, interactive: bool, **options):
        live, timeout = live_database_for("restore")
        backup = Path(file).expanduser().resolve()
        if same_file(backup, live):
            raise CommandError(f"{backup} is the live database itself.")
        counts, applied = check_backup(backup, timeout=timeout)

        loader = MigrationLoader(None, ignore_no_migrations=True)
        known_apps = {app for app, _ in loader.disk_migrations}
        unknown = sorted(
            (app, name)
            for app, name in applied
            if app in known_apps and (app, name) not in loader.disk_migrations
        )
        if unknown:
            raise CommandError(
                f"{backup} was made by a newer version of OMS Journal (migrations "
                f"{', '.join(f'{app}.{name}' for app, name in unknown)} are unknown here): "
                "upgrade the app first, then restore."
            )
        behind = set(loader.disk_migrations) - applied

        self.stdout.write(
            f"{backup} passes the integrity check: "
            f"{counted(counts['journal_dailyentry'], 'daily entry', 'daily entries')}, "
            f"{counted(counts['journal_child'], 'child', 'children')}, "
            f"{counted(counts['auth_user'], 'account', 'accounts')}."
        )
        if interactive:
            answer = self.ask(
                f"This replaces everything in {live} with it; a copy of the current database "
                "is kept first. Type 'yes' to continue, or anything else to cancel: "
            )
            if answer != "yes":
                raise CommandError("Restore cancelled: nothing was changed.")

        passed_versions = highest_data_version(live, timeout=timeout)
        connection.close()
        if live.exists():
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
            safety = live.with_name(f"{live.stem}.before-restore-{stamp}{live.suffix}")
            _, problems = copy_database(live, safety, timeout=timeout, require_sound=False)
            self.stdout.write(f"Kept a copy of the current database at {safety}.")
            if problems:
                self.stdout.write(
                    self.style.WARNING(
                        "(It fails the integrity check, as a damaged database would: "
                        + "; ".join(problems[:3])
                        + ")"
                    )
                )
        elif not live.parent.is_dir():
            raise CommandError(f"The folder of the database, {live.parent}, does not exist.")

        try:
            source = open_existing(backup, timeout=timeout, read_only=True)
            try:
                target = sqlite3.connect(live, timeout=timeout)
                try:
                    source.backup(target)
                    move_data_versions_past(target, passed_versions)
                    problems = integrity_problems(target)
                    restored = row_counts(target)
                finally:
                    target.close()
            finally:
                source.close()
        except sqlite3.Error as error:
            raise CommandError(f"The restore failed: {error}") from error
        if problems:
            raise CommandError(f"The restored database fails its check: {'; '.join(problems)}")

        self.stdout.write(self.style.SUCCESS(f"Restored {backup} into {live}; integrity ok."))
        if behind:
            self.stdout.write(
                self.style.WARNING(
                    "The backup is from an older version of the app: run "
                    "`python manage.py migrate` now."
                )
            )
        if options["verbosity"] >= 1:
            self.stdout.write("Rows per table:")
            write_counts(self.stdout, restored)

    def ask(self, question: str) -> str:
        try:
            return input(question).strip().lower()
        except EOFError:
            raise CommandError(
                "No answer (standard input is closed): nothing was changed. "
                "Pass --noinput to restore without asking."
            ) from None
