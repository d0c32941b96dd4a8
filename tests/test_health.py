"""The health endpoint, the request ids and the request log, and the cache that fails open.

The Redis cache is tested against a real Redis server (Debian's redis-server) that each test
starts on a free loopback port and stops, so that "Redis down" is a real refused connection.
"""

import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.db import OperationalError
from django.test import override_settings

from journal.cache import FailOpenRedisCache
from journal.middleware import DatabaseUnavailableMiddleware, RequestIdMiddleware

pytestmark = pytest.mark.django_db


def test_health_says_database_and_cache_and_nothing_else(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert set(body) == {"status", "database", "cache"}
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["cache"] in {"ok", "local"}
    assert "sessionid" not in response.cookies


def test_health_is_503_when_the_database_does_not_answer(client, monkeypatch):
    monkeypatch.setattr("journal.views.health.database_state", lambda: "unreachable")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_answers_over_plain_http_when_pages_redirect_to_https(client):
    assert client.get("/health/").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_each_response_carries_a_new_request_id_and_is_logged_with_it(client, caplog):
    caplog.set_level(logging.INFO, logger="journal.requests")
    first = client.get("/accounts/login/", HTTP_X_REQUEST_ID="forged-by-the-client-1")
    second = client.get("/accounts/login/")
    ids = [first["X-Request-ID"], second["X-Request-ID"]]
    assert len(set(ids)) == 2
    assert "forged-by-the-client-1" not in ids  # no proxy is trusted: the client's is ignored
    lines = [r for r in caplog.records if r.name == "journal.requests"]
    assert [r.request_id for r in lines] == ids
    assert lines[0].getMessage().startswith("GET /accounts/login/ 200 ")


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_its_request_id_is_kept_unless_malformed(rf):
    middleware = RequestIdMiddleware(lambda request: None)
    assert middleware.request_id(rf.get("/", HTTP_X_REQUEST_ID="a" * 32)) == "a" * 32
    bad = middleware.request_id(rf.get("/", HTTP_X_REQUEST_ID="a b\nforged log line"))
    assert len(bad) == 32
    assert " " not in bad


def test_a_database_out_of_reach_is_a_503_saying_nothing_was_saved(rf):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = rf.post("/children/1/today/")
    response = middleware.process_exception(request, OperationalError("server closed"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "nothing from this page was saved" in response.content.decode()
    assert middleware.process_exception(request, ValueError("a bug")) is None


# --- the Redis cache, failing open -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path):
    """A real Redis on a free loopback port, stopped at the end; yields (port, stop, start)."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: make system-deps installs it")
    port = free_port()
    command = [
        shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", str(tmp_path),
    ]  # fmt: skip
    servers = []

    def start():
        servers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))  # noqa: S603
        client = redis.Redis(port=port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while not answers(client):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop():
        servers[-1].terminate()
        servers[-1].wait(timeout=10)

    start()
    yield port, stop, start
    if servers[-1].poll() is None:
        stop()


def answers(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.exceptions.ConnectionError:
        return False


def redis_cache(port: int) -> FailOpenRedisCache:
    return FailOpenRedisCache(
        f"redis://127.0.0.1:{port}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
    )


def test_the_redis_cache_keeps_values_and_fails_open_while_redis_is_down(
    redis_server, monkeypatch, caplog
):
    port, stop, start = redis_server
    cache = redis_cache(port)
    cache.set("page", "<html>", 60)
    assert cache.get("page") == "<html>"
    assert cache.reachable()

    stop()
    began = time.monotonic()
    assert cache.get("page") is None  # a miss: the page is drawn from the database
    assert cache.get("page", "default") == "default"
    assert cache.get_many(["page"]) == {}
    assert cache.set("page", "<html> again", 60) is None
    assert cache.add("other", 1) is False
    assert not cache.reachable()
    assert time.monotonic() - began < 2  # a refused connection costs no wait
    assert "Cache unreachable" in caplog.text

    start()
    assert cache.get("page") is None  # still left alone for RETRY_SECONDS after a failure
    monkeypatch.setattr("journal.cache.RETRY_SECONDS", 0)
    cache.down_until = 0.0
    cache.set("page", "<html> back", 60)
    assert cache.get("page") == "<html> back"
    assert "Cache reachable again" in caplog.text


def test_a_redis_that_does_not_answer_holds_a_request_at_most_its_timeout(monkeypatch):
    """A port that accepts connections and never answers: the cache gives up in time."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        cache = redis_cache(silent.getsockname()[1])
        began = time.monotonic()
        assert cache.get("page") is None
        assert time.monotonic() - began < 1.5
        began = time.monotonic()
        assert cache.get("page") is None  # left alone now: no wait at all
        assert time.monotonic() - began < 0.1
