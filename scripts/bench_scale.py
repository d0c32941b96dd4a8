"""The bench at world scale: PostgreSQL and Redis, two app servers behind nginx, 10,000 children.

    .venv/bin/python scripts/bench_scale.py [--children 10000] [--doc docs/benchmarks.md]
    make bench-scale

OMS is rare: every family in the world that keeps this diary is tens of thousands of children.
This runs the same measures as scripts/bench.py on the deployment of `make cluster`
(scripts/cluster.py: PostgreSQL, Redis as the shared cache, two gunicorn servers of one sync
worker each, nginx in front, all on 127.0.0.1), twice:

1. with the bench's own families (200 families, 2 children each, 5 years, written through the
   ORM as scripts/bench.py writes them): 400 children;
2. then with children added until there are --children (their 5 years of days written with
   PostgreSQL's COPY from the same diaries, then ANALYZE), the same pages measured again.

It prints, and with --doc writes: the bench's table at --children; each page's share of bare
beside the SQLite run's (read from the doc's bench table) and at 400 children; query counts and
median latency at --children against 400 (within 20%); the budgets at --children; and the plan
(EXPLAIN ANALYZE) of each page's heaviest query with nothing cached, which must use indexes
only. `--quick` (a few children, 1 s runs) is for the test suite and never writes the doc.
"""

import argparse
import dataclasses
import datetime
import json
import logging
import re
import secrets
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bench
from cluster import Cluster
from serving import code_version, machine, setup_django, write_doc

DOC_BEGIN = "<!-- bench-scale:begin -->"
DOC_END = "<!-- bench-scale:end -->"
SERVERS = 2
WORKERS_EACH = 1  # two servers of one worker: the SQLite run's two workers, on two servers
MIN_SHARE_AT_SCALE = {
    "form": 0.30,
    "dashboard": 0.30,
    "chart-cached": 0.30,
    "save": 0.08,
    "history": 0.20,
    "table": 0.10,
}
MAX_DRIFT = 0.20  # latency at scale within 20% of 400 children's
SCAN_NODES = ("Seq Scan", "Parallel Seq Scan")


# --- the world's children, written with COPY ---------------------------------------------------


