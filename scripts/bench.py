"""Benchmark: each page's throughput against a bare Django view, its queries, bytes and Lighthouse.

    .venv/bin/python scripts/bench.py [--doc docs/benchmarks.md] [--lighthouse PATH]
    make bench

It seeds a throwaway SQLite database with a large data set (200 families, 2 children each, 5
years of daily entries with trigger events and treatment courses, written with bulk_create from
the demo's generators), collects the static files with the production storage (hashed names,
brotli and gzip) and serves the app with gunicorn (2 sync workers, DEBUG off) on 127.0.0.1. Then:

- throughput: wrk (-t2 -c8, --seconds each) on the bare view (`bench/bare/`, mounted only by
  scripts/bench_urls.py) and on each page, logged in through the real login form; requests per
  second, median and 99th-percentile latency, and the share of the bare view's requests per
  second, measured in the same run. Each page read is run --repeats times (3) and the median
  run kept; a save, a PUT and the first renders once. Each page read asks for gzip, as a
  browser does. Every response of every run is checked: its status and its content (each save
  must answer "Saved"); a compressed one, which wrk cannot unpack, by its gzip header and the
  size its gzip trailer gives, against a response the bench unpacked and checked itself.
- render times: a year's chart drawn cold (nothing cached for its child) and a year's PDF, timed
  in this process through Django's test client against the same database.
- SQL queries per page, for a child with 1 month and one with 5 years of history, first
  (nothing cached) and again (cached), through the test client.
- bytes on the wire for each page's first load with its CSS and JavaScript, and for each htmx
  fragment, asked for with `Accept-Encoding: br, gzip` as a browser does; and the static files'
  encodings and cache headers.
- Lighthouse (mobile) performance and accessibility of the today form and the dashboard.

It prints the tables with the budgets beside the figures and, with --doc, writes them between
the markers of that file. It exits 1 when a run went wrong (an error, a save not saved), not when
a budget is missed: the tables say so. `--quick` (a few families, 1 s runs, no Lighthouse) is
for the test suite and never writes the doc.
"""

import argparse
import dataclasses
import datetime
import gzip
import json
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import brotli
from serving import (
    HOST,
    ROOT,
    Session,
    code_version,
    collect_static,
    free_port,
    hidden_value,
    machine,
    run_env,
    setup_django,
    start_server,
    stop_server,
    write_doc,
)

DOC_BEGIN = "<!-- bench:begin -->"
DOC_END = "<!-- bench:end -->"
LUA = ROOT / "scripts" / "bench.lua"
WORKERS = 2
THREADS = 2
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
ACCEPT = {"Accept-Encoding": "br, gzip"}

# The run's settings: production, with its own static folder (collected with WhiteNoise's
# compressed manifest storage, as production's DEBUG-off settings choose) and the bench's URLs.
SETTINGS_MODULE = """\
from omstracker.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
ROOT_URLCONF = "bench_urls"
# The bench measures the API, not its rate limit (a count a window, the same cost at any limit).
API_RATE_LIMIT = "1000000000/hour"
"""

# --- the budgets (issue: fast on a phone and on the server) ------------------------------------

MIN_SHARE_OF_BARE = {
    "form": 0.15,
    "save": 0.10,
    "dashboard": 0.10,
    "chart-cached": 0.30,
    # 365 days of JSON (about 150 KB) each request, kept per version of the journal.
    "api-year": 0.05,
}
MAX_COLD_CHART_MS = 150
MAX_COLD_API_YEAR_MS = 60  # a year of days through the API, nothing cached (as after a save)
MAX_YEAR_PDF_MS = 1500
MAX_FORM_FIRST_LOAD = 40_000
MAX_SAVE_RESPONSE = 4_000
MAX_OFFLINE_FORM_MS = 1000
OFFLINE_RUNS = 5
MIN_LIGHTHOUSE = {"performance": 95, "accessibility": 100}


# --- the data set ------------------------------------------------------------------------------

NAMES = [
    "Maya",
    "Leo",
    "Ava",
    "Noah",
    "Isla",
    "Theo",
    "Lily",
    "Oscar",
    "Freya",
    "Arlo",
    "Ivy",
    "Finn",
    "Ella",
    "Jude",
    "Rosa",
    "Milo",
    "Nora",
    "Ezra",
    "Hana",
    "Otto",
    "Zoe",
    "Kai",
    "Lena",
    "Remy",
]
TIME_ZONE = "Europe/London"


@dataclasses.dataclass(frozen=True)
class DataSet:
    password: str
    owner: str  # owns the first family: the pages are measured on its first child
    reader: str  # a viewer on every child, for the cold charts (each request another child)
    child: int  # 5 years of history
    month_child: int  # 1 month of history
    month_owner: str
    other_children: tuple[int, ...]  # every child but `child`, for the cold charts
    # (child, day, version) of the logged days of `child`'s sibling: saves go there, so that
    # they leave `child`'s cached charts and PDF as the other runs find them
    save_targets: tuple[tuple[int, str, int], ...]
    # (child, day, version) of the sibling's other logged days: the API's PUTs go there
    put_targets: tuple[tuple[int, str, int], ...]
    api_token: str  # a read-and-write token of `owner`
    entries: int
    events: int
    courses: int
    children: int


