"""Two app servers at once, on one PostgreSQL and one Redis, behind the real nginx.

scripts/cluster.py starts the whole deployment on loopback (as `make cluster` does): its own
PostgreSQL and Redis servers, two gunicorn servers with the shared cache, and nginx in front
with TRUSTED_PROXY_COUNT=1. Each test talks to the servers over HTTP as a browser would, and
shows that what one server does, the other sees at once: a saved day on the dashboard, chart,
summary and PDF; a login lockout; a revoked share link. It runs in the PostgreSQL and Redis run
of `make test` (it starts servers of its own, whatever the run's database).
"""

import datetime
import io
import re
import secrets
import subprocess
import sys
import threading
import time
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from cluster import Cluster, pg_bin  # noqa: E402
from serving import Session, hidden_value  # noqa: E402

pytestmark = pytest.mark.postgres_run

PASSWORD = secrets.token_urlsafe(12)
TIMEOUT = 30


@pytest.fixture(scope="module")
def cluster():
    with Cluster(servers=2, workers=1, demo_password=PASSWORD) as running:
        yield running


@pytest.fixture(scope="module")
def maya(cluster) -> int:
    return cluster.sql("SELECT id FROM journal_child WHERE name = 'Maya'")[0][0]


def logged_in(port: int, username: str = "demo", source: str | None = None) -> Session:
    session = Session(port, TIMEOUT, source=source)
    assert session.log_in(username, PASSWORD), session.replies[-1]
    return session


def get(session: Session, path: str, headers=None):
    response, body = session.exchange("GET", path, headers=headers)
    return response, body


def csrf_of(session: Session, path: str) -> str:
    _, body = get(session, path)
    return hidden_value(body.decode(), "csrfmiddlewaretoken")


def post(session: Session, path: str, form: dict, htmx=False):
    form = {"csrfmiddlewaretoken": csrf_of(session, path), **form}
    return session.request("post", "POST", path, form, htmx=htmx)


def words(body: bytes) -> str:
    """A page's text as a reader sees it."""
    return " ".join(unescape(re.sub(r"<[^>]*>", " ", body.decode())).split())


