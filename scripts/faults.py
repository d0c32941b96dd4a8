"""Faults survived: saves through two app servers while PostgreSQL restarts and Redis stops.

    .venv/bin/python scripts/faults.py [--seconds 40] [--connections 4] [--doc docs/reliability.md]

On the deployment of `make cluster` (scripts/cluster.py: PostgreSQL, Redis, two gunicorn
servers, nginx in front, on 127.0.0.1), each of --connections caregivers saves days of their own
child through nginx, one after another, and opens the child's dashboard between saves, for
--seconds. Meanwhile, at a fifth of the time PostgreSQL is restarted (a fast shutdown, then a
start), and at two fifths Redis is stopped, until four fifths. Nothing else is touched: the app
servers are never restarted.

A caregiver does what the page tells them: a save answered "Saved" is done; a save refused (503
"nothing was saved", 502 from nginx, or no answer in time) keeps what was typed and is sent
again, the same form from the same version, after a second. A resend of a save that had in
fact been stored is refused as a conflict (409), showing the caregiver's own values: nothing is
written twice.

Then it checks, reading the database: every save answered "Saved" is stored as sent, at the
version it was answered with (none lost); no day moved by more than one version for one save
(none doubled); no response was a 500; no request took longer than the servers' timeout;
after the faults, saves are stored again and the cache is used again. It prints the figures and
with --doc writes them to that file; it exits 1 when a check fails.
"""

import argparse
import dataclasses
import datetime
import logging
import random
import secrets
import sys
import threading
import time
from pathlib import Path

from cluster import Cluster
from loadtest import CONFLICT_TEXT, SAVED_TEXT, expected, random_values, stored_entries
from serving import (
    Session,
    code_version,
    collect_static,
    hidden_value,
    machine,
    percentile,
    setup_django,
    write_doc,
)

DOC_BEGIN = "<!-- faults:begin -->"
DOC_END = "<!-- faults:end -->"
REFUSED = (0, 502, 503, 504)
RESEND_AFTER_SECONDS = 1.0
TIMEOUT_SECONDS = 30  # gunicorn's timeout (gunicorn.conf.py); nginx waits 35 s
CLIENT_TIMEOUT_SECONDS = 40


@dataclasses.dataclass
class Intent:
    """One save a caregiver means to make, and what became of it."""

    child_id: int
    day: str
    values: dict
    base_version: int = -1
    sent: int = 0  # POSTs sent for it
    refused: int = 0
    outcome: str = "pending"  # "saved", "already" (a resend found it stored), "given up"
    version_after: int | None = None


@dataclasses.dataclass
class Caregiver:
    username: str
    child_id: int
    days: list[str]
    intents: list[Intent] = dataclasses.field(default_factory=list)
    statuses: list[tuple[float, str, int, float]] = dataclasses.field(default_factory=list)
    login_problem: str = ""


def prepare(cluster: Cluster, connections: int, password: str) -> list[Caregiver]:
    """Migrate, then one caregiver per connection, each with a child and no entries yet."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from journal.models import Child, Membership, Role

    call_command("migrate", verbosity=0)
    collect_static()
    hashed = make_password(password)
    caregivers = []
    for n in range(connections):
        user = get_user_model().objects.create(username=f"fault-{n:02d}", password=hashed)
        child = Child.objects.create(
            name=f"Child {n:02d}",
            birth_date=datetime.date.today() - datetime.timedelta(days=3 * 365),
            time_zone="Europe/London",
        )
        Membership.objects.create(child=child, user=user, role=Role.OWNER)
        today = child.today()
        days = [(today - datetime.timedelta(days=d)).isoformat() for d in range(2 * 365)]
        caregivers.append(Caregiver(user.username, child.pk, days))
    connection.close()
    return caregivers


class Clock:
    def __init__(self):
        self.restart()

    def restart(self) -> None:
        self.began = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self.began


def send(session: Session, caregiver: Caregiver, clock: Clock, kind: str, method, path, form=None):
    began = clock.now()
    status, text = session.request(kind, method, path, form, htmx=form is not None)
    caregiver.statuses.append((began, kind, status, clock.now() - began))
    return status, text


def save(session: Session, caregiver: Caregiver, intent: Intent, clock: Clock, deadline) -> None:
    """Open the day's form (again while refused), then save it, resending while refused."""
    path = f"/children/{intent.child_id}/entries/{intent.day}/"
    while clock.now() < deadline + 30:
        status, text = send(session, caregiver, clock, "form", "GET", path)
        if status == 200:
            break
        time.sleep(RESEND_AFTER_SECONDS)
    else:
        intent.outcome = "given up"
        return
    token, version = hidden_value(text, "csrfmiddlewaretoken"), hidden_value(text, "version")
    intent.base_version = int(version or 0)
    form = {"csrfmiddlewaretoken": token, "version": version or "", "date": intent.day}
    form |= intent.values
    while clock.now() < deadline + 30:
        intent.sent += 1
        status, text = send(session, caregiver, clock, "save", "POST", path, form)
        if status == 200 and SAVED_TEXT in text:
            intent.outcome, intent.version_after = "saved", int(hidden_value(text, "version"))
            return
        if status == 409 and CONFLICT_TEXT in text:
            intent.outcome = "already"  # stored by an earlier send whose answer was lost
            intent.version_after = int(hidden_value(text, "version") or -1)
            return
        intent.refused += 1
        time.sleep(RESEND_AFTER_SECONDS)
    intent.outcome = "given up"