def diary(seed: int, days: int) -> list:
    """A diary of `days` days ending yesterday, as the demo's day plans (journal/demo.py): the
    demo's 18-month story told again, each time with its own seed, until the days are filled."""
    from journal import demo

    plans = []
    for story in range(days // demo.HISTORY_DAYS + 1):
        for plan in demo.plan_history(seed + story):
            day = story * demo.HISTORY_DAYS + plan.day
            if day < days - 1:  # today is left to log
                plans.append(dataclasses.replace(plan, day=day))
    return plans


def story_rows(child, start: datetime.date, days: int, user) -> tuple[list, list]:
    """The demo's trigger events and treatment courses (with their dose changes), told again
    with each story, that fall in the child's `days` from `start`."""
    from journal import demo
    from journal.models import DoseChange, TreatmentCourse, TriggerEvent

    events, courses = [], []
    last = start + datetime.timedelta(days=days - 1)
    stories = days // demo.HISTORY_DAYS + 1
    for story in range(stories):

        def on(day, story=story):
            return start + datetime.timedelta(days=story * demo.HISTORY_DAYS + day)

        for fields in demo.event_plans():
            day, end = fields.pop("day"), fields.pop("end", None)
            if 0 <= story * demo.HISTORY_DAYS + day < days - 1:
                events.append(
                    TriggerEvent(
                        child=child,
                        start_date=on(day),
                        end_date=min(on(end), last) if end is not None else None,
                        created_by=user,
                        updated_by=user,
                        **fields,
                    )
                )
        for fields, changes in demo.course_plans():
            day, end = fields.pop("day"), fields.pop("end")
            if end is None and story < stories - 1:
                end = demo.HISTORY_DAYS - 1  # a course the next story starts again
            course = TreatmentCourse(
                child=child,
                start_date=max(on(day), child.birth_date),
                end_date=min(on(end), last) if end is not None else None,
                created_by=user,
                updated_by=user,
                **fields,
            )
            if course.start_date < last and (
                course.end_date is None or course.end_date >= course.start_date
            ):
                doses = [
                    DoseChange(date=on(d), dose=dose, note=note)
                    for d, dose, note in changes
                    if course.start_date <= on(d) <= (course.end_date or on(d))
                ]
                courses.append((course, doses))
    return events, courses


def write_days(entries: list) -> None:
    """A child's days, unsaved DailyEntry instances: on PostgreSQL with COPY (the ORM's INSERTs,
    their SQL made for every row, took most of the scale bench's half hour), else bulk_create."""
    from django.db import connection

    from journal.models import DailyEntry

    if connection.vendor != "postgresql":
        DailyEntry.objects.bulk_create(entries)
        return
    fields = [field for field in DailyEntry._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(field.column for field in fields)
    statement = f"COPY {DailyEntry._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for entry in entries:
            # pre_save(..., True): a new row's, which sets the auto_now(_add) times
            values = (field.pre_save(entry, True) for field in fields)
            copy.write_row(
                [
                    f.get_db_prep_save(value, connection)
                    for f, value in zip(fields, values, strict=True)
                ]
            )


def add_children(families: list, days: int, diaries: list, rng: random.Random) -> tuple[int, ...]:
    """Each family's children with `days` of history (the diaries, each of `days`, taken in
    turn); their ids."""
    from django.db import transaction
    from django.utils import timezone

    from journal.models import (
        Child,
        DoseChange,
        Membership,
        Role,
        TreatmentCourse,
        TriggerEvent,
    )

    today = timezone.now().astimezone(zoneinfo.ZoneInfo(TIME_ZONE)).date()
    start = today - datetime.timedelta(days=days - 1)
    children = Child.objects.bulk_create(
        Child(
            name=rng.choice(NAMES),
            birth_date=start - datetime.timedelta(days=rng.randrange(200, 1000)),
            diagnosis_date=start - datetime.timedelta(days=31),
            tumour_found=rng.choice(list(Child.Tumour)),
            time_zone=TIME_ZONE,
        )
        for user, count in families
        for _ in range(count)
    )
    owners = [user for user, count in families for _ in range(count)]
    Membership.objects.bulk_create(
        Membership(child=child, user=user, role=Role.OWNER)
        for child, user in zip(children, owners, strict=True)
    )
    for n, (child, user) in enumerate(zip(children, owners, strict=True)):
        with transaction.atomic():
            write_days(
                [
                    plan.entry(child, start + datetime.timedelta(days=plan.day), user, user)
                    for plan in diaries[n % len(diaries)]
                ]
            )
            events, courses = story_rows(child, start, days, user)
            TriggerEvent.objects.bulk_create(events)
            TreatmentCourse.objects.bulk_create(course for course, _ in courses)
            for course, changes in courses:
                for change in changes:
                    change.course = course  # its id is known now
            DoseChange.objects.bulk_create(change for _, changes in courses for change in changes)
    return tuple(child.pk for child in children)


def seed(families: int, years: float, password: str) -> DataSet:
    """Migrate, then write the families, their children and their history; collect static."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from journal.api.tokens import token_create
    from journal.models import Child, DailyEntry, Membership, Role, TreatmentCourse, TriggerEvent

    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
    collect_static()
    rng = random.Random(2024)  # noqa: S311 - made-up data, not a secret
    days = round(years * 365.25)
    diaries = [diary(seed * 10, days) for seed in range(8)]  # 8 stories, taken in turn
    hashed = make_password(password)  # once: hashing is slow on purpose
    User = get_user_model()
    names = [f"family-{n:03d}" for n in range(families)] + ["family-month", "bench-reader"]
    users = User.objects.bulk_create(
        User(username=name, email=f"{name}@example.org", password=hashed) for name in names
    )
    *owners, month_owner, reader = users
    long_children = add_children([(user, 2) for user in owners], days, diaries, rng)
    (month_child,) = add_children([(month_owner, 1)], 30, [diary(0, 30)], rng)
    Membership.objects.bulk_create(
        Membership(child_id=child_id, user=reader, role=Role.VIEWER) for child_id in long_children
    )
    child, *others = long_children
    targets = tuple(
        (child_id, day.isoformat(), version)
        for child_id, day, version in DailyEntry.objects.filter(child_id=others[0])
        .order_by("date")
        .values_list("child_id", "date", "version")
    )
    data = DataSet(
        password=password,
        owner=owners[0].username,
        reader=reader.username,
        child=child,
        month_child=month_child,
        month_owner=month_owner.username,
        other_children=tuple(others),
        # Every other day for the form's saves, the rest for the API's PUTs: each load knows
        # the versions of its own days.
        save_targets=targets[1::2],
        put_targets=targets[0::2],
        api_token=token_create(user=owners[0], name="bench", scope="write", child=None, days=1)[1],
        entries=DailyEntry.objects.filter(child_id__in=long_children).count(),
        events=TriggerEvent.objects.filter(child_id__in=long_children).count(),
        courses=TreatmentCourse.objects.filter(child_id__in=long_children).count(),
        children=Child.objects.filter(pk__in=long_children).count(),
    )
    connection.close()
    return data


# --- throughput, with wrk ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Load:
    """One kind of request for wrk: the requests it goes round, and what a good answer holds."""

    key: str
    label: str
    targets: tuple  # ((path, form body or None, version), ...)
    expect: str
    method: str = "GET"
    htmx: bool = False
    status: int = 200
    api: bool = False  # sent with the API token, not the session; a PUT's version in If-Match
    # Asked for with gzip, as a browser asks for a page or an image; then `size` is a good
    # answer's size unpacked, read by a request of the bench's own (`sized`).
    gzip: bool = False
    size: int = 0


@dataclasses.dataclass(frozen=True)
class Run:
    load: Load
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    good: int
    bad: int
    first_bad: str
    socket_errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string for the text we send


def lua_config(load: Load, cookie: str, api_token: str = "") -> str:
    headers = {"Cookie": cookie} if cookie and not load.api else {}
    if load.api:
        headers["Authorization"] = f"Bearer {api_token}"
    if load.method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if load.method == "PUT":
        headers["Content-Type"] = "application/json"
    if load.htmx:
        headers |= {"HX-Request": "true", "HX-Target": "entry-form"}
    if load.gzip:
        headers["Accept-Encoding"] = "gzip"
    targets = ",\n".join(
        f"{{{lua_string(path)}, {lua_string(body) if body else 'nil'}, {version}}}"
        for path, body, version in load.targets
    )
    header_items = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
    return (
        f"THREADS = {THREADS}\nMETHOD = {lua_string(load.method)}\n"
        f"HEADERS = {{{header_items}}}\nEXPECT = {lua_string(load.expect)}\n"
        f"STATUS = {load.status}\nIF_MATCH = {'true' if load.api else 'false'}\n"
        f"SIZE = {load.size}\n"
        f"TARGETS = {{\n{targets}\n}}\n"
    )


def wrk(
    load: Load, port: int, cookie: str, args, folder: Path, api_token: str = "", longer: int = 1
) -> Run:
    """One bounded wrk run on 127.0.0.1, `longer` times the runs' length; every response
    checked by bench.lua."""
    seconds = args.seconds * longer
    script = folder / f"{load.key}.lua"
    script.write_text(lua_config(load, cookie, api_token) + LUA.read_text())
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{args.connections}",
        f"-d{seconds:g}s",
        "--timeout=30s",
        f"-s{script}",
        f"http://{HOST}:{port}",
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    found = re.search(r"^RESULT (\{.*\})$", output, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no result for {load.key}:\n{output}")
    result = json.loads(found.group(1))
    return Run(
        load=load,
        requests=result["requests"],
        seconds=result["duration_us"] / 1e6,
        p50_ms=result["p50_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        good=result["good"],
        bad=result["bad"],
        first_bad=result["first_bad"],
        socket_errors=result["socket_errors"],
    )


@dataclasses.dataclass(frozen=True)
class Paths:
    """The URLs of the pages measured, for one child."""

    child: int
    today: str

    @property
    def form(self) -> str:
        return f"/children/{self.child}/entries/{self.today}/"

    @property
    def history(self) -> str:
        return f"/children/{self.child}/entries/"

    @property
    def dashboard(self) -> str:
        return f"/children/{self.child}/"

    @property
    def chart(self) -> str:
        return chart_path(self.child)

    @property
    def table(self) -> str:
        return f"/children/{self.child}/trends/score/table/?range=1y"

    @property
    def trends(self) -> str:
        return f"/children/{self.child}/trends/?range=1y"

    @property
    def pdf(self) -> str | None:
        return year_pdf_path(self.child, self.today)

    @property
    def api_year(self) -> str:
        return api_year_path(self.child, self.today)


def api_year_path(child_id: int, today: str) -> str:
    last = datetime.date.fromisoformat(today)
    first = last - datetime.timedelta(days=364)
    return f"/api/v1/children/{child_id}/days?from={first}&to={last}&page_size=400"


def chart_path(child_id: int) -> str:
    return f"/children/{child_id}/trends/score.svg?range=1y"


# A cold chart's year ends this many days before today at the most: the bench's children were
# born at least 200 days before their first day, so each window is a valid custom period.
COLD_WINDOWS = 200
# Cold charts a load run may go through: far more than the fastest run draws (a drawing takes
# a tenth of a second of a core, at the least).
COLD_TARGETS = 4000


def cold_chart_targets(children: tuple[int, ...], today: str) -> tuple:
    """Requests for a year's score chart that no cache holds: each child's year ending on
    another day (a custom period of 365 days, the work of `range=1y`), every child before any
    the second time, so that a load run never asks for the same chart twice (the bench counts
    a run that goes round them all as unsound). The children's preset years are what the
    in-process timings draw."""
    last = datetime.date.fromisoformat(today)
    targets = []
    windows = min(COLD_WINDOWS, -(-COLD_TARGETS // len(children)))
    for back in range(windows):
        end = last - datetime.timedelta(days=back)
        start = end - datetime.timedelta(days=364)
        query = urllib.parse.urlencode({"range": "custom", "start": start, "end": end})
        targets += [(f"/children/{child}/trends/score.svg?{query}", None, 0) for child in children]
    return tuple(targets)


def year_pdf_path(child_id: int, today: str) -> str | None:
    """The year's visit summary as PDF, or None while the app has no such page."""
    from django.urls import NoReverseMatch, reverse

    last = datetime.date.fromisoformat(today)
    first = last - datetime.timedelta(days=364)
    try:
        path = reverse("summary_pdf", args=[child_id])
    except NoReverseMatch:
        return None
    return f"{path}?{urllib.parse.urlencode({'start': first, 'end': last})}"


def save_form(token: str, day: str, note: str) -> dict:
    """What a caregiver's browser sends when saving a day (the version is added per request)."""
    return {
        "csrfmiddlewaretoken": token,
        "shown": "clean",  # the form showed no error: the answer is the "Saved" line
        "date": day,
        "opsoclonus": "1",
        "myoclonus": "0",
        "ataxia": "2",
        "sleep": "1",
        "rage": "1",
        "sleep_hours": "10.5",
        "night_wakings": "1",
        "rage_episodes": "2",
        "rage_longest_minutes": "5",
        "max_temperature_c": "",
        "doses": "yes",
        "notes": note,
        "question": "",
    }


API_YEAR = "API: a year of days (GET, token)"
API_PUT = "API: PUT a day (token, If-Match)"
# "VERSION" becomes the version the PUT starts from (bench.lua), so that each PUT changes the
# day it is sent to, whatever an earlier run left there.
API_PUT_BODY = json.dumps(
    {
        "opsoclonus": 1,
        "ataxia": 2,
        "sleep_hours": 10.5,
        "notes": "PUT by the bench, from version VERSION.",
    }
)


def loads(data: DataSet, paths: Paths, token: str) -> list[Load]:
    """The requests measured, in the order they run: the bare view first."""

    def get(key, label, path, expect="</html>"):
        return Load(key, label, ((path, None, 0),), expect, gzip=True)

    saves = tuple(
        (
            f"/children/{child_id}/entries/{day}/",
            urllib.parse.urlencode(save_form(token, day, "A steady day, saved by the bench.")),
            version,
        )
        for child_id, day, version in data.save_targets
    )
    chosen = [
        get("bare", "Bare Django view (the yardstick)", "/bench/bare/", expect="ok"),
        Load(
            "redirect",
            "Logged-in redirect (today/ to the day)",
            ((f"/children/{paths.child}/today/", None, 0),),
            "",
            status=302,
        ),
        get("form", "Today form", paths.form),
        Load("save", "Save an entry (htmx POST)", saves, "Saved at", method="POST", htmx=True),
        get("history", "History page (4 weeks)", paths.history),
        get("dashboard", "Dashboard", paths.dashboard),
        Load(
            "chart-cold",
            "Chart, first render (score, 1 year)",
            cold_chart_targets(data.other_children, paths.today),
            "</svg>",
        ),
        get("chart-cached", "Chart, cached (score, 1 year)", paths.chart, expect="</svg>"),
        get("table", "Table view (score, 1 year)", paths.table),
        Load("api-year", API_YEAR, ((paths.api_year, None, 0),), '"results"', api=True),
        Load(
            "api-put",
            API_PUT,
            tuple(
                (f"/api/v1/children/{child_id}/days/{day}", API_PUT_BODY, version)
                for child_id, day, version in data.put_targets
            ),
            '"version"',
            method="PUT",
            api=True,
        ),
    ]
    if paths.pdf:
        chosen.append(get("pdf", "Year PDF", paths.pdf, expect="%PDF"))
    return chosen


# --- in this process: queries and render times ------------------------------------------------


def test_client(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    client.force_login(get_user_model().objects.get(username=username))
    return client


def query_pages(paths: Paths) -> dict:
    """Page key: (method, path, htmx) for the query counts."""
    pages = {
        "form": ("GET", paths.form, False),
        "save": ("POST", paths.form, True),
        "history": ("GET", paths.history, False),
        "dashboard": ("GET", paths.dashboard, False),
        "trends": ("GET", paths.trends, False),
        "chart": ("GET", paths.chart, False),
        "table": ("GET", paths.table, False),
    }
    if paths.pdf:
        pages["pdf"] = ("GET", paths.pdf, False)
    return pages


def count_queries(username: str, paths: Paths) -> dict[str, tuple[int, int]]:
    """Each page's queries: (first, with nothing cached; then again, cached)."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from journal import services
    from journal.models import DailyEntry

    client = test_client(username)
    logged = DailyEntry.objects.filter(child_id=paths.child, date=paths.today)
    left_to_log = not logged.exists()
    counts = {}
    for key, (method, path, htmx) in query_pages(paths).items():
        cache.clear()
        found = []
        for _ in range(2):
            form = saved_form(client, path) if method == "POST" else None
            with CaptureQueriesContext(connection) as queries:
                if form is None:
                    response = client.get(path, headers={"HX-Request": "true"} if htmx else {})
                else:
                    response = client.post(path, form, headers={"HX-Request": "true"})
            if response.status_code != 200 or (form and b"Saved at" not in response.content):
                raise RuntimeError(f"{method} {path}: {response.status_code}, not as expected")
            found.append(len(queries))
        counts[key] = (found[0], found[1])
    if left_to_log:
        # The save counted logged the day: left to log again, so that the today form counted
        # next (bench-scale's second round) reads the day before, as this one did.
        user = get_user_model().objects.get(username=username)
        services.entry_delete(entry=logged.get(), user=user)
    return counts


def count_api_queries(username: str, paths: Paths) -> dict[str, tuple[int, int]]:
    """The API's queries, each request with a new token (whose first use is written, as any
    token's is once a minute): a year of days, and a PUT of the child's last logged day."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from journal.api.tokens import token_create
    from journal.models import DailyEntry

    user = get_user_model().objects.get(username=username)
    last = DailyEntry.objects.filter(child_id=paths.child).latest("date")
    put_path = f"/api/v1/children/{paths.child}/days/{last.date.isoformat()}"
    counts = {}
    for key in ("api-year", "api-put"):
        found = []
        for _ in range(2):
            _, token = token_create(user=user, name="bench", scope="write", child=None, days=1)
            client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Bearer {token}")
            version = DailyEntry.objects.get(pk=last.pk).version
            with CaptureQueriesContext(connection) as queries:
                if key == "api-year":
                    response = client.get(paths.api_year)
                else:
                    body = API_PUT_BODY.replace("VERSION", f"{version}, counted")
                    response = client.put(
                        put_path,
                        body,
                        content_type="application/json",
                        headers={"If-Match": f'"{version}"'},
                    )
            if response.status_code != 200:
                raise RuntimeError(f"{key}: {response.status_code}, not as expected")
            found.append(len(queries))
        counts[key] = (found[0], found[1])
    return counts


def saved_form(client, path: str) -> dict:
    """The form a caregiver sends to save the day at `path`, from the version it holds now."""
    page = client.get(path).content.decode()
    day = path.rstrip("/").rsplit("/", 1)[1]
    return save_form("", day, "Counted by the bench.") | {"version": hidden_value(page, "version")}


@dataclasses.dataclass(frozen=True)
class Timed:
    cpu_ms: float  # this process's CPU time: the work, whatever else the machine is doing
    wall_ms: float


def cold_times(username: str, paths: list[str]) -> list[Timed]:
    """The time of each path's request, with nothing cached (as after any save)."""
    from django.core.cache import cache

    client = test_client(username)
    times = []
    for path in paths:
        cache.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.get(path)
        times.append(Timed((time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000))
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code}")
    return times


def timed_cell(times: list[Timed]) -> str:
    cpu = statistics.median(t.cpu_ms for t in times)
    wall = statistics.median(t.wall_ms for t in times)
    slowest = max(t.cpu_ms for t in times)
    return (
        f"median {cpu:.0f} ms of CPU ({wall:.0f} ms of wall time), slowest {slowest:.0f} ms, "
        f"{len(times)} children"
    )


# --- bytes on the wire -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Sent:
    path: str
    status: int
    encoding: str
    wire: int  # bytes of the body as sent
    plain: int  # bytes once decompressed
    cache_control: str
    body: bytes  # decompressed


def fetch(session: Session, path: str, method="GET", form=None, htmx=False) -> Sent:
    headers = dict(ACCEPT)
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if htmx:
        headers["HX-Request"] = "true"
    response, raw = session.exchange(method, path, body, headers)
    encoding = response.headers.get("Content-Encoding", "")
    plain = {"br": brotli.decompress, "gzip": gzip.decompress}.get(encoding, bytes)(raw)
    return Sent(
        path,
        response.status,
        encoding or "none",
        len(raw),
        len(plain),
        response.headers.get("Cache-Control", ""),
        plain,
    )


ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')


@dataclasses.dataclass(frozen=True)
class FirstLoad:
    page: Sent
    assets: tuple[Sent, ...]  # its CSS and JavaScript

    @property
    def total(self) -> int:
        return self.page.wire + sum(asset.wire for asset in self.assets)


MANIFEST = re.compile(r'<link rel="manifest" href="([^"]+)"')
# What the service worker fetches when it installs, beside the page's own CSS and JavaScript
# (which the browser's cache already holds): itself, the offline page and the icon.
WORKER = ("/sw.js", "/offline/")


def first_load(session: Session, path: str) -> FirstLoad:
    """A page with everything a first visit fetches: CSS, JavaScript, the manifest, and the
    service worker with what it keeps at once."""
    page = fetch(session, path)
    html = page.body.decode() if page.body.startswith(b"<!doctype html") else ""
    manifest = MANIFEST.findall(html)
    found = ASSET.findall(html) + manifest
    if manifest:  # an installable page: its service worker installs on the first visit
        found += [*WORKER, *re.findall(r'<link rel="icon" href="([^"]+)"', html)]
    return FirstLoad(page, tuple(fetch(session, asset) for asset in found))


def fragments(session: Session, paths: Paths, data: DataSet) -> dict[str, Sent]:
    """The htmx fragments: a save's answer (of the sibling's last day logged, as in the save
    run), the trends' range swap, the table swap."""
    child_id, day, _ = data.save_targets[-1]
    path = f"/children/{child_id}/entries/{day}/"
    form_page = fetch(session, path).body.decode()
    form = save_form(hidden_value(form_page, "csrfmiddlewaretoken"), day, "Weighed.")
    form["version"] = hidden_value(form_page, "version")
    return {
        "save": fetch(session, path, "POST", form, htmx=True),
        "trends": fetch(session, paths.trends, htmx=True),
        "table": fetch(session, paths.table, htmx=True),
    }


# --- Lighthouse --------------------------------------------------------------------------------


def lighthouse(binary: str, url: str, cookie: str, out: Path) -> dict:
    """Lighthouse's mobile scores (0-100) and its largest contentful paint, for a logged-in page."""
    command = [
        binary,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility",
        f"--chrome-flags={CHROMIUM_FLAGS}",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(command, env=env, check=True, timeout=180, capture_output=True)
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise RuntimeError(f"Lighthouse on {url}: {report['runtimeError']}")
    scores = {key: round(cat["score"] * 100) for key, cat in report["categories"].items()}
    lcp = report["audits"]["largest-contentful-paint"]["numericValue"]
    return {**scores, "lcp_ms": lcp, "final_url": report.get("finalDisplayedUrl", "")}


def static_files(session: Session, loaded: list[FirstLoad]) -> list[dict]:
    """Each CSS and JavaScript file the pages load: its brotli and gzip sizes, its cache header."""
    paths = sorted(
        {
            asset.path
            for load in loaded
            for asset in load.assets
            if asset.path.startswith("/static/")
        }
    )
    found = []
    for path in paths:
        br = fetch(session, path)
        session_gzip = fetch_with(session, path, "gzip")
        found.append(
            {
                "path": path,
                "plain": br.plain,
                "br": br.wire if br.encoding == "br" else None,
                "gzip": session_gzip.wire if session_gzip.encoding == "gzip" else None,
                "cache_control": br.cache_control,
            }
        )
    return found


def fetch_with(session: Session, path: str, encoding: str) -> Sent:
    response, raw = session.exchange("GET", path, None, {"Accept-Encoding": encoding})
    return Sent(
        path,
        response.status,
        response.headers.get("Content-Encoding", "none"),
        len(raw),
        len(raw),
        response.headers.get("Cache-Control", ""),
        b"",
    )


FAR_FUTURE = 365 * 24 * 3600


def far_future(cache_control: str) -> bool:
    age = re.search(r"max-age=(\d+)", cache_control)
    return bool(age) and int(age.group(1)) >= FAR_FUTURE and "immutable" in cache_control


# --- the report --------------------------------------------------------------------------------


@dataclasses.dataclass
class Results:
    data: DataSet
    years: float
    seconds: float
    runs: dict  # load key: Run
    queries_month: dict
    queries_years: dict
    chart_ms: list
    pdf_ms: list | None
    loads_first: dict  # page key: FirstLoad
    fragments: dict  # fragment key: Sent
    statics: list
    scores: dict | None  # page key: Lighthouse scores, None when not run
    problems: list
    offline_ms: list | None = None  # the today form opened with the server stopped
    api_year_ms: list | None = None  # a year of days through the API, nothing cached

    def share(self, key: str) -> float | None:
        run, bare = self.runs.get(key), self.runs["bare"]
        return run.per_second / bare.per_second if run and bare.requests else None


def kb(size: int | None) -> str:
    return "\N{EN DASH}" if size is None else f"{size / 1000:.1f} KB"


def yes(met: bool | None) -> str:
    return {True: "yes", False: "**NO**", None: "not measured"}[met]


ROWS = (  # key, label, load run, query page, bytes (first load, fragment or other)
    ("bare", "Bare Django view (yardstick)", "bare", None, None),
    ("redirect", "Logged-in redirect (today/ to the day)", "redirect", None, None),
    ("form", "Today form", "form", "form", ("first", "form")),
    ("save", "Save an entry (htmx POST)", "save", "save", ("fragment", "save")),
    ("history", "History page (4 weeks)", "history", "history", ("first", "history")),
    ("dashboard", "Dashboard", "dashboard", "dashboard", ("first", "dashboard")),
    ("trends", "Trends range swap (htmx, 1 year)", None, "trends", ("fragment", "trends")),
    ("chart-cold", "Chart, first render (score, 1 year)", "chart-cold", "chart", ("chart", 0)),
    ("chart-cached", "Chart, cached (score, 1 year)", "chart-cached", "chart", ("chart", 1)),
    ("table", "Table view (score, 1 year)", "table", "table", ("first", "table")),
    ("table-swap", "Table swap (htmx, score, 1 year)", None, None, ("fragment", "table")),
    ("pdf", "Year PDF", "pdf", "pdf", ("first", "pdf")),
    ("api-year", API_YEAR, "api-year", "api-year", None),
    ("api-put", API_PUT, "api-put", "api-put", None),
)


def load_cells(results: Results, key: str | None) -> list[str]:
    run = results.runs.get(key) if key else None
    if run is None:
        return ["\N{EN DASH}"] * 4
    share = results.share(key) or 0
    return [f"{run.per_second:,.0f}", f"{run.p50_ms:.1f}", f"{run.p99_ms:.1f}", f"{share:.3f}"]


def query_cell(counts: dict, page: str | None, which: int | None = None) -> str:
    if page is None or page not in counts:
        return "\N{EN DASH}"
    first, cached = counts[page]
    if which is not None:
        return str(counts[page][which])
    return str(first) if first == cached else f"{first} / {cached}"


def bytes_cell(results: Results, kind) -> str:
    if kind is None:
        return "\N{EN DASH}"
    what, key = kind
    if what == "first":
        load = results.loads_first.get(key)
        return kb(load.total) if load else "\N{EN DASH}"
    if what == "fragment":
        sent = results.fragments.get(key)
        return kb(sent.wire) if sent else "\N{EN DASH}"
    return kb(results.loads_first["chart"].page.wire)


def span(years: float) -> str:
    return f"{years:g} year{'' if years == 1 else 's'}"


def main_table(results: Results) -> str:
    years = span(results.years)
    lines = [
        f"| request | req/s | p50 ms | p99 ms | share of bare | queries, 1 month | "
        f"queries, {years} | bytes, compressed | Lighthouse perf / a11y |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for key, label, run_key, page, kind in ROWS:
        if key == "pdf" and "pdf" not in results.runs:
            lines.append(f"| {label} | not available: the app has no year PDF yet |||||||| ")
            continue
        which = kind[1] if kind and kind[0] == "chart" else None
        score = (results.scores or {}).get(key)
        lighthouse_cell = (
            f"{score['performance']} / {score['accessibility']}" if score else "\N{EN DASH}"
        )
        cells = [
            label,
            *load_cells(results, run_key),
            query_cell(results.queries_month, page, which),
            query_cell(results.queries_years, page, which),
            bytes_cell(results, kind),
            lighthouse_cell,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def budget_rows(results: Results) -> list[tuple[str, str, bool | None]]:
    rows = []
    growing = [
        page
        for page, counts in results.queries_years.items()
        if counts != results.queries_month.get(page)
    ]
    rows.append(
        (
            f"SQL queries per page the same at 1 month and {span(results.years)} "
            "(asserted in tests)",
            "the same for every page" if not growing else "grow on: " + ", ".join(growing),
            not growing,
        )
    )
    for key, least in MIN_SHARE_OF_BARE.items():
        share = results.share(key)
        label = next(label for k, label, *_ in ROWS if k == key)
        rows.append(
            (
                f"{label}: at least {least:.2f} of bare's throughput",
                f"{share:.3f}" if share is not None else "not run",
                None if share is None else share >= least,
            )
        )
    median = statistics.median(t.cpu_ms for t in results.chart_ms)
    rows.append(
        (
            f"A year's chart cold: under {MAX_COLD_CHART_MS} ms",
            timed_cell(results.chart_ms),
            median < MAX_COLD_CHART_MS,
        )
    )
    if results.api_year_ms:
        api = statistics.median(t.cpu_ms for t in results.api_year_ms)
        rows.append(
            (
                f"A year of days through the API, nothing cached: under {MAX_COLD_API_YEAR_MS} ms",
                timed_cell(results.api_year_ms),
                api < MAX_COLD_API_YEAR_MS,
            )
        )
    if results.pdf_ms:
        pdf = statistics.median(t.cpu_ms for t in results.pdf_ms)
        rows.append(
            (
                f"A year's PDF: under {MAX_YEAR_PDF_MS / 1000:g} s",
                timed_cell(results.pdf_ms),
                pdf < MAX_YEAR_PDF_MS,
            )
        )
    else:
        rows.append((f"A year's PDF: under {MAX_YEAR_PDF_MS / 1000:g} s", "not available", None))
    form = results.loads_first["form"]
    rows.append(
        (
            f"Today form's first load with CSS, JS, manifest and service worker: under "
            f"{MAX_FORM_FIRST_LOAD // 1000} KB",
            f"{kb(form.total)} (HTML {kb(form.page.wire)}, "
            + ", ".join(f"{Path(a.path).name.split('.')[0]} {kb(a.wire)}" for a in form.assets)
            + ")",
            form.total < MAX_FORM_FIRST_LOAD,
        )
    )
    offline = results.offline_ms
    rows.append(
        (
            f"Today form from the service worker's cache, server stopped: shown within "
            f"{MAX_OFFLINE_FORM_MS / 1000:g} s (Chromium at 390x844, measured, median of "
            f"{OFFLINE_RUNS})",
            f"{statistics.median(offline):.0f} ms (slowest {max(offline):.0f} ms)"
            if offline
            else "not run",
            None if not offline else statistics.median(offline) < MAX_OFFLINE_FORM_MS,
        )
    )
    save = results.fragments["save"]
    rows.append(
        (
            f"htmx save response: under {MAX_SAVE_RESPONSE // 1000} KB",
            f"{kb(save.wire)} ({save.encoding}; {kb(save.plain)} uncompressed)",
            save.wire < MAX_SAVE_RESPONSE,
        )
    )
    pages = [load.page for load in results.loads_first.values() if load.page.plain > 200]
    html = [sent for sent in pages + list(results.fragments.values()) if sent.plain > 200]
    rows.append(
        (
            "HTML (and SVG) compressed",
            ", ".join(sorted({sent.encoding for sent in html})),
            all(sent.encoding != "none" for sent in html),
        )
    )
    statics_ok = all(
        s["br"] and s["gzip"] and far_future(s["cache_control"]) for s in results.statics
    )
    rows.append(
        (
            "Static files: brotli and gzip, far-future cache for hashed names",
            "; ".join(
                f"{Path(s['path']).name}: br {kb(s['br'])}, gzip {kb(s['gzip'])}"
                for s in results.statics
            )
            + (f"; `{results.statics[0]['cache_control']}`" if results.statics else ""),
            statics_ok,
        )
    )
    for key in ("form", "dashboard"):
        label = next(label for k, label, *_ in ROWS if k == key)
        score = (results.scores or {}).get(key)
        rows.append(
            (
                f"Lighthouse mobile, {label}: performance at least "
                f"{MIN_LIGHTHOUSE['performance']}, accessibility {MIN_LIGHTHOUSE['accessibility']}",
                f"{score['performance']} and {score['accessibility']} "
                f"(largest contentful paint {score['lcp_ms'] / 1000:.1f} s)"
                if score
                else "not run",
                None
                if not score
                else all(score[name] >= least for name, least in MIN_LIGHTHOUSE.items()),
            )
        )
    return rows


def budgets_table(results: Results) -> str:
    lines = ["| budget | measured | met |", "|---|---|---|"]
    lines += [
        f"| {what} | {measured} | {yes(met)} |" for what, measured, met in budget_rows(results)
    ]
    return "\n".join(lines)


def report(results: Results, args, vendor: str, load_before: float) -> str:
    data = results.data
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    met = [met for _, _, met in budget_rows(results) if met is not None]
    runs_ok = (
        "every response checked and good"
        if not results.problems
        else "PROBLEMS: " + ("; ".join(results.problems[:5]))
    )
    return "\n".join(
        [
            f"Last run: {when}, code at {code_version()}.",
            "",
            f"Machine: {machine(vendor)}; the load average was {load_before:.1f} before the run. "
            f"wrk (-t{THREADS} -c{args.connections}, {args.seconds:g} s a run) shares it with "
            f"gunicorn ({WORKERS} sync workers, DEBUG off), both on 127.0.0.1. "
            f"{repeats_said(args.repeats)}",
            "",
            f"Data: {data.children} children in {args.families} families, "
            f"{data.entries:,} daily entries over {span(results.years)}, {data.events:,} "
            f"trigger events, {data.courses:,} treatment courses; the pages are those of one "
            f"of these children (the 1-month column: a child with 30 days).",
            "",
            main_table(results),
            "",
            f"Runs: {runs_ok}. Queries: first (nothing cached) / again (cached), one figure "
            "when the same. Bytes: the page and its CSS and JavaScript as sent, or the fragment "
            "or chart alone.",
            "",
            budgets_table(results),
            "",
            f"Budgets met: {sum(met)} of {len(met)}.",
        ]
    )


# --- main --------------------------------------------------------------------------------------


def settle(port: int) -> None:
    """Wait until the server has finished the requests a run left in flight: wrk stops at its
    time, but each worker still answers the request it holds (a chart drawn cold takes a tenth
    of a second of a core, many times that on a busy machine), which would be counted in the
    next run's time. A bare request per worker, at once, is answered when they are free."""

    def bare(_) -> None:
        with urllib.request.urlopen(f"http://{HOST}:{port}/bench/bare/", timeout=60) as answer:
            answer.read()

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(bare, range(WORKERS)))


# How much longer a run that got no answer runs again (GETs only).
LONGER = 5


def again_longer(load: Load, run: Run, port: int, cookie: str, args, folder: Path, token) -> Run:
    """A run that got no answer within its time, run once more for LONGER times as long: a
    machine too busy to draw one chart in `--quick`'s second or two is not a broken page. It
    starts past the targets the first run sent (each worker finishes drawing the one it held),
    so that a cold chart is still asked for once. Saves and PUTs are never sent again: their
    days' versions moved on with the first run."""
    print(f"  {load.label}: no answer in {args.seconds:g} s; again for {args.seconds * LONGER:g} s")
    skip = min(run.requests + args.connections, len(load.targets) - 1)
    load = dataclasses.replace(load, targets=load.targets[skip:] + load.targets[:skip])
    again = wrk(load, port, cookie, args, folder, token, longer=LONGER)
    settle(port)
    return again


def repeats_said(repeats: int) -> str:
    if repeats == 1:
        return "Each request run once."
    return (
        f"Each page read run {repeats} times, the run of the median requests per second shown; "
        "the saves, the PUTs and the first renders once (a run uses up their targets)."
    )


def run_problems(run: Run) -> list[str]:
    key = run.load.key
    problems = [] if run.good else [f"{key}: no answer within the run"]
    if run.bad or run.socket_errors:
        problems.append(
            f"{key}: {run.bad} bad responses (first: {run.first_bad}), "
            f"{run.socket_errors} socket errors"
        )
    return problems


def sized(load: Load, session: Session) -> Load:
    """`load` with the size of a good answer unpacked, read by one request of its own, unpacked
    and checked here: wrk's script cannot unpack gzip, so it checks each compressed answer by
    its status, its gzip header and the size its gzip trailer gives (bench.lua)."""
    sent = fetch(session, load.targets[0][0])
    if sent.status != load.status or load.expect.encode() not in sent.body:
        raise RuntimeError(f"{load.key}: answered {sent.status}, without {load.expect!r}")
    return dataclasses.replace(load, size=sent.plain)


def median_run(runs: list[Run]) -> Run:
    """The run of the median requests per second (of two, the faster). On a shared machine
    one run moves by a tenth either way."""
    return sorted(runs, key=lambda run: run.per_second)[len(runs) // 2]


def run_everything(args, data: DataSet, port: int, folder: Path) -> Results:
    """The load runs, bytes and Lighthouse against the server, then the in-process figures."""
    from journal.models import Child

    today = Child.objects.get(pk=data.child).today().isoformat()
    paths = Paths(data.child, today)
    problems = []
    owner, reader = Session(port, timeout=60), Session(port, timeout=60)
    if not owner.log_in(data.owner, data.password) or not reader.log_in(data.reader, data.password):
        raise RuntimeError("could not log in through the login form")
    token = hidden_value(fetch(owner, paths.form).body.decode(), "csrfmiddlewaretoken")
    warm = [paths.form, paths.history, paths.dashboard, paths.chart, paths.table, paths.pdf]
    for path in filter(None, warm):
        for _ in range(6):  # each worker compiles its templates, imports matplotlib, draws once
            fetch(owner, path)
    runs = {}
    for load in loads(data, paths, token):
        load = sized(load, owner) if load.gzip else load
        cookie = reader.cookie_header if load.key == "chart-cold" else owner.cookie_header
        cookie = "" if load.key == "bare" else cookie
        repeats = args.repeats if load.method == "GET" and len(load.targets) == 1 else 1
        each = []
        for _ in range(repeats):
            run = wrk(load, port, cookie, args, folder, data.api_token)
            settle(port)
            if not run.good and load.method == "GET":
                run = again_longer(load, run, port, cookie, args, folder, data.api_token)
            each.append(run)
            print(
                f"  {load.label}: {run.per_second:,.0f} req/s, p50 {run.p50_ms:.1f} ms, "
                f"p99 {run.p99_ms:.1f} ms ({run.good} good, {run.bad} bad)",
                flush=True,
            )
            problems += run_problems(run)
        run = runs[load.key] = median_run(each)
        if load.key == "chart-cold" and run.requests > len(load.targets):
            problems.append(
                f"chart-cold: {run.requests} requests for {len(load.targets)} children, "
                "so some were cached"
            )
    # Idle through the runs: a server that keeps connections alive (nginx) has closed its end.
    owner.connection.close()
    first = {
        "form": first_load(owner, paths.form),
        "history": first_load(owner, paths.history),
        "dashboard": first_load(owner, paths.dashboard),
        "table": first_load(owner, paths.table),
        "chart": first_load(owner, paths.chart),
    }
    if paths.pdf:
        first["pdf"] = first_load(owner, paths.pdf)
    swaps = fragments(owner, paths, data)
    statics = static_files(owner, list(first.values()))
    scores = None
    if args.lighthouse:
        scores = {}
        for key, path in (("form", paths.form), ("dashboard", paths.dashboard)):
            url = f"http://{HOST}:{port}{path}"
            scores[key] = lighthouse(args.lighthouse, url, owner.cookie_header, folder / "lh.json")
            print(f"  Lighthouse, {key}: {scores[key]}", flush=True)
    return Results(
        data=data,
        years=args.years,
        seconds=args.seconds,
        runs=runs,
        queries_month={},
        queries_years={},
        chart_ms=[],
        pdf_ms=None,
        loads_first=first,
        fragments=swaps,
        statics=statics,
        scores=scores,
        problems=problems,
    )


def offline_form_ms(port: int, data: DataSet, stop) -> list[float]:
    """The today form opened from the service worker's cache once the server is stopped (no
    signal at all): from asking for the page to its Save button on screen, in Chromium at phone
    size, each time in milliseconds. The page was opened once before, online, as a caregiver's
    use does. `stop` stops the server."""
    from playwright.sync_api import sync_playwright

    base = f"http://{HOST}:{port}"
    owner = Session(port, timeout=30)
    owner.log_in(data.owner, data.password)
    path = f"/children/{data.child}/today/"  # the home screen's way in, redirected to the day
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS.split())
        context = browser.new_context(
            base_url=base, viewport={"width": 390, "height": 844}, is_mobile=True, bypass_csp=True
        )
        context.add_cookies(
            [{"name": name, "value": value, "url": base} for name, value in owner.cookies.items()]
        )
        page = context.new_page()
        page.goto(path)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.goto(path)  # now through the service worker, which keeps it
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
        stop()
        times = []
        for _ in range(OFFLINE_RUNS):
            began = time.perf_counter()
            page.goto(path)
            page.get_by_role("button", name="Save").wait_for(state="visible")
            times.append((time.perf_counter() - began) * 1000)
        browser.close()
    return times


def in_process(results: Results, args) -> None:
    """Queries and cold render times, through the test client against the same database."""
    from journal.models import Child

    data = results.data
    today = Child.objects.get(pk=data.child).today().isoformat()
    month_today = Child.objects.get(pk=data.month_child).today().isoformat()
    results.queries_month = count_queries(data.month_owner, Paths(data.month_child, month_today))
    results.queries_years = count_queries(data.owner, Paths(data.child, today))
    results.queries_month |= count_api_queries(
        data.month_owner, Paths(data.month_child, month_today)
    )
    results.queries_years |= count_api_queries(data.owner, Paths(data.child, today))
    sample = data.other_children[: args.cold_samples]
    cold_times(data.reader, [chart_path(sample[-1])])  # matplotlib's first figure
    results.chart_ms = cold_times(data.reader, [chart_path(child) for child in sample])
    # The reader's session: a GET of the API needs no token (the token's cost is in the load run).
    results.api_year_ms = cold_times(data.reader, [api_year_path(child, today) for child in sample])
    pdfs = [year_pdf_path(child, today) for child in sample[:5]]
    if all(pdfs):
        results.pdf_ms = cold_times(data.reader, pdfs)


REPEATS_HELP = "runs of each page read, the median kept (3)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=200, help="families, 2 children each")
    parser.add_argument("--years", type=float, default=5, help="years of history a child")
    parser.add_argument("--seconds", type=float, default=10, help="length of each load run")
    parser.add_argument("--connections", type=int, default=8, help="wrk's connections (8)")
    parser.add_argument("--repeats", type=int, default=3, help=REPEATS_HELP)
    parser.add_argument("--cold-samples", type=int, default=20, help="children timed cold")
    parser.add_argument("--lighthouse", help="the lighthouse binary (none: Lighthouse not run)")
    parser.add_argument("--doc", type=Path, help="write the tables into this Markdown file")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a check that the bench works: 25 families, 1 year, 1 s runs at 2 connections, "
        "no Lighthouse",
    )
    args = parser.parse_args()
    if args.quick:
        if args.doc:
            parser.error("--quick figures are no benchmark: it never writes --doc")
        args.families, args.years, args.seconds, args.connections, args.cold_samples = (
            25,
            1,
            1,
            2,
            3,
        )
        args.repeats = 2  # the median of runs, checked too
        args.lighthouse = None
    if shutil.which("wrk") is None:
        parser.error("wrk is missing: make bench installs it (apt-get install wrk)")

    began = time.monotonic()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="oms-bench-") as tmp:
        folder = Path(tmp)
        (folder / "bench_settings.py").write_text(
            SETTINGS_MODULE.format(static_root=str(folder / "static"))
        )
        env = run_env(folder, "bench_settings", f"sqlite:///{folder}/bench.sqlite3")
        setup_django(env, folder)
        from django.db import connection

        data = seed(args.families, args.years, password=secrets.token_urlsafe(12))
        print(
            f"Seeded {data.children} children, {data.entries:,} entries, {data.events:,} "
            f"events and {data.courses:,} courses; static files collected "
            f"({time.monotonic() - began:.0f} s).",
            flush=True,
        )
        port = free_port()
        server = start_server(env, port, WORKERS, folder / "gunicorn.log", recycle=False)
        try:
            print(f"gunicorn, {WORKERS} sync workers, on http://{HOST}:{port}:", flush=True)
            results = run_everything(args, data, port, folder)
            results.offline_ms = offline_form_ms(port, data, lambda: stop_server(server))
            print(f"  Today form offline: {results.offline_ms} ms", flush=True)
        finally:
            if server.poll() is None:
                stop_server(server)
        in_process(results, args)
        block = report(results, args, connection.vendor, load_before)
        connection.close()
    print()
    print(block)
    print(f"\nThe bench took {time.monotonic() - began:.0f} s.")
    if args.doc:
        write_doc(args.doc, block, DOC_BEGIN, DOC_END)
        print(f"Wrote the tables to {args.doc}.")
    return 1 if results.problems else 0


if __name__ == "__main__":
    sys.exit(main())
