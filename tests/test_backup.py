"""`manage.py backup_db` and `restore_db`, run as a caregiver's server would run them.

Every command runs in its own process against a real SQLite file (DATABASE_URL set per call),
not the test database, so these tests run the same on the PostgreSQL pass of `make test`.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Saves one day after another, each in its own transaction, through the ORM as the app does,
# and prints each one's number once it is committed. Stops when the stop file appears.
WRITER = """
import datetime, os, sys, time
import django
django.setup()
from django.db import transaction
from journal.models import Child, DailyEntry
child = Child.objects.create(name="Writer", birth_date=datetime.date(2000, 1, 1))
first_day = datetime.date(2020, 1, 1)
deadline = time.monotonic() + 60
n = 0
while not os.path.exists(sys.argv[1]) and time.monotonic() < deadline:
    with transaction.atomic():
        DailyEntry.objects.create(
            child=child, date=first_day - datetime.timedelta(days=n), notes=f"writer-{n}"
        )
    print(n, flush=True)
    n += 1
"""


def environment(db: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "omstracker.settings",
        "MPLCONFIGDIR": str(db.parent),
    }


def manage(db: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(db),
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def query(db: Path, sql: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db)) as connection, connection:
        return connection.execute(sql).fetchall()


def child_names(db: Path) -> list[str]:
    return [name for (name,) in query(db, "SELECT name FROM journal_child ORDER BY name")]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A migrated SQLite file with the demo family, copied by each test that needs one."""
    db = tmp_path_factory.mktemp("seeded") / "journal.sqlite3"
    ok(manage(db, "migrate", "--noinput", "--verbosity", "0"))
    ok(manage(db, "seed_demo", "--password", "a-long-test-password"))
    return db