def run_caregiver(caregiver: Caregiver, port: int, password: str, clock, deadline, start):
    session = Session(port, timeout=CLIENT_TIMEOUT_SECONDS)
    try:
        logged_in = session.log_in(caregiver.username, password)
    finally:
        start.wait()
    if not logged_in:
        reply = session.replies[-1]
        caregiver.statuses.append((0.0, "login", reply.status, 0.0))
        caregiver.login_problem = reply.problem or str(reply.status)
        return
    days = iter(caregiver.days)
    rng = random.Random(caregiver.child_id)  # noqa: S311 - a load mix, not a secret
    while clock.now() < deadline:
        intent = Intent(caregiver.child_id, next(days), random_values(rng, secrets.token_hex(6)))
        caregiver.intents.append(intent)
        save(session, caregiver, intent, clock, deadline)
        send(session, caregiver, clock, "dashboard", "GET", f"/children/{caregiver.child_id}/")


def faults(cluster: Cluster, clock: Clock, seconds: float, events: list) -> None:
    """PostgreSQL restarted at a fifth of the time; Redis down from two fifths to four."""
    steps = [
        (seconds / 5, "PostgreSQL restart", cluster.restart_postgres),
        (2 * seconds / 5, "Redis stopped", cluster.stop_redis),
        (4 * seconds / 5, "Redis started", cluster.start_redis),
    ]
    for at, name, action in steps:
        time.sleep(max(0.0, at - clock.now()))
        began = clock.now()
        action()
        events.append((began, clock.now(), name))


# --- the checks and the report -----------------------------------------------------------------


def check(caregivers: list[Caregiver], cluster: Cluster, events) -> tuple[list[str], list[str]]:
    intents = [intent for c in caregivers for intent in c.intents]
    statuses = [status for c in caregivers for status in c.statuses]
    problems = []
    done = [i for i in intents if i.outcome in ("saved", "already")]
    stored = stored_entries({(i.child_id, i.day) for i in intents})
    kept, lost, doubled = 0, 0, 0
    for intent in intents:
        row = stored.get((intent.child_id, intent.day))
        if row is not None and row["version"] != intent.base_version + 1:
            doubled += 1
            problems.append(
                f"child {intent.child_id}, {intent.day}: version {row['version']} after one save "
                f"from {intent.base_version}: written twice"
            )
        elif intent in done and (
            row is None
            or {name: row[name] for name in expected(intent.values)} != expected(intent.values)
        ):
            lost += 1
            problems.append(f"child {intent.child_id}, {intent.day}: answered done, not stored")
        elif intent in done:
            kept += 1
    server_errors = [s for s in statuses if s[2] >= 500 and s[2] not in REFUSED]
    slowest = max((s[3] for s in statuses), default=0)
    if server_errors:
        problems.append(f"{len(server_errors)} responses were 5xx other than 502-504")
    if slowest > TIMEOUT_SECONDS + 1:
        problems.append(f"a request took {slowest:.1f} s, past the {TIMEOUT_SECONDS} s timeout")
    refused_logins = [s for s in statuses if s[1] == "login"]
    if refused_logins:
        first = next(c.login_problem for c in caregivers if c.login_problem)
        problems.append(f"{len(refused_logins)} caregivers could not log in (first: {first})")
    given_up = [i for i in intents if i.outcome == "given up"]
    if given_up:
        problems.append(f"{len(given_up)} saves still refused at the end")
    last_fault = max(end for _, end, _ in events)
    after = [s for s in statuses if s[0] > last_fault + 2 and s[1] == "save" and s[2] == 200]
    if not after:
        problems.append("no save stored after the faults: no recovery")
    cache_keys = cluster_cache_keys(cluster)
    if not cache_keys:
        problems.append("Redis holds nothing after it came back: the cache is not used again")
    health = cluster_health(cluster)
    if health != {"status": "ok", "database": "ok", "cache": "ok"}:
        problems.append(f"health after the faults: {health}")
    checked = [
        f"saves sent (POSTs, resends included): {sum(i.sent for i in intents)}",
        f"saves meant (each a day of a caregiver's own child): {len(intents)}",
        f"answered Saved: {sum(i.outcome == 'saved' for i in intents)}",
        f"refused (503 'nothing was saved', 502, 504 or no answer), the form kept and resent: "
        f"{sum(i.refused for i in intents)} refusals of {sum(i.refused > 0 for i in intents)} "
        f"saves",
        f"resends that found the save already stored (409, nothing written twice): "
        f"{sum(i.outcome == 'already' for i in intents)}",
        f"stored as sent, one version each: {kept} of {len(done)} saves answered done; "
        f"lost: {lost}; doubled: {doubled}",
        f"still refused when the load ended: {len(given_up)}; unfinished: "
        f"{sum(i.outcome == 'pending' for i in intents)}",
        f"500 responses: {len(server_errors)}; the slowest request: {slowest:.1f} s "
        f"(timeout {TIMEOUT_SECONDS} s)",
        f"saves stored in the last seconds, after every fault: {len(after)}; Redis keys "
        f"after it came back: {cache_keys}; /health/ after: {health}",
        "app servers restarted: none",
    ]
    return checked, problems


