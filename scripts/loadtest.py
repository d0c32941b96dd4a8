"""Load test: many caregivers reading and saving at once, against gunicorn on 127.0.0.1.

    .venv/bin/python scripts/loadtest.py [--seconds 30] [--connections 16] [--workers 3]
                                         [--doc docs/reliability.md]
    make loadtest

It builds a throwaway SQLite database (or, with --postgres, uses the empty PostgreSQL database in
$DATABASE_URL, as `scripts/with-postgres` provides): the demo family, plus one caregiver per
connection with a child of their own and four weeks of history. The first quarter of the
caregivers (at least two) also join the demo child's care team. It serves the app with gunicorn
on a free port of 127.0.0.1 with DEBUG off, logs every caregiver in (real login forms, with
CSRF), then for --seconds keeps --connections sessions busy, each sending its next request as soon
as the last is answered: reads (today's form, history, the child's page, triggers) and htmx
saves of the daily entry, each caregiver on their own child's days, and the sharing caregivers
also on the demo child's same day, all at once, so that some saves meet the conflict check. A
caregiver whose save is refused as a conflict saves again once, from the version the refusal
showed ("Save mine over theirs").

Then it stops the server and checks, reading the database directly:
- no response was a 5xx, and every response was the expected one;
- every save answered "Saved" is in the database with the values sent, or was overwritten by
  a later save that started from its version: no two saves of a day were both accepted from
  the same version (no lost update);
- every save not answered "Saved" was answered 409 with "changed by ... while you were editing",
  and the day had indeed moved on.
It prints the requests, requests per second and p50/p99 latency per kind of request, writes them
to --doc if given, and exits 1 if a check fails. The load stays on 127.0.0.1 and stops by itself.
"""

import argparse
import dataclasses
import datetime
import math
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

from serving import (
    HOST,
    SETTINGS_MODULE,
    Reply,
    Session,
    code_version,
    collect_static,
    free_port,
    hidden_value,
    machine,
    percentile,
    run_env,
    setup_django,
    start_server,
    stop_server,
    write_doc,
)

CONFLICT_TEXT = "while you were editing"
SAVED_TEXT = "Saved at"
SHARED_FRACTION = 4  # one caregiver in four also logs the demo child's days
OWN_HISTORY_DAYS = 28
READS = ("form", "history", "child", "triggers")
DOC_BEGIN = "<!-- loadtest:begin -->"
DOC_END = "<!-- loadtest:end -->"

# --- the database ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Caregiver:
    username: str
    own_child: int
    own_days: tuple[str, ...]  # days to save, newest first: four weeks logged, then older
    shared: bool


@dataclasses.dataclass(frozen=True)
class Plan:
    password: str
    caregivers: tuple[Caregiver, ...]
    shared_child: int
    shared_day: str


