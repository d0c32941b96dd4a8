"""The README's `make run`, as a newcomer sees it: the server's output ends with how to log in.

The commands `make run` runs, on a database of their own: quiet migrations, the demo seeded,
then the development server, whose last lines must be where to log in and with which password.
"""

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from journal import demo

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def served_output(env: dict, port: int) -> str:
    """What `runserver` prints until it has bound its port, then stop it; at most a minute."""
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = queue.SimpleQueue()
    threading.Thread(target=pour, args=(server.stdout, lines), daemon=True).start()
    try:
        read = []
        deadline = time.monotonic() + 60
        while not read or "password" not in read[-1]:
            try:
                line = lines.get(timeout=max(0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:  # the server has ended
                break
            read.append(line)
        return "".join(read)
    finally:
        server.terminate()
        server.wait(timeout=10)


def pour(stream, lines: queue.SimpleQueue) -> None:
    """Each line of `stream` into `lines`, then None at its end."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def test_make_run_ends_with_where_to_log_in_and_the_password(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        # A newcomer's shell sets none of these; PYTHONUNBUFFERED would hide a server that
        # holds its banner back in a buffer.
        if key not in {"DATABASE_URL", "SECRET_KEY", "REDIS_URL", "PYTHONUNBUFFERED"}
    }
    env |= {
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MPLCONFIGDIR": str(tmp_path),
    }
    migrated = manage("migrate", "--noinput", "--verbosity", "0", env=env)
    assert migrated.stdout == ""
    seeded = manage("seed_demo", "--if-empty", env=env)
    assert demo.DEMO_PASSWORD in seeded.stdout

    port = free_port()
    output = served_output(env, port)

    last_lines = output.rstrip().splitlines()[-2:]
    assert last_lines == [
        f"OMS Journal demo: log in at http://127.0.0.1:{port}/accounts/login/",
        f"  as demo (owner), demo-dad (caregiver), demo-grandma (viewer), "
        f"password {demo.DEMO_PASSWORD}",
    ]
    assert output.index("Starting development server") < output.index("OMS Journal demo")