def copy_value(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def diary_lines(diary: list, start: datetime.date, child, fields: list) -> list[str]:
    """Each day of a diary as the tail of a COPY line (everything after the child and users)."""
    now = datetime.datetime.now(datetime.UTC).isoformat()
    lines = []
    for plan in diary:
        entry = plan.entry(child, start + datetime.timedelta(days=plan.day), None, None)
        values = [now if f.name in ("created_at", "updated_at") else f.value_from_object(entry)
                  for f in fields]  # fmt: skip
        lines.append("\t".join(copy_value(value) for value in values) + "\n")
    return lines


def rebuilt_after_load(cursor, table: str) -> tuple[list[str], list[str]]:
    """The statements that drop `table`'s indexes and its unique and foreign-key constraints
    before a bulk load, and those that make them again, as they were, after it.

    Each row COPY writes would otherwise be written into every index as it comes, and would
    queue three checks of its foreign keys (Django makes them DEFERRABLE INITIALLY DEFERRED)
    to run one by one at commit; an index built at once from the whole table, and a foreign
    key checked by one join, are many times faster. The primary key stays (other tables'
    foreign keys hang on it), and so do the CHECKs, cheap on each row."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
        [table],
    )
    constraints = cursor.fetchall()  # the unique ones first
    cursor.execute(
        "SELECT index.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class index ON index.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY index.relname",
        [table],
    )
    indexes = cursor.fetchall()
    drop = [f'ALTER TABLE {table} DROP CONSTRAINT "{name}"' for name, _ in constraints]
    drop += [f'DROP INDEX "{name}"' for name, _ in indexes]
    make = [definition for _, definition in indexes]
    make += [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {how}' for name, how in constraints]
    return drop, make


# COPY streams at once, each on its own connection: a stream is one core's work in PostgreSQL
# (parsing and writing rows), so two use both cores of the machine.
STREAMS = 2


def copy_days(kids: list, users: list, diaries: list, columns: str) -> int:
    """Each child's diary into journal_dailyentry with COPY, streamed: the lines of a child are
    made as COPY takes them (the diaries' days joined with its ids), never all held at once.
    The children are shared among STREAMS connections, each one COPY in its own transaction.
    The days written."""
    from django.db import connections

    def stream(part: int) -> int:
        written = 0
        statement = f"COPY journal_dailyentry ({columns}) FROM STDIN"
        try:
            with connections["default"].cursor() as cursor, cursor.cursor.copy(statement) as copy:
                for n in range(part, len(kids), STREAMS):
                    lines = diaries[n % len(diaries)]
                    user = users[n // 2].pk
                    prefix = f"{kids[n].pk}\t{user}\t{user}\t"
                    copy.write(prefix + prefix.join(lines))
                    written += len(lines)
                    if part == 0 and n % 1000 < STREAMS:
                        print(f"    {n:,} children copied", flush=True)
        finally:
            connections["default"].close()  # this thread's own
        return written

    with ThreadPoolExecutor(STREAMS) as pool:
        return sum(pool.map(stream, range(STREAMS)))


# The world's children with a possible-relapse rule of their own, and its numbers: a slower
# rule (a larger rise, a longer run), as a family whose child's scores swing might agree on.
OWN_RULE_EVERY = 5
OWN_RULE = {"score_rise": 4, "raised_run": 4}
# The language each family's account chose, in turn: most read the journal in their browser's.
LANGUAGE_CHOSEN = ("", "", "", "", "", "", "", "es", "fr", "de")


def add_world(children: int, years: float, password_hash: str) -> tuple[int, float, int]:
    """`children` more children in families of two, each with `years` of days written by COPY;
    (entries written, seconds taken, children with their own possible-relapse rule in all).

    The day table's indexes and foreign keys are dropped, the days copied, then the indexes
    built and the keys checked again (each build with PostgreSQL's parallel workers), as they
    were. The COPY streams can't share a transaction with the DDL (they would wait on its lock),
    so a failure halfway leaves the table without them: this is the bench's own throwaway
    database, and the bench stops. Then VACUUM (ANALYZE): the planner's statistics, and the
    visibility map that a database of this age would have from autovacuum (without it, every
    index scan would also read the table's pages to learn whether their rows are visible)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from journal.models import Child, DailyEntry, Membership, RelapseSettings, Role
    from journal.profiles import Profile

    began = time.monotonic()
    days = round(years * 365.25)
    today = timezone.now().astimezone(bench.zoneinfo.ZoneInfo(bench.TIME_ZONE)).date()
    start = today - datetime.timedelta(days=days - 1)
    User = get_user_model()
    families = (children + 1) // 2
    head = ["child_id", "created_by_id", "updated_by_id"]
    fields = [
        f for f in DailyEntry._meta.concrete_fields if not f.primary_key and f.column not in head
    ]
    table = DailyEntry._meta.db_table
    with transaction.atomic():
        users = User.objects.bulk_create(
            (User(username=f"world-{n:05d}", password=password_hash) for n in range(families)),
            batch_size=2000,
        )
        kids = Child.objects.bulk_create(
            (
                Child(
                    name=bench.NAMES[n % len(bench.NAMES)],
                    birth_date=start - datetime.timedelta(days=300 + n % 700),
                    time_zone=bench.TIME_ZONE,
                )
                for n in range(children)
            ),
            batch_size=2000,
        )
        Membership.objects.bulk_create(
            (Membership(child=kid, user=users[n // 2], role=Role.OWNER)
             for n, kid in enumerate(kids)),
            batch_size=2000,
        )  # fmt: skip
        # Every account that has logged in has a profile (the login keeps its browser's
        # language), read with the user on every page: the table holds a row per family here,
        # as a live one does, and is searched by the user's key.
        Profile.objects.bulk_create(
            (
                Profile(user=user, browser_language="en", language=LANGUAGE_CHOSEN[n % 10])
                for n, user in enumerate(users)
            ),
            batch_size=2000,
        )
        # Families change the possible-relapse rule's numbers with their neurologist: every
        # OWN_RULE_EVERY-th child has its own, so that the table every page of a child reads
        # with it holds rows, as a live one does, and is searched by the child's key.
        RelapseSettings.objects.bulk_create(
            (
                RelapseSettings(child=kid, updated_by=users[n // 2], **OWN_RULE)
                for n, kid in enumerate(kids)
                if n % OWN_RULE_EVERY == 0
            ),
            batch_size=2000,
        )
        with connection.cursor() as cursor:
            drop, make = rebuilt_after_load(cursor, table)
            for statement in drop:
                cursor.execute(statement)
    diaries = [diary_lines(bench.diary(seed * 10, days), start, kids[0], fields)
               for seed in range(8)]  # fmt: skip
    with connection.cursor() as cursor:
        # Checkpoints every 8 GB of WAL rather than every 1 GB: a few gigabytes copied then cost
        # no checkpoints halfway, and no full pages written again after each. It only makes a
        # crash's recovery longer.
        cursor.execute("ALTER SYSTEM SET max_wal_size = '8GB'")
        cursor.execute("SELECT pg_reload_conf()")
    copied = time.monotonic()
    written = copy_days(kids, users, diaries, ", ".join(head + [f.column for f in fields]))
    print(f"    {written:,} days copied in {time.monotonic() - copied:.0f} s", flush=True)
    built = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for statement in make:
            cursor.execute(statement)
    print(f"    indexes and keys made again in {time.monotonic() - built:.0f} s", flush=True)
    vacuumed = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute("ANALYZE")
    print(f"    vacuumed and analyzed in {time.monotonic() - vacuumed:.0f} s", flush=True)
    return written, time.monotonic() - began, RelapseSettings.objects.count()


# --- the plans ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Plan:
    page: str
    sql: str
    ms: float
    scans: tuple[str, ...]  # "Index Scan on journal_dailyentry", ...

    @property
    def indexes_only(self) -> bool:
        return not any(scan.startswith(SCAN_NODES) for scan in self.scans)


def plan_nodes(node: dict) -> list[str]:
    found = []
    if "Relation Name" in node:
        found.append(f"{node['Node Type']} on {node['Relation Name']}")
    for child in node.get("Plans", ()):
        found += plan_nodes(child)
    return found


def heaviest_plans(username: str, paths) -> list[Plan]:
    """For each page, drawn with nothing cached: the plan of its slowest SELECT."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = bench.test_client(username)
    plans = []
    for page, (method, path, htmx) in bench.query_pages(paths).items():
        cache.clear()
        form = bench.saved_form(client, path) if method == "POST" else None
        with CaptureQueriesContext(connection) as queries:
            if form is None:
                client.get(path, headers={"HX-Request": "true"} if htmx else {})
            else:
                client.post(path, form, headers={"HX-Request": "true"})
        explained = []
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                (result,) = cursor.fetchone()
            top = (json.loads(result) if isinstance(result, str) else result)[0]
            explained.append(Plan(page, sql, top["Execution Time"], tuple(plan_nodes(top["Plan"]))))
        plans.append(max(explained, key=lambda plan: plan.ms))
    return plans


# --- the report --------------------------------------------------------------------------------


def sqlite_shares(doc: Path) -> dict[str, float]:
    """Each row's share of bare in the SQLite bench's table of the doc, by its label."""
    text = doc.read_text() if doc.exists() else ""
    if bench.DOC_BEGIN not in text:
        return {}
    table = text.split(bench.DOC_BEGIN, 1)[1].split(bench.DOC_END, 1)[0]
    shares = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) > 4 and re.fullmatch(r"\d\.\d+", cells[4]):
            shares[cells[0]] = float(cells[4])
    return shares


def comparison_table(small, large, sqlite: dict, children: int) -> tuple[str, list]:
    few = small.data.children + 1  # the month child too
    lines = [
        f"| request | share of bare, SQLite, {few} | share, {few} | share, {children:,} | "
        f"p50 ms, {few} | p50 ms, {children:,} | queries, {few} | queries, {children:,} | "
        "within 20% |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    problems = []
    for key, label, run_key, page, _ in bench.ROWS:
        before, after = small.runs.get(run_key or ""), large.runs.get(run_key or "")
        if before is None or after is None or key == "bare":
            continue
        queries_before = bench.query_cell(small.queries_years, page)
        queries_after = bench.query_cell(large.queries_years, page)
        # Latency on a shared machine moves by a millisecond either way: a page is within 20%
        # when its median is, or is within a millisecond of it.
        near = after.p50_ms <= before.p50_ms * (1 + MAX_DRIFT) or after.p50_ms - before.p50_ms < 1
        same = queries_before == queries_after
        if not (near and same):
            problems.append(label)
        lines.append(
            f"| {label} | {sqlite.get(label, float('nan')):.3f} | {small.share(key):.3f} | "
            f"{large.share(key):.3f} | {before.p50_ms:.1f} | {after.p50_ms:.1f} | "
            f"{queries_before} | {queries_after} | {bench.yes(near and same)} |"
        )
    return "\n".join(lines).replace("| nan |", "| \N{EN DASH} |"), problems


def plans_table(plans: list[Plan]) -> str:
    lines = [
        "| page | heaviest query, ms | its scans | indexes only |",
        "|---|--:|---|---|",
    ]
    for plan in plans:
        scans = "; ".join(dict.fromkeys(plan.scans)) or "no table"
        lines.append(f"| {plan.page} | {plan.ms:.2f} | {scans} | {bench.yes(plan.indexes_only)} |")
    return "\n".join(lines)


def scale_budgets(large, children: int) -> tuple[str, list]:
    lines = ["| budget | measured | met |", "|---|---|---|"]
    met = []
    for key, least in MIN_SHARE_AT_SCALE.items():
        label = next(label for k, label, *_ in bench.ROWS if k == key)
        share = large.share(key)
        ok = share is not None and share >= least
        met.append(ok)
        shown = f"{share:.3f}" if share is not None else "not run"
        lines.append(f"| {label}, {children:,} children: at least {least:.2f} of bare | "
                     f"{shown} | {bench.yes(ok)} |")  # fmt: skip
    return "\n".join(lines), met


def report(args, small, large, plans, world, sqlite, began) -> str:
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    comparison, drifted = comparison_table(small, large, sqlite, args.children)
    budgets, met = scale_budgets(large, args.children)
    written, seconds, own_rules = world
    drift = "all within 20%" if not drifted else "drifted: " + ", ".join(drifted)
    problems = small.problems + large.problems
    return "\n".join(
        [
            f"Last run: {when}, code at {code_version()}, {time.monotonic() - began:.0f} s in all.",
            "",
            f"Machine: {machine('postgresql')}. PostgreSQL and Redis on 127.0.0.1; wrk "
            f"(-t{bench.THREADS} -c{args.connections}, {args.seconds:g} s a run) through nginx "
            f"to {SERVERS} gunicorn servers of {WORKERS_EACH} sync worker each. "
            f"{bench.repeats_said(args.repeats)}",
            "",
            f"Data: {args.children:,} children in all: the bench's {large.data.children} with "
            f"{args.years:g} years each and one with a month (as in the SQLite run), then the "
            f"others, their {written:,} daily entries written with COPY in {seconds:.0f} s; "
            f"{own_rules:,} children with their own possible-relapse rule. "
            f"The pages are measured on the same child at {large.data.children + 1} children "
            f"and at {args.children:,}.",
            "",
            f"At {args.children:,} children:",
            "",
            bench.main_table(large),
            "",
            f"Runs: {'every response checked and good' if not problems else problems[:5]}.",
            "",
            f"Against {small.data.children + 1} children, and the SQLite run's shares of bare "
            f"(from the table above in this file): {drift}.",
            "",
            comparison,
            "",
            budgets,
            "",
            f"Budgets met: {sum(met)} of {len(met)}.",
            "",
            f"The heaviest query of each page drawn with nothing cached, at {args.children:,} "
            "children (EXPLAIN ANALYZE):",
            "",
            plans_table(plans),
        ]
    )


def with_versions_now(data: "bench.DataSet") -> "bench.DataSet":
    """The data set with the versions of the days the saves and the API's PUTs change, as the
    first round left them: each starts from the version its day holds, not one it held."""
    from journal.models import DailyEntry

    child_ids = {child_id for child_id, _, _ in (*data.save_targets, *data.put_targets)}
    versions = {
        (child_id, day): version
        for child_id, day, version in DailyEntry.objects.filter(child_id__in=child_ids).values_list(
            "child_id", "date", "version"
        )
    }

    def now(targets):
        return tuple(
            (child_id, day, versions[child_id, datetime.date.fromisoformat(day)])
            for child_id, day, _ in targets
        )

    return dataclasses.replace(
        data, save_targets=now(data.save_targets), put_targets=now(data.put_targets)
    )


def quiet_request_log() -> None:
    """The servers log each request to their own files; this process's test client need not."""
    logging.getLogger("journal.requests").setLevel(logging.WARNING)


# --- main --------------------------------------------------------------------------------------


def measure(args, data, cluster) -> "bench.Results":
    """The bench's runs through nginx, then its in-process figures, starting from an empty
    cache: the shared cache would otherwise hold the first round's charts for the second."""
    from django.core.cache import cache
    from django.db import connection

    cache.clear()
    with connection.cursor() as cursor:
        # What the seeding or the COPY wrote goes to disk now, not by a checkpoint spread over
        # the next minutes, through the runs measured.
        cursor.execute("CHECKPOINT")
    results = bench.run_everything(args, data, cluster.nginx_port, cluster.folder)
    bench.in_process(results, args)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=10_000, help="children in all (10,000)")
    parser.add_argument("--years", type=float, default=5, help="years of history a child (5)")
    parser.add_argument("--seconds", type=float, default=10, help="length of each load run")
    parser.add_argument("--connections", type=int, default=8, help="wrk's connections (8)")
    parser.add_argument("--repeats", type=int, default=3, help=bench.REPEATS_HELP)
    parser.add_argument("--doc", type=Path, help="write the tables into this Markdown file")
    parser.add_argument(
        "--families",
        type=int,
        default=200,
        help="the bench's families, 2 children each, written through the ORM (200: the SQLite "
        "run's); the other children are written with COPY",
    )
    parser.add_argument("--quick", action="store_true", help="a check that it works")
    args = parser.parse_args()
    args.cold_samples, args.lighthouse = 10, None
    if args.quick:
        if args.doc:
            parser.error("--quick figures are no benchmark: it never writes --doc")
        args.families, args.children, args.years, args.seconds = 4, 40, 1, 2
        args.connections, args.cold_samples, args.repeats = 2, 3, 1
    for tool in ("wrk", "redis-server", "nginx"):
        if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
            parser.error(f"{tool} is missing: make system-deps installs it")

    began = time.monotonic()
    cluster = Cluster(SERVERS, WORKERS_EACH, settings=bench.SETTINGS_MODULE, recycle=False)
    try:
        cluster.start_postgres()
        cluster.start_redis()
        setup_django(cluster.env, cluster.folder)
        quiet_request_log()
        from django.contrib.auth.hashers import make_password

        data = bench.seed(args.families, args.years, password=secrets.token_urlsafe(12))
        print(f"Seeded {data.children} children ({time.monotonic() - began:.0f} s).", flush=True)
        for n in range(SERVERS):
            cluster.start_server(n)
        cluster.start_nginx()
        print(f"At {data.children + 1} children:", flush=True)
        small = measure(args, data, cluster)
        more = args.children - data.children - 1
        print(f"Adding {more:,} children with COPY:", flush=True)
        world = add_world(more, args.years, make_password(data.password))
        print(f"  {world[0]:,} days in {world[1]:.0f} s. At {args.children:,} children:")
        large = measure(args, with_versions_now(data), cluster)
        from journal.models import Child

        paths = bench.Paths(data.child, Child.objects.get(pk=data.child).today().isoformat())
        plans = heaviest_plans(data.owner, paths)
        from django.db import connection

        connection.close()
    finally:
        cluster.stop()
    doc = args.doc or Path(bench.ROOT / "docs" / "benchmarks.md")
    block = report(args, small, large, plans, world, sqlite_shares(doc), began)
    print()
    print(block)
    if args.doc:
        write_doc(args.doc, block, DOC_BEGIN, DOC_END)
        print(f"Wrote the tables to {args.doc}.")
    bad_plans = [plan.page for plan in plans if not plan.indexes_only]
    if bad_plans:
        print("Pages whose heaviest query scans a whole table: " + ", ".join(bad_plans))
    return 1 if small.problems or large.problems else 0


if __name__ == "__main__":
    sys.exit(main())