@pytest.fixture
def live(seeded, tmp_path) -> Path:
    db = tmp_path / "live.sqlite3"
    for end in ("", "-wal"):  # seeded's processes have ended: no write is under way
        if Path(f"{seeded}{end}").exists():
            shutil.copy(f"{seeded}{end}", f"{db}{end}")
    return db


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_backup_taken_during_saves_holds_every_save_committed_before_it(live, tmp_path):
    stop = tmp_path / "stop"
    writer = subprocess.Popen(  # noqa: S603 - our own script
        [sys.executable, "-c", WRITER, str(stop)],
        cwd=ROOT,
        env=environment(live),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    committed: list[int] = []
    reader = threading.Thread(
        target=lambda: committed.extend(int(line) for line in writer.stdout), daemon=True
    )
    reader.start()
    try:
        wait_for(lambda: len(committed) >= 50 or writer.poll() is not None)
        before_backup = set(committed)
        backup = tmp_path / "backup.sqlite3"
        output = ok(manage(live, "backup_db", str(backup)))
        after_backup = len(committed)
        # The writer was not held up: it keeps saving after the backup.
        wait_for(lambda: len(committed) >= after_backup + 20 or writer.poll() is not None)
    finally:
        stop.touch()
        writer.wait(timeout=30)
        reader.join(timeout=5)
    assert writer.returncode == 0, writer.stderr.read()
    assert len(before_backup) >= 50

    assert "integrity check ok" in output
    assert backup.stat().st_mode & 0o077 == 0  # children's health records: the owner's only
    entries_in_copy = int(output.split("journal_dailyentry")[1].split()[0])

    fresh = tmp_path / "fresh.sqlite3"
    restored = ok(manage(fresh, "restore_db", str(backup), "--noinput"))
    assert "integrity ok" in restored
    assert query(fresh, "PRAGMA integrity_check") == [("ok",)]
    written = query(fresh, "SELECT notes FROM journal_dailyentry WHERE notes LIKE 'writer-%'")
    saves = {int(notes.removeprefix("writer-")) for (notes,) in written}
    # Every save committed before the backup began is in it ...
    assert before_backup <= saves
    # ... and the copy is one moment of the database: the writer's first saves, with no gap.
    assert saves == set(range(len(saves)))
    assert len(saves) <= len(committed)
    assert query(fresh, "SELECT count(*) FROM journal_dailyentry") == [(entries_in_copy,)]
    assert child_names(fresh) == ["Maya", "Writer"]


def test_restore_asks_first_and_keeps_a_copy_of_the_database_it_replaces(live, tmp_path):
    backup = tmp_path / "backup.sqlite3"
    ok(manage(live, "backup_db", str(backup)))
    query(live, "UPDATE journal_child SET name = 'Changed since'")

    refused = manage(live, "restore_db", str(backup), stdin="no\n")
    assert refused.returncode != 0
    assert "Restore cancelled: nothing was changed" in refused.stderr
    no_answer = manage(live, "restore_db", str(backup))  # standard input closed, as in cron
    assert "Pass --noinput" in no_answer.stderr
    assert child_names(live) == ["Changed since"]

    output = ok(manage(live, "restore_db", str(backup), stdin="yes\n"))
    assert "Type 'yes' to continue" in output
    assert child_names(live) == ["Maya"]
    (safety,) = tmp_path.glob("live.before-restore-*.sqlite3")
    assert str(safety) in output
    assert child_names(safety) == ["Changed since"]
    assert query(safety, "PRAGMA integrity_check") == [("ok",)]


def test_restored_children_get_data_versions_the_live_journal_never_had(live, tmp_path):
    """Charts are cached by data version: a version seen before the restore, with other data,
    must not come back."""
    backup = tmp_path / "backup.sqlite3"
    ok(manage(live, "backup_db", str(backup)))
    (backed_up,) = query(backup, "SELECT data_version FROM journal_child")[0]
    query(live, "UPDATE journal_child SET data_version = data_version + 5")  # five saves since
    ok(manage(live, "restore_db", "--noinput", str(backup)))
    (restored,) = query(live, "SELECT data_version FROM journal_child")[0]
    assert restored == backed_up + backed_up + 5


def test_restore_refuses_what_is_not_a_backup_of_this_app(live, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("Not a database, only words.\n" * 100)
    other = tmp_path / "other.sqlite3"
    query(other, "CREATE TABLE recipes (name TEXT)")
    future = tmp_path / "future.sqlite3"
    ok(manage(live, "backup_db", str(future)))
    query(
        future, "INSERT INTO django_migrations (app, name, applied) VALUES ('journal', '9999_x', 0)"
    )

    for path, message in [
        (text, "is not a SQLite database: nothing was changed"),
        (other, "not one of OMS Journal (no django_migrations, auth_user"),
        (future, "made by a newer version of OMS Journal (migrations journal.9999_x"),
        (tmp_path / "missing.sqlite3", "There is no file at"),
    ]:
        result = manage(live, "restore_db", str(path), "--noinput")
        assert result.returncode != 0
        assert message in result.stderr
    assert child_names(live) == ["Maya"]
    assert not list(tmp_path.glob("*before-restore*"))


def test_backup_refuses_to_write_over_the_live_database(live):
    result = manage(live, "backup_db", str(live))
    assert result.returncode != 0
    assert "is the live database itself" in result.stderr


@pytest.mark.parametrize(
    ("command", "advice"),
    [
        ("backup_db", 'pg_dump --format=custom --file=oms-journal.dump "$DATABASE_URL"'),
        ("restore_db", "pg_restore --clean --if-exists"),
    ],
)
def test_on_postgresql_the_commands_point_at_pg_dump_and_pg_restore(command, advice, tmp_path):
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", command, str(tmp_path / "x.sqlite3"), "--verbosity", "0"],
        cwd=ROOT,
        # Nothing listens there: the command must refuse before connecting.
        env={**environment(tmp_path / "x"), "DATABASE_URL": "postgres://nobody@127.0.0.1:9/x"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "works on SQLite only, and this database is PostgreSQL" in result.stderr
    assert advice in result.stderr
    assert 'see "Backups" in the README' in result.stderr