def cluster_cache_keys(cluster: Cluster) -> int:
    import redis

    return redis.Redis(port=cluster.redis_port).dbsize()


def cluster_health(cluster: Cluster) -> dict:
    import json

    _, body = Session(cluster.nginx_port, timeout=10).exchange("GET", "/health/")
    return json.loads(body)


def phases_table(caregivers: list[Caregiver], events, seconds: float) -> str:
    """What the servers answered in each phase of the run."""
    bounds = [0.0] + [at for at, _, _ in events] + [seconds]
    names = ["before", *(name for _, _, name in events)]
    statuses = [s for c in caregivers for s in c.statuses]
    lines = [
        "| phase | from s | requests | saves stored | refused | 500 | p50 ms | p99 ms |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for n, name in enumerate(names):
        first, last = bounds[n], bounds[n + 1]
        chosen = [s for s in statuses if first <= s[0] < last]
        if not chosen:
            continue
        times = [s[3] * 1000 for s in chosen]
        label = {"Redis started": "Redis back", "PostgreSQL restart": "PostgreSQL restart"}
        lines.append(
            f"| {label.get(name, name)} | {first:.0f} | {len(chosen)} | "
            f"{sum(1 for s in chosen if s[1] == 'save' and s[2] == 200)} | "
            f"{sum(1 for s in chosen if s[2] in REFUSED)} | "
            f"{sum(1 for s in chosen if s[2] == 500)} | {percentile(times, 50):.0f} | "
            f"{percentile(times, 99):.0f} |"
        )
    return "\n".join(lines)


def report(args, caregivers, events, checked, problems) -> str:
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    downtime = "; ".join(f"{name} at {began:.1f} s (took {end - began:.1f} s)"
                         for began, end, name in events)  # fmt: skip
    result = "passed" if not problems else "FAILED: " + "; ".join(problems[:5])
    return "\n".join(
        [
            f"Last run: {when}, code at {code_version()}; {args.seconds:g} s of saves by "
            f"{args.connections} caregivers through nginx to 2 gunicorn servers (2 sync workers "
            f"each), PostgreSQL and Redis, all on 127.0.0.1.",
            "",
            f"Machine: {machine('postgresql')}.",
            "",
            f"Faults: {downtime}.",
            "",
            phases_table(caregivers, events, args.seconds),
            "",
            *(f"- {line}" for line in checked),
            "",
            f"Result: {result}.",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40, help="length of the load (40)")
    parser.add_argument("--connections", type=int, default=4, help="caregivers at once (4)")
    parser.add_argument("--doc", type=Path, help="write the figures into this Markdown file")
    args = parser.parse_args()
    password = secrets.token_urlsafe(12)
    cluster = Cluster(servers=2, workers=2)
    try:
        cluster.start_postgres()
        cluster.start_redis()
        setup_django(cluster.env, cluster.folder)
        logging.getLogger("journal.requests").setLevel(logging.WARNING)
        caregivers = prepare(cluster, args.connections, password)
        for n in range(len(cluster.server_ports)):
            cluster.start_server(n)
        cluster.start_nginx()
        clock, events = Clock(), []
        # The clock starts when every caregiver is logged in, before any of them goes on.
        start = threading.Barrier(len(caregivers) + 1, action=clock.restart)
        threads = [
            threading.Thread(
                target=run_caregiver,
                args=(c, cluster.nginx_port, password, clock, args.seconds, start),
                daemon=True,
            )
            for c in caregivers
        ]
        for thread in threads:
            thread.start()
        start.wait(timeout=300)
        faults(cluster, clock, args.seconds, events)
        for thread in threads:
            thread.join(timeout=args.seconds + 90)
        checked, problems = check(caregivers, cluster, events)
        if problems:
            for name in ("nginx-error.log", "gunicorn-0.log", "gunicorn-1.log", "pg.log"):
                print(f"--- the end of {name}:\n{cluster.log(name)[-1500:]}")
        from django.db import connection

        connection.close()
    finally:
        cluster.stop()
    block = report(args, caregivers, events, checked, problems)
    print(block)
    if problems:
        print("\nProblems:", *problems[:30], sep="\n  ")
    if args.doc:
        write_doc(args.doc, block, DOC_BEGIN, DOC_END)
        print(f"\nWrote the figures to {args.doc}.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
