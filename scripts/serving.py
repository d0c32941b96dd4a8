"""A throwaway copy of the app served by gunicorn on 127.0.0.1, for the load test and the bench.

What both scripts share: the environment of a run (its own database, settings and static files in
a temporary folder, DEBUG off over plain HTTP), starting and stopping gunicorn, one caregiver's
browser session that logs in through the real login form, and the report's pieces (percentiles,
the machine, the code's version, the figures written between markers of a Markdown file).
"""

import contextlib
import hashlib
import http.client
import http.cookies
import math
import os
import platform
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


# --- the run's environment ---------------------------------------------------------------------

# Settings for a run of the load test, the fault run or `make cluster`: production settings,
# with static files collected into the run's own folder. Manifest storage (hashed names, as in
# production) without WhiteNoise's compression, which takes seconds and only matters for static
# files, which these runs don't fetch.
SETTINGS_MODULE = """\
from omstracker.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
STORAGES = {{
    **STORAGES,  # noqa: F405
    "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}},
}}
"""


def run_env(folder: Path, settings_module: str, database: str) -> dict:
    """The environment of the server and of this process: production settings over plain HTTP,
    a fresh secret key, the run's own settings module (in `folder`) and database."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in ("DEBUG", "DATABASE_URL", "PYTHONPATH")
    } | {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT), str(ROOT / "scripts")]),
        "DATABASE_URL": database,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
        "MPLCONFIGDIR": str(folder / "mpl"),
    }


def setup_django(env: dict, folder: Path) -> None:
    """Make this process run with the server's settings and database, then set Django up."""
    os.environ.clear()
    os.environ.update(env)
    sys.path[:0] = [str(folder), str(ROOT)]
    import django

    django.setup()


def collect_static() -> None:
    """collectstatic into the run's STATIC_ROOT, copied from var/static-runs/ when a run before
    collected the same files with the same storage: WhiteNoise's brotli of every static file
    (the admin's, the API reference's) took a bench's first minutes on a busy machine. The
    copy is found by a digest of each file the finders find, the storage and the versions."""
    from importlib.metadata import version

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    storage = f"{settings.STORAGES['staticfiles']} {settings.STATIC_URL}"
    digest = hashlib.sha256(f"{version('django')} {version('whitenoise')} {storage}".encode())
    found = {}
    for finder in get_finders():
        for path, source in finder.list(["CVS", ".*", "*~"]):
            found.setdefault(path, source.path(path))  # the first found is the one collected
    for path in sorted(found):
        digest.update(path.encode() + b"\0" + Path(found[path]).read_bytes())
    runs = ROOT / "var" / "static-runs" / hashlib.sha256(storage.encode()).hexdigest()[:8]
    kept = runs / digest.hexdigest()[:16]
    root = Path(settings.STATIC_ROOT)
    if kept.is_dir():
        shutil.copytree(kept, root, dirs_exist_ok=True)
        return
    with open(os.devnull, "w") as quiet:
        call_command("collectstatic", interactive=False, verbosity=0, stdout=quiet)
    # The latest of each storage is kept (the bench's compressed files, the load test's
    # plain ones); a copy that fails (another run writing it at the same time) leaves none,
    # and costs only the next run's collectstatic.
    shutil.rmtree(runs, ignore_errors=True)
    with contextlib.suppress(OSError):
        shutil.copytree(root, kept.with_suffix(".tmp"))
        kept.with_suffix(".tmp").rename(kept)  # whole, or not there


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(
    env: dict, port: int, workers: int, log: Path, recycle: bool = True
) -> subprocess.Popen:
    """gunicorn with gunicorn.conf.py (read from the working directory), on `port`.

    recycle=False: its workers are never replaced. gunicorn.conf.py replaces a worker after
    about 2,000 requests, which a bench's load sends in a second or less: its workers would be
    started again all through the runs (Django and the app imported again, their caches in
    memory empty) and a short run could end before the new worker's first answer."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "omstracker.wsgi",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
        "--timeout=30",
        "--graceful-timeout=5",
    ]
    if not recycle:
        command.append("--max-requests=0")
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start:\n{log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return server
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError("gunicorn did not start within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


# --- one caregiver's session -------------------------------------------------------------------


@dataclass
class Reply:
    kind: str
    status: int  # 0: no answer (connection error, timeout)
    seconds: float
    problem: str = ""


HIDDEN_VALUE = r'<input[^>]*name="{name}"[^>]*>'


def hidden_value(html: str, name: str) -> str | None:
    tag = re.search(HIDDEN_VALUE.format(name=re.escape(name)), html)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


class Session:
    """One caregiver's browser: a keep-alive connection where the server allows, and cookies."""

    def __init__(self, port: int, timeout: float, source: str | None = None):
        """`source`: the loopback address to connect from (127.0.0.2, say), as another client
        would; by default the system's choice, 127.0.0.1."""
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(
            HOST, port, timeout=timeout, source_address=(source, 0) if source else None
        )
        self.replies: list[Reply] = []

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def exchange(self, method: str, path: str, body=None, headers=None):
        """(response, raw body bytes) of one request, with the session's cookies, which the
        response updates. Raises OSError or HTTPException when there is no answer."""
        headers = {"Host": f"{HOST}:{self.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        for header in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, raw

    def request(self, kind: str, method: str, path: str, form: dict | None = None, htmx=False):
        """(status, body) of one request, timed and recorded; status 0 when there is no answer."""
        headers = {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers |= {"HX-Request": "true", "HX-Target": "entry-form"}
        began = time.perf_counter()
        try:
            response, raw = self.exchange(method, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()  # the next request opens a new connection
            self.replies.append(Reply(kind, 0, time.perf_counter() - began, repr(error)))
            return 0, ""
        self.replies.append(Reply(kind, response.status, time.perf_counter() - began))
        return response.status, raw.decode()

    def fail(self, problem: str) -> None:
        self.replies[-1].problem = problem

    def page(self, kind: str, path: str) -> str | None:
        status, text = self.request(kind, "GET", path)
        if status != 200 or "</html>" not in text:
            self.fail(f"GET {path}: {status}")
            return None
        return text

    def log_in(self, username: str, password: str) -> bool:
        text = self.page("login", "/accounts/login/")
        token = text and hidden_value(text, "csrfmiddlewaretoken")
        if not token:
            return False
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        status, _ = self.request("login", "POST", "/accounts/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            self.fail(f"login of {username}: {status}")
            return False
        return True


# --- the report --------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def machine(vendor: str) -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 2**20:.0f} GB RAM"
    system = platform.system()
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = line.split("=", 1)[1].strip('"')
    database = f", SQLite {sqlite3.sqlite_version}" if vendor == "sqlite" else ""
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}, {system}, Python {platform.python_version()}"
        f"{database}"
    )


def code_version() -> str:
    git = shutil.which("git")
    if git is None:
        return "unknown"
    run = {"cwd": ROOT, "capture_output": True, "text": True, "check": False}
    commit = subprocess.run([git, "rev-parse", "--short", "HEAD"], **run).stdout.strip()
    dirty = subprocess.run([git, "status", "--porcelain"], **run).stdout.strip()
    return f"{commit or 'unknown'}{' with uncommitted changes' if dirty else ''}"


def write_doc(path: Path, block: str, begin: str, end: str) -> None:
    """Put the run's figures between the markers of the doc, keeping the rest as it is."""
    text = path.read_text() if path.exists() else ""
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
    else:
        head, tail = text + ("\n" if text else ""), "\n"
    path.write_text(f"{head}{begin}\n{block}\n{end}{tail}")