def prepare(connections: int, password: str) -> Plan:
    """Migrate, seed the demo family and one family per connection, collect static files."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from journal.models import Child, DailyEntry, Membership, Role

    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
        call_command("seed_demo", password=password, stdout=quiet)
    collect_static()
    maya = Child.objects.get(name="Maya")
    hashed = make_password(password)  # once: hashing is slow on purpose
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            username=f"load-{n:02d}", email=f"load-{n:02d}@example.org", password=hashed
        )
        for n in range(connections)
    )
    caregivers = []
    sharing = max(2, connections // SHARED_FRACTION)
    for n, user in enumerate(users):
        child = Child.objects.create(
            name=f"Child {n:02d}",
            birth_date=datetime.date.today() - datetime.timedelta(days=4 * 365),
            time_zone="Europe/London",
        )
        Membership.objects.create(child=child, user=user, role=Role.OWNER)
        today = child.today()
        DailyEntry.objects.bulk_create(
            DailyEntry(
                child=child,
                date=today - datetime.timedelta(days=d),
                opsoclonus=d % 4,
                myoclonus=(d // 2) % 4,
                sleep_hours=Decimal("9.5"),
                created_by=user,
                updated_by=user,
            )
            for d in range(OWN_HISTORY_DAYS)
        )
        shared = n < sharing
        if shared:
            Membership.objects.create(child=maya, user=user, role=Role.CAREGIVER)
        days = (today - datetime.timedelta(days=d) for d in range(3 * 365))
        caregivers.append(
            Caregiver(user.username, child.pk, tuple(day.isoformat() for day in days), shared)
        )
    plan = Plan(password, tuple(caregivers), maya.pk, maya.today().isoformat())
    connection.close()
    return plan


def stored_entries(keys) -> dict[tuple[int, str], dict]:
    """The entries of the given (child id, day) pairs as the database holds them now."""
    from journal.models import DailyEntry

    # The children's entries, picked here: one OR per day would pass SQLite's limit of 1000.
    wanted = set(keys)
    entries = DailyEntry.objects.filter(child_id__in={child_id for child_id, _ in wanted})
    return {
        key: {
            **{field: getattr(entry, field) for field in RATINGS},
            "sleep_hours": entry.sleep_hours,
            "night_wakings": entry.night_wakings,
            "notes": entry.notes,
            "version": entry.version,
        }
        for entry in entries
        if (key := (entry.child_id, entry.date.isoformat())) in wanted
    }


# --- one caregiver's session -------------------------------------------------------------------


@dataclasses.dataclass
class Save:
    username: str
    child_id: int
    day: str
    sent_version: int
    values: dict
    outcome: str  # "saved", "conflict" or "other"
    version_after: int | None = None  # the saved version, or the one the conflict showed
    retry: bool = False


RATINGS = ("opsoclonus", "myoclonus", "ataxia", "sleep", "rage")


def random_values(rng: random.Random, note: str) -> dict:
    values = {field: rng.choice(["", "0", "1", "2", "3"]) for field in RATINGS}
    values["sleep_hours"] = str(rng.randrange(24, 53) / 4)  # 6 to 13 hours, in quarters
    values["night_wakings"] = str(rng.randrange(0, 6))
    values["notes"] = note
    return values


def save_day(
    session: Session, saves: list, username: str, child_id: int, day: str, values: dict, think
) -> None:
    """Open the day's form, then save it with htmx; after a conflict, save mine once more."""
    path = f"/children/{child_id}/entries/{day}/"
    text = session.page("form", path)
    if text is None:
        return
    token, version = hidden_value(text, "csrfmiddlewaretoken"), hidden_value(text, "version")
    think()
    retry = False
    while True:
        sent = int(version or 0)
        form = {"csrfmiddlewaretoken": token, "version": version or "", "date": day, **values}
        status, text = session.request("save", "POST", path, form, htmx=True)
        after = hidden_value(text, "version") if text else None
        save = Save(username, child_id, day, sent, values, "other", retry=retry)
        saves.append(save)
        if status == 200 and SAVED_TEXT in text and after:
            save.outcome, save.version_after = "saved", int(after)
            session.replies[-1].kind = "save"
            return
        if status == 409 and CONFLICT_TEXT in text and after:
            save.outcome, save.version_after = "conflict", int(after)
            session.replies[-1].kind = "conflict"
            if retry:
                return
            retry, version = True, after
            continue
        session.fail(f"POST {path}: {status}, neither saved nor a conflict")
        return


def run_session(
    caregiver: Caregiver,
    plan: Plan,
    port: int,
    start: threading.Barrier,
    deadline: list[float],
    seed: int,
    results: dict,
) -> None:
    rng = random.Random(seed)  # noqa: S311 - a load mix, not a secret
    session = Session(port, timeout=30)
    saves: list[Save] = []
    results[caregiver.username] = (session, saves)
    logged_in = False
    try:
        logged_in = session.log_in(caregiver.username, plan.password)
    finally:
        start.wait()  # every session logged in (or failed to) before the clock starts
    if not logged_in:
        return
    try:
        load(session, saves, caregiver, plan, deadline, rng)
    except Exception as error:  # a bug here must show in the report, not end a thread quietly
        session.replies.append(Reply("crash", 0, 0, repr(error)))
    finally:
        session.connection.close()


def load(session, saves, caregiver: Caregiver, plan: Plan, deadline, rng) -> None:
    days = iter(caregiver.own_days)
    children = [caregiver.own_child] + ([plan.shared_child] * caregiver.shared)
    n = 0
    while time.monotonic() < deadline[0]:
        n += 1
        note = f"{caregiver.username} save {n}"
        roll = rng.random()
        if caregiver.shared and roll < 0.3:
            # Several caregivers on the same day of the same child, each taking a moment to tap.
            save_day(
                session,
                saves,
                caregiver.username,
                plan.shared_child,
                plan.shared_day,
                random_values(rng, note),
                think=lambda: time.sleep(rng.uniform(0, 0.2)),
            )
        elif roll < 0.5:
            day = next(days)
            values = random_values(rng, note)
            save_day(
                session, saves, caregiver.username, caregiver.own_child, day, values, lambda: None
            )
        else:
            child = rng.choice(children)
            kind = rng.choice(READS)
            path = {
                "form": f"/children/{child}/entries/{plan.shared_day}/",
                "history": f"/children/{child}/entries/",
                "child": f"/children/{child}/",
                "triggers": f"/children/{child}/events/",
            }[kind]
            session.page(kind, path)


