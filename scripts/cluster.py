"""A whole deployment on this machine, on loopback only: PostgreSQL, Redis, two gunicorn app
servers and nginx in front of them, as the README's deployment section runs it.

    .venv/bin/python scripts/cluster.py [--port 8080] [--servers 2] [--workers 2]
    make cluster

It starts a throwaway PostgreSQL cluster and Redis server (each in a `mktemp -d` folder, on a free
port of 127.0.0.1), migrates, collects the static files, loads the demo family, starts the app
servers (gunicorn with gunicorn.conf.py, REDIS_URL set, TRUSTED_PROXY_COUNT=1) and nginx
(Debian's nginx-light) balancing between them, then serves until Ctrl-C, and removes everything.

The tests (tests/test_cluster.py), the fault run (scripts/faults.py), the backup check and the
bench at scale use the `Cluster` class: each part can be stopped and started again, as a
fault would.
"""

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from serving import (
    HOST,
    ROOT,
    SETTINGS_MODULE,
    free_port,
    run_env,
    start_server,
    stop_server,
)

NGINX_CONF = """\
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format with_id '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                       '$request_time upstream=$upstream_addr id=$request_id';
    access_log {folder}/nginx-access.log with_id;
    client_body_temp_path {folder}/nginx-tmp/body;
    proxy_temp_path {folder}/nginx-tmp/proxy;
    fastcgi_temp_path {folder}/nginx-tmp/fastcgi;
    uwsgi_temp_path {folder}/nginx-tmp/uwsgi;
    scgi_temp_path {folder}/nginx-tmp/scgi;
{site}
}}
"""

# The site as the README's deployment section has it, less TLS (loopback only here).
NGINX_SITE = """\
    upstream oms_journal {{
{servers}
        keepalive 16;
    }}
    server {{
        listen {host}:{port};
        client_max_body_size 5m;
        location / {{
            proxy_pass http://oms_journal;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            proxy_connect_timeout 2s;
            proxy_read_timeout 35s;
            # A POST is never sent to a second server after the first may have run it.
            proxy_next_upstream error timeout;
        }}
    }}
"""


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("no PostgreSQL server under /usr/lib/postgresql (make system-deps)")
    return found[-1].parent


def as_server_user(command: list, folder: Path, **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, cwd=folder, check=True, capture_output=True, **kwargs)


