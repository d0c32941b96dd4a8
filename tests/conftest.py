"""Fixtures for every test: a child and its care team, another family, and a client per role.

The people:

- `owner` owns `child`; `caregiver` and `viewer` are on its care team with those roles.
- `stranger` owns `stranger_child`, in another family: nothing of `child` is theirs to see.

`owner_client`, `caregiver_client`, `viewer_client`, `stranger_client` are Django test clients
logged in as each; `anon_client` is logged in as nobody; `client_for(user)` makes one for anyone.

Settings come from the environment as in production (see the Makefile's test target: DEBUG off,
SECRET_KEY=test-only-key). The session fixture below makes the few changes tests need whatever the
environment says, so a bare run needs only a key: `SECRET_KEY=x .venv/bin/pytest -k invitation`.
"""

import os

import factory.random
import hypothesis
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from journal.models import Role
from tests.factories import ChildFactory, MembershipFactory, UserFactory

factory.random.reseed_random("oms-journal")

# No example database (.hypothesis/ in the working tree) and no per-example deadline, which a busy
# 2-core CI machine would trip at random.
hypothesis.settings.register_profile("oms-journal", database=None, deadline=None)
hypothesis.settings.load_profile("oms-journal")


# Fixtures through which a test opens the test database (pytest-django's own names).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that open the database or need the PostgreSQL run's servers "
        "(make test-postgres: the others ran in make test-sqlite already, and the database is "
        "the only thing that differs)",
    )


def opens_database(item) -> bool:
    return bool(
        item.get_closest_marker("django_db")
        or item.get_closest_marker("postgres_run")
        or DATABASE_FIXTURES & set(item.fixturenames)
    )


def pytest_collection_modifyitems(config, items):
    """With --database-tests-only, a test that never opens the database (pure analysis, charts,
    a script's own SQLite file) is left to the SQLite run: run twice it can only fail twice.
    A `postgres_run` test is skipped outside the PostgreSQL and Redis run."""
    if not os.environ.get("REDIS_URL"):
        skip = pytest.mark.skip(
            reason="starts its own servers: runs in the PostgreSQL and Redis run"
        )
        for item in items:
            if item.get_closest_marker("postgres_run"):
                item.add_marker(skip)
    if not config.getoption("--database-tests-only"):
        return
    elsewhere = [item for item in items if not opens_database(item)]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if opens_database(item)]


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} {connection.settings_dict['NAME'] or ''}".rstrip()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory):
    """SQLite tests use a file, as production does, not Django's shared in-memory database.

    Shared-cache memory databases lock whole tables and fail at once ("database table is
    locked") when two threads write, so the concurrent-save tests could not be honest there.
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        test_name = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(test_name)


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    """Plain HTTP, fast password hashing, and static files straight from the finders.

    Static files: Django's manifest storage needs collectstatic, and the live server used by the
    browser tests serves from the finders, so tests use plain StaticFilesStorage (Django's own
    advice). STATIC_ROOT points at an empty folder so WhiteNoise doesn't warn it is missing.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        STATIC_ROOT=tmp_path_factory.mktemp("staticfiles"),
    ):
        yield


# --- the pseudo-language (scripts/translations.py) ----------------------------------------------

PSEUDO = "en-xa"


@pytest.fixture(scope="session")
def pseudo_catalogs(tmp_path_factory):
    """The en_XA catalogs, made from the messages the code has now (and Django's own): a folder
    for LOCALE_PATHS. Made once per run, in a few seconds."""
    from scripts.translations import build_pseudo

    return build_pseudo(tmp_path_factory.mktemp("pseudo-locale"))


@pytest.fixture
def pseudo_language(pseudo_catalogs):
    """The pseudo-language `en-xa` shipped for this test only: every message "[Ŀîķé ţĥîš]"."""
    with override_settings(
        LANGUAGES=[*settings.LANGUAGES, (PSEUDO, "Pseudo-English")],
        LOCALE_PATHS=[pseudo_catalogs, *settings.LOCALE_PATHS],
    ):
        yield PSEUDO


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: a rolled-back test may leave a child's id free for
    the next test's child, whose cached charts must not be the last one's."""
    cache.clear()


# --- people and their children -----------------------------------------------------------------


@pytest.fixture
def owner(db):
    return UserFactory(username="olivia", first_name="Olivia")


@pytest.fixture
def child(owner):
    return ChildFactory(name="Mia", owner=owner)


@pytest.fixture
def caregiver(child):
    user = UserFactory(username="carl", first_name="Carl")
    MembershipFactory(child=child, user=user, role=Role.CAREGIVER)
    return user


@pytest.fixture
def viewer(child):
    user = UserFactory(username="vera", first_name="Vera")
    MembershipFactory(child=child, user=user, role=Role.VIEWER)
    return user


@pytest.fixture
def stranger(db):
    return UserFactory(username="sam", first_name="Sam")


@pytest.fixture
def stranger_child(stranger):
    return ChildFactory(name="Noah", owner=stranger)


# --- clients -----------------------------------------------------------------------------------


@pytest.fixture
def client_for(db):
    """`client_for(user)`: a fresh test client logged in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def owner_client(client_for, owner):
    return client_for(owner)


@pytest.fixture
def caregiver_client(client_for, caregiver):
    return client_for(caregiver)


@pytest.fixture
def viewer_client(client_for, viewer):
    return client_for(viewer)


@pytest.fixture
def stranger_client(client_for, stranger, stranger_child):
    return client_for(stranger)


@pytest.fixture
def anon_client(db):
    return Client()