def run_load(plan: Plan, port: int, seconds: float, seed: int) -> tuple[list[Reply], list, float]:
    """All sessions log in, then load the server together for `seconds`."""
    results: dict = {}
    deadline = [math.inf]
    start = threading.Barrier(len(plan.caregivers) + 1)
    threads = [
        threading.Thread(
            target=run_session,
            args=(caregiver, plan, port, start, deadline, seed + n, results),
            daemon=True,
        )
        for n, caregiver in enumerate(plan.caregivers)
    ]
    for thread in threads:
        thread.start()
    start.wait(timeout=120)
    began = time.monotonic()
    deadline[0] = began + seconds
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.monotonic() - began
    replies = [reply for session, _ in results.values() for reply in session.replies]
    saves = [save for _, saves in results.values() for save in saves]
    return replies, saves, elapsed


# --- the checks --------------------------------------------------------------------------------


def expected(values: dict) -> dict:
    return {
        **{field: int(values[field]) if values[field] else None for field in RATINGS},
        "sleep_hours": Decimal(values["sleep_hours"]),
        "night_wakings": int(values["night_wakings"]),
        "notes": values["notes"],
    }


def check(replies: list[Reply], saves: list[Save], plan: Plan) -> tuple[list[str], list[str]]:
    """(what was checked, what is wrong): the responses, then the saves against the database."""
    problems = [
        f"{reply.kind}: {reply.problem or reply.status}" for reply in replies if reply.problem
    ]
    server_errors = sum(1 for reply in replies if reply.status >= 500)
    saved = [save for save in saves if save.outcome == "saved"]
    conflicts = [save for save in saves if save.outcome == "conflict"]
    others = [save for save in saves if save.outcome == "other"]

    by_day: dict[tuple[int, str], list[Save]] = {}
    for save in saved:
        by_day.setdefault((save.child_id, save.day), []).append(save)
    stored = stored_entries(by_day)
    found, lost = 0, 0
    for key, accepted in by_day.items():
        row = stored.get(key)
        if row is None:
            problems.append(f"child {key[0]}, {key[1]}: saved, but not in the database")
            continue
        accepted.sort(key=lambda save: save.version_after)
        bases = [save.sent_version for save in accepted]
        if len(set(bases)) != len(bases):
            lost += len(bases) - len(set(bases))
            problems.append(f"child {key[0]}, {key[1]}: two saves accepted from one version")
        for save in accepted:
            if save.version_after != save.sent_version + 1:
                problems.append(
                    f"child {key[0]}, {key[1]}: saved from version {save.sent_version} "
                    f"as version {save.version_after}"
                )
        last = accepted[-1]
        if row["version"] != last.version_after:
            problems.append(f"child {key[0]}, {key[1]}: the database has a version no save made")
        elif {name: row[name] for name in expected(last.values)} != expected(last.values):
            problems.append(f"child {key[0]}, {key[1]}: the database differs from the last save")
        else:
            found += 1
        # Each accepted save but the last was the starting point of the next one: seen, not lost.
        overwritten = {save.version_after for save in accepted[:-1]}
        if not overwritten <= set(bases):
            problems.append(f"child {key[0]}, {key[1]}: a save was overwritten unseen")
    for save in conflicts:
        if save.version_after == save.sent_version:
            problems.append(f"child {save.child_id}, {save.day}: a conflict with no change")
        if save.child_id != plan.shared_child:
            problems.append(f"child {save.child_id}, {save.day}: a conflict on one's own child")

    checked = [
        f"5xx responses: {server_errors}",
        f"unexpected responses: {len([r for r in replies if r.problem])}",
        f"saves answered Saved: {len(saved)}, on {len(by_day)} days; each day in the database "
        f"as last saved: {found} of {len(by_day)}",
        f"saves answered 409 'changed by ... {CONFLICT_TEXT}': {len(conflicts)} "
        f"({sum(save.retry for save in saves)} saves were 'save mine' after a conflict)",
        f"saves answered otherwise: {len(others)}",
        f"lost updates (two saves of a day accepted from the same version): {lost}",
    ]
    if server_errors:
        problems.append(f"{server_errors} responses were 5xx")
    return checked, problems


# --- the report --------------------------------------------------------------------------------