class Cluster:
    """PostgreSQL, Redis, `servers` gunicorn servers and nginx, all on 127.0.0.1."""

    def __init__(
        self,
        servers: int = 2,
        workers: int = 2,
        port: int | None = None,
        demo_password: str | None = None,
        settings: str = SETTINGS_MODULE,
        recycle: bool = True,
    ):
        """`settings`: the run's settings module, with {static_root} to fill in; `recycle`:
        whether gunicorn replaces its workers now and then (serving.start_server)."""
        self.recycle = recycle
        self.demo_password = demo_password
        self.folder = Path(tempfile.mkdtemp(prefix="oms-cluster-", dir="/tmp"))
        self.folder.chmod(0o755)
        self.pg_port, self.redis_port = free_port(), free_port()
        self.nginx_port = port or free_port()
        self.server_ports = [free_port() for _ in range(servers)]
        self.workers = workers
        self.redis: subprocess.Popen | None = None
        self.servers: list[subprocess.Popen | None] = [None] * servers
        self.nginx: subprocess.Popen | None = None
        self.pg_started = False
        (self.folder / "cluster_settings.py").write_text(
            settings.format(static_root=str(self.folder / "static"))
        )
        self.database_url = f"postgres://postgres@{HOST}:{self.pg_port}/omsjournal"
        self.env = run_env(self.folder, "cluster_settings", self.database_url) | {
            "REDIS_URL": f"redis://{HOST}:{self.redis_port}/0",
            "TRUSTED_PROXY_COUNT": "1",
            "LOG_LEVEL": "INFO",
        }

    # --- PostgreSQL ---------------------------------------------------------------------------

    @property
    def pg_data(self) -> Path:
        return self.folder / "pg"

    def start_postgres(self) -> None:
        if not self.pg_started:
            if os.geteuid() == 0:
                shutil.chown(self.folder, "postgres")
            initdb = [str(pg_bin() / "initdb"), "-D", str(self.pg_data), "-U", "postgres"]
            as_server_user([*initdb, "--auth=trust", "--encoding=UTF8", "--locale=C"], self.folder)
        options = f"-h {HOST} -p {self.pg_port} -k {self.folder} -c max_connections=200"
        pg_ctl = [str(pg_bin() / "pg_ctl"), "-D", str(self.pg_data), "-l", "pg.log", "-w"]
        as_server_user([*pg_ctl, "-t", "60", "-o", options, "start"], self.folder)
        if not self.pg_started:
            self.pg_started = True
            self.sql("CREATE DATABASE omsjournal", database="postgres")

    def stop_postgres(self, mode: str = "fast") -> None:
        as_server_user(
            [str(pg_bin() / "pg_ctl"), "-D", str(self.pg_data), "-m", mode, "-w", "stop"],
            self.folder,
        )

    def restart_postgres(self) -> None:
        self.stop_postgres()
        self.start_postgres()

    def connect(self, database: str = "omsjournal") -> psycopg.Connection:
        url = f"postgresql://postgres@{HOST}:{self.pg_port}/{database}"
        return psycopg.connect(url, autocommit=True)

    def sql(self, statement: str, params=(), database: str = "omsjournal") -> list[tuple]:
        with self.connect(database) as connection, connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    # --- Redis --------------------------------------------------------------------------------

    def start_redis(self) -> None:
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.redis_port), "--bind", HOST, "--save", "", "--appendonly", "no",
            "--dir", str(self.folder), "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru",
        ]  # fmt: skip
        with (self.folder / "redis.log").open("a") as log:
            self.redis = subprocess.Popen(command, stdout=log, stderr=log)
        wait_for_port(self.redis_port, self.redis, "redis-server")

    def stop_redis(self) -> None:
        if self.redis is not None:
            stop_process(self.redis)
            self.redis = None

    # --- the app servers and nginx ------------------------------------------------------------

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}")
        return result.stdout

    def start_server(self, n: int) -> None:
        log = self.folder / f"gunicorn-{n}.log"
        self.servers[n] = start_server(
            self.env, self.server_ports[n], self.workers, log, recycle=self.recycle
        )

    def stop_server(self, n: int) -> None:
        if self.servers[n] is not None:
            stop_server(self.servers[n])
            self.servers[n] = None

    def start_nginx(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        for part in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / "nginx-tmp" / part).mkdir(parents=True, exist_ok=True)
        servers = "\n".join(
            f"        server {HOST}:{port} max_fails=1 fail_timeout=2s;"
            for port in self.server_ports
        )
        site = NGINX_SITE.format(servers=servers, host=HOST, port=self.nginx_port)
        conf = self.folder / "nginx.conf"
        conf.write_text(NGINX_CONF.format(folder=self.folder, site=site))
        if os.geteuid() == 0:
            (self.folder / "nginx-tmp").chmod(0o777)
            for part in (self.folder / "nginx-tmp").iterdir():
                part.chmod(0o777)
        command = [nginx, "-c", str(conf), "-p", str(self.folder), "-e", "stderr"]
        with (self.folder / "nginx.log").open("a") as log:
            self.nginx = subprocess.Popen([*command, "-g", "daemon off;"], stdout=log, stderr=log)
        wait_for_port(self.nginx_port, self.nginx, "nginx")

    def log(self, name: str) -> str:
        path = self.folder / name
        return path.read_text(errors="replace") if path.exists() else ""

    # --- all of it ----------------------------------------------------------------------------

    def start(self, demo_password: str | None = None) -> None:
        """Everything, in order: the data stores, the schema and static files, the servers."""
        self.start_postgres()
        self.start_redis()
        self.manage("migrate", "--noinput", "--verbosity", "0")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        if demo_password:
            self.manage("seed_demo", "--password", demo_password)
        for n in range(len(self.servers)):
            self.start_server(n)
        self.start_nginx()

    def stop(self) -> None:
        if self.nginx is not None:
            stop_process(self.nginx)
        for n in range(len(self.servers)):
            with contextlib.suppress(Exception):
                self.stop_server(n)
        self.stop_redis()
        if self.pg_started:
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop_postgres()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "Cluster":
        try:
            self.start(self.demo_password)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_for_port(port: int, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped at start (status {process.returncode})")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not listen on {port} within 30 s")


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1")
    parser.add_argument("--servers", type=int, default=2, help="gunicorn app servers (2)")
    parser.add_argument("--workers", type=int, default=2, help="sync workers a server (2)")
    args = parser.parse_args()
    for tool in ("nginx", "redis-server"):
        if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
            parser.error(f"{tool} is missing: make system-deps installs it")
    password = secrets.token_urlsafe(9)
    cluster = Cluster(args.servers, args.workers, args.port, demo_password=password)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with cluster:
        servers = ", ".join(f"{HOST}:{port}" for port in cluster.server_ports)
        print(
            f"PostgreSQL on {HOST}:{cluster.pg_port}, Redis on {HOST}:{cluster.redis_port}, "
            f"gunicorn on {servers}.\n"
            f"nginx serves http://{HOST}:{cluster.nginx_port}/ : log in as demo, demo-dad or "
            f"demo-grandma with the password {password}.\n"
            f"Logs in {cluster.folder}. Ctrl-C stops everything and removes it.",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