def pdf_text(body: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_a_day_saved_on_one_server_is_at_once_on_the_other(cluster, maya):
    one, other = (logged_in(port) for port in cluster.server_ports)
    today = cluster.sql("SELECT (now() AT TIME ZONE time_zone)::date FROM journal_child "
                        "WHERE id = %s", (maya,))[0][0]  # fmt: skip
    chart = f"/children/{maya}/trends/score.svg"
    pdf = f"/children/{maya}/summary.pdf"
    # The other server draws and caches everything before the save.
    _, dashboard = get(other, f"/children/{maya}/")
    assert "Log today" in dashboard.decode()
    chart_before, _ = get(other, chart)
    etag = chart_before.headers["ETag"]
    assert get(other, chart, {"If-None-Match": etag})[0].status == 304
    _, summary = get(other, f"/children/{maya}/summary/")
    question = f"Is the new dose right? ({secrets.token_hex(3)})"
    assert question not in words(summary)
    assert question not in pdf_text(get(other, pdf)[1])

    path = f"/children/{maya}/entries/{today.isoformat()}/"
    shown = get(one, path)[1].decode()
    form = {
        "version": hidden_value(shown, "version"),
        "date": today.isoformat(),
        "opsoclonus": "3",
        "myoclonus": "2",
        "ataxia": "1",
        "sleep": "0",
        "rage": "1",
        "question": question,
    }
    status, text = post(one, path, form, htmx=True)
    assert status == 200
    assert "Saved at" in text

    assert "Logged: daily score 7 out of 15" in words(get(other, f"/children/{maya}/")[1])
    chart_after, _ = get(other, chart, {"If-None-Match": etag})
    assert chart_after.status == 200
    assert chart_after.headers["ETag"] != etag
    assert question in words(get(other, f"/children/{maya}/summary/")[1])
    assert question in pdf_text(get(other, pdf)[1])


def test_a_page_one_server_cached_works_when_the_other_serves_it(cluster, maya):
    """The same browser, its requests sent to one server then the other (as nginx does): the
    form the first drew and cached is served by the second with a CSRF token that works."""
    one = logged_in(cluster.server_ports[0], "demo-dad")
    other = Session(cluster.server_ports[1], TIMEOUT)
    other.cookies = dict(one.cookies)
    day = (datetime.date.today() - datetime.timedelta(days=300)).isoformat()
    path = f"/children/{maya}/entries/{day}/"
    get(one, path)  # drawn and cached by the first server
    shown = get(other, path)[1].decode()  # served from the cache by the second
    form = {"version": hidden_value(shown, "version"), "date": day, "notes": "Either server"}
    form["csrfmiddlewaretoken"] = hidden_value(shown, "csrfmiddlewaretoken")
    status, text = other.request("save", "POST", path, form, htmx=True)
    assert status == 200
    assert "Saved at" in text


def failed_login(session: Session, username: str) -> int:
    form = {"username": username, "password": "not-the-password"}
    status, _ = post(session, "/accounts/login/", form)
    return status


def test_a_lockout_counted_on_one_server_holds_on_the_other(cluster):
    one, other = cluster.server_ports
    for _ in range(4):
        assert failed_login(Session(one, TIMEOUT), "demo-grandma") == 200
    assert failed_login(Session(other, TIMEOUT), "demo-grandma") == 429
    refused = Session(one, TIMEOUT)
    assert not refused.log_in("demo-grandma", PASSWORD)
    assert refused.replies[-1].status == 429


def test_behind_nginx_the_lockout_counts_the_clients_own_address(cluster):
    """Through the real nginx, which appends the address it sees to X-Forwarded-For: a client
    forging that header is still counted by its own address, and locks out no one else."""
    port = cluster.nginx_port
    attacker = Session(port, TIMEOUT, source="127.0.0.2")
    token = csrf_of(attacker, "/accounts/login/")
    for n in range(5):  # nginx takes turns: the attempts go to both servers
        body = f"csrfmiddlewaretoken={token}&username=demo-dad&password=wrong"
        headers = {
            "X-Forwarded-For": f"10.0.0.{n}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        response, _ = attacker.exchange("POST", "/accounts/login/", body, headers)
        assert response.status == (429 if n == 4 else 200)
    assert not Session(port, TIMEOUT, source="127.0.0.2").log_in("demo-dad", PASSWORD)
    assert Session(port, TIMEOUT, source="127.0.0.3").log_in("demo-dad", PASSWORD)
    counted = cluster.sql("SELECT DISTINCT host(ip_address) FROM axes_accessattempt "
                          "WHERE username = 'demo-dad'")  # fmt: skip
    assert counted == [("127.0.0.2",)]
    upstreams = set(re.findall(r"POST /accounts/login/.*upstream=(\S+)", cluster.log(
        "nginx-access.log")))  # fmt: skip
    assert len(upstreams) == 2  # nginx sent the attempts to both servers


def test_a_share_link_revoked_on_one_server_is_dead_on_the_other(cluster, maya):
    one, other = (logged_in(port) for port in cluster.server_ports)
    share = f"/children/{maya}/share/"
    status, _ = post(one, share, {"note": "Dr Lee", "first": "2026-01-01", "days": "30"})
    assert status == 302
    page = get(one, share)[1].decode()
    token = re.search(r"/shared/([\w-]+)/", page).group(1)
    link_id = re.findall(rf"/children/{maya}/share/(\d+)/revoke/", page)[0]
    clinician = Session(other.port, TIMEOUT)
    assert get(clinician, f"/shared/{token}/")[0].status == 200
    assert get(clinician, f"/shared/{token}/summary.pdf")[0].status == 200

    status, _ = post(one, f"/children/{maya}/share/{link_id}/revoke/", {})
    assert status == 302
    assert get(clinician, f"/shared/{token}/")[0].status == 404
    assert get(clinician, f"/shared/{token}/summary.pdf")[0].status == 404


def test_health_through_nginx_names_both_stores(cluster):
    response, body = get(Session(cluster.nginx_port, TIMEOUT), "/health/")
    assert response.status == 200
    assert body == b'{"status": "ok", "database": "ok", "cache": "ok"}'
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    # Each server writes its line once the answer is sent: it may land just after we read it.
    assert logged(cluster, ["nginx-access.log"], f"id={request_id}")
    servers = [f"gunicorn-{n}.log" for n in range(2)]
    assert logged(cluster, servers, f"[{request_id}] journal.requests: GET /health/ 200")


def logged(cluster, names: list[str], line: str, within: float = 5.0) -> bool:
    """Whether `line` is in one of these logs, or appears there within `within` seconds."""
    deadline = time.monotonic() + within
    while line not in "".join(cluster.log(name) for name in names):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_a_pg_dump_taken_while_caregivers_save_restores_every_row(cluster, maya):
    """The README's backup, while the app runs and saves: `pg_dump --format=custom` of the live
    database, restored with `pg_restore` into a new one. Every row of every table is there as
    it was when the dump began, every save answered before it is there, and the restored
    database is the app's schema, fully migrated."""
    session = logged_in(cluster.nginx_port, "demo-dad")
    today = datetime.date.today()
    answered: list[tuple[float, str, str]] = []  # (when answered, day, note)
    refused: list[str] = []
    stop = threading.Event()

    def save_days():
        for back in range(400, 800):
            if stop.is_set():
                return
            day = (today - datetime.timedelta(days=back)).isoformat()
            path = f"/children/{maya}/entries/{day}/"
            shown = get(session, path)[1].decode()
            note = f"Saved during the backup, {day}"
            form = {"version": hidden_value(shown, "version"), "date": day, "notes": note}
            status, text = post(session, path, form, htmx=True)
            if status != 200 or "Saved at" not in text:
                refused.append(f"{day}: {status} {words(text.encode())[-600:]}")
                return
            answered.append((time.monotonic(), day, note))

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 120
        while len(answered) < count and saver.is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(answered) >= count, refused

    saver = threading.Thread(target=save_days)
    saver.start()
    wait_for(5)
    dump = cluster.folder / "oms-journal.dump"
    began = time.monotonic()
    before = dict(table_counts(cluster, "omsjournal"))
    pg = str(pg_bin())
    live = f"postgres://postgres@127.0.0.1:{cluster.pg_port}/omsjournal"
    backup = [f"{pg}/pg_dump", "--format=custom", f"--file={dump}", live]
    subprocess.run(backup, check=True)  # noqa: S603 - the README's command, our own arguments
    dumped = time.monotonic()
    wait_for(len(answered) + 5)  # the saves go on after the dump
    stop.set()
    saver.join(timeout=60)
    assert not refused

    cluster.sql("CREATE DATABASE restored", database="postgres")
    restored = f"postgres://postgres@127.0.0.1:{cluster.pg_port}/restored"
    restore = [f"{pg}/pg_restore", "--no-owner", f"--dbname={restored}", str(dump)]
    subprocess.run(restore, check=True)  # noqa: S603 - as the README restores
    after = dict(table_counts(cluster, "restored"))
    assert set(after) == set(before)
    untouched = {t for t in before if t not in ("journal_dailyentry", "journal_change")}
    untouched -= {"django_session", "axes_accesslog", "axes_accessattempt"}
    assert {t: after[t] for t in untouched} == {t: before[t] for t in untouched}
    assert before["journal_dailyentry"] <= after["journal_dailyentry"]
    in_restore = dict(cluster.sql(
        "SELECT date::text, notes FROM journal_dailyentry WHERE child_id = %s", (maya,),
        database="restored"))  # fmt: skip
    for when, day, note in answered:
        if when < began:
            assert in_restore.get(day) == note
    assert any(in_restore.get(day) != note for when, day, note in answered if when > dumped)
    env = cluster.env | {"DATABASE_URL": restored}
    check = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check", "--noinput"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr


def table_counts(cluster, database: str) -> list[tuple[str, int]]:
    listed = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    tables = [row[0] for row in cluster.sql(listed, database=database)]
    # The names come from PostgreSQL's own catalogue.
    count = 'SELECT count(*) FROM "{}"'
    return [(t, cluster.sql(count.format(t), database=database)[0][0]) for t in tables]