def table(replies: list[Reply], elapsed: float) -> str:
    """Requests, requests per second and latency per kind, as a Markdown table."""
    kinds = ["form", "history", "child", "triggers", "save", "conflict"]
    rows = [
        "| request | count | req/s | p50 ms | p99 ms | errors |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    timed = [reply for reply in replies if reply.kind != "login"]
    labels = {"save": "save (Saved)", "conflict": "save (409 conflict)", "form": "entry form"}
    for kind in [*kinds, "all"]:
        chosen = [r for r in timed if kind in ("all", r.kind)]
        if not chosen:
            continue
        times = [r.seconds * 1000 for r in chosen]
        errors = sum(1 for r in chosen if r.problem or r.status >= 500)
        rows.append(
            f"| {labels.get(kind, kind)} | {len(chosen)} | {len(chosen) / elapsed:.1f} | "
            f"{percentile(times, 50):.0f} | {percentile(times, 99):.0f} | {errors} |"
        )
    return "\n".join(rows)


def summary(args, vendor, load_before, replies, elapsed, checked, problems) -> str:
    """The run's figures and checks, in Markdown."""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    logins = [reply.seconds * 1000 for reply in replies if reply.kind == "login"]
    result = "passed" if not problems else "FAILED: " + "; ".join(problems[:5])
    return "\n".join(
        [
            f"Last run: {when}, code at {code_version()}; {args.seconds:g} s at "
            f"{args.connections} connections; gunicorn with {args.workers} sync workers; "
            f"{vendor}.",
            "",
            f"Machine: {machine(vendor)}. The client runs on it too; the load average was "
            f"{load_before:.1f} before the run began.",
            "",
            table(replies, elapsed),
            "",
            f"- logins through the login form, before the clock started: {len(logins) // 2} "
            f"(GET and POST: p50 {percentile(logins, 50):.0f} ms, "
            f"p99 {percentile(logins, 99):.0f} ms)",
            *(f"- {line}" for line in checked),
            "",
            f"Result: {result}.",
        ]
    )


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of the load (30)")
    parser.add_argument("--connections", type=int, default=16, help="sessions at once (16)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (3)")
    parser.add_argument("--seed", type=int, default=2024, help="random seed of the mix")
    parser.add_argument("--doc", type=Path, help="write the figures into this Markdown file")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="use the empty PostgreSQL database in $DATABASE_URL (scripts/with-postgres)",
    )
    args = parser.parse_args()
    if args.connections < 2:
        parser.error("--connections must be at least 2, so that two caregivers share a day")
    if args.postgres and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("--postgres needs DATABASE_URL=postgres://... (see scripts/with-postgres)")

    load_before = os.getloadavg()[0]  # what else the machine is doing
    with tempfile.TemporaryDirectory(prefix="oms-loadtest-") as tmp:
        folder = Path(tmp)
        (folder / "loadtest_settings.py").write_text(
            SETTINGS_MODULE.format(static_root=str(folder / "static"))
        )
        database = (
            os.environ["DATABASE_URL"] if args.postgres else f"sqlite:///{folder}/load.sqlite3"
        )
        env = run_env(folder, "loadtest_settings", database)
        setup_django(env, folder)
        from django.db import connection

        began = time.monotonic()
        plan = prepare(args.connections, password=secrets.token_urlsafe(12))
        sharing = sum(c.shared for c in plan.caregivers)
        print(
            f"Prepared {connection.vendor} with {len(plan.caregivers)} caregivers "
            f"({sharing} also on the demo child's team) in {time.monotonic() - began:.1f} s."
        )
        port = free_port()
        log = folder / "gunicorn.log"
        server = start_server(env, port, args.workers, log)
        try:
            print(
                f"gunicorn, {args.workers} sync workers, on http://{HOST}:{port}: logging in, "
                f"then {args.seconds:g} s at {args.connections} connections."
            )
            replies, saves, elapsed = run_load(plan, port, args.seconds, args.seed)
        finally:
            stop_server(server)
        checked, problems = check(replies, saves, plan)

        block = summary(args, connection.vendor, load_before, replies, elapsed, checked, problems)
        print()
        print(block)
        if problems:
            print("\nProblems:", *problems[:30], sep="\n  ")
            if any(reply.status >= 500 for reply in replies):
                print("\nThe server's log ends with:\n" + log.read_text()[-4000:])
        if args.doc:
            write_doc(args.doc, block, DOC_BEGIN, DOC_END)
            print(f"\nWrote the figures to {args.doc}.")
        connection.close()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
