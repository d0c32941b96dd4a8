"""Accounts under attack: the login lockout, password-reset limits, password rules, sessions.

Already covered elsewhere, not repeated here:
- the password rules at signup (common, short, numeric, like the username): BAD_SIGNUPS in
  tests/test_views_accounts.py;
- invitation links work once, can be revoked and expire: test_a_used_link_no_longer_works,
  test_a_revoked_link_no_longer_works, test_an_expired_link_no_longer_works in
  tests/test_views_team.py.
"""

import datetime
import logging
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from journal.views import accounts
from tests.factories import PASSWORD
from tests.view_helpers import error_beside, html_of, text_of

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed attempts; try again in 30 minutes or reset your password."
WRONG = "Please enter a correct username and password"
NEW_PASSWORD = "a-brand-new-passphrase"


def log_in(client: Client, username: str, password: str, url: str | None = None, **extra):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, **extra
    )


def fail_to_log_in(client: Client, username: str, times: int, url: str | None = None, **extra):
    """`times` wrong passwords; returns the last response."""
    response = None
    for _ in range(times):
        response = log_in(client, username, "not-the-password", url, **extra)
    return response


def is_logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def assert_locked_out(response) -> None:
    assert response.status_code == 429
    assert LOCKED in text_of(response)
    assert response["Retry-After"] == str(30 * 60)
    assert reverse("password_reset") in html_of(response)
    assert "<form" not in html_of(response).split("<main", 1)[1]  # nothing to try again with


# --- the lockout ---------------------------------------------------------------------------------


def test_the_settings_lock_out_after_five_failures_for_thirty_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS is True
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_four_wrong_passwords_are_only_refused(anon_client, owner):
    response = fail_to_log_in(anon_client, "olivia", 4)
    assert response.status_code == 200
    assert WRONG in text_of(response)
    assert log_in(anon_client, "olivia", PASSWORD).status_code == 302
    assert is_logged_in(anon_client)


def test_five_wrong_passwords_lock_out_even_the_right_one(anon_client, owner):
    assert_locked_out(fail_to_log_in(anon_client, "olivia", 5))

    response = log_in(anon_client, "olivia", PASSWORD)

    assert_locked_out(response)
    assert not is_logged_in(anon_client)
    attempt = AccessAttempt.objects.get(username="olivia")
    assert attempt.ip_address == "127.0.0.1"
    assert "not-the-password" not in attempt.post_data  # the guesses are never stored


def test_a_lockout_holds_only_that_username_from_that_address(owner, caregiver):
    attacker = Client()
    fail_to_log_in(attacker, "olivia", 5)

    # Another account from the same address logs in.
    assert log_in(attacker, "carl", PASSWORD).status_code == 302
    # The same account from another address logs in.
    at_home = Client(REMOTE_ADDR="203.0.113.9")
    assert log_in(at_home, "olivia", PASSWORD).status_code == 302
    assert is_logged_in(at_home)


def test_after_the_cool_off_the_right_password_works(anon_client, owner):
    fail_to_log_in(anon_client, "olivia", 5)
    # Each attempt during the lockout starts the 30 minutes again, so the page stays true.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=29))
    assert_locked_out(log_in(anon_client, "olivia", PASSWORD))

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))

    response = log_in(anon_client, "olivia", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert is_logged_in(anon_client)


def test_a_successful_login_clears_the_failures(anon_client, owner):
    fail_to_log_in(anon_client, "olivia", 4)
    assert log_in(anon_client, "olivia", PASSWORD).status_code == 302
    anon_client.post(reverse("logout"))

    response = fail_to_log_in(anon_client, "olivia", 4)

    assert response.status_code == 200
    assert WRONG in text_of(response)


def test_resetting_the_password_ends_the_lockout(anon_client, owner):
    fail_to_log_in(anon_client, "olivia", 5)

    anon_client.post(reverse("password_reset"), {"email": "olivia@example.org"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    set_password_url = anon_client.get(link, follow=True).redirect_chain[-1][0]
    done = anon_client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302

    assert log_in(anon_client, "olivia", NEW_PASSWORD).status_code == 302
    assert is_logged_in(anon_client)


def test_the_admin_login_is_locked_out_too(admin_user):
    client = Client()
    url = reverse("admin:login")
    response = fail_to_log_in(client, "admin", 5, url)
    assert_locked_out(response)

    assert_locked_out(log_in(client, "admin", "password", url))
    assert client.get(reverse("admin:index")).status_code == 302  # still not in


def test_the_lockout_counts_the_login_page_and_the_admin_together(admin_user):
    client = Client()
    fail_to_log_in(client, "admin", 3)
    fail_to_log_in(client, "admin", 1, reverse("admin:login"))
    assert_locked_out(fail_to_log_in(client, "admin", 1))


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_address_it_forwarded_counts(owner):
    """Every request comes from the proxy's address; the client is the last X-Forwarded-For entry,
    and what the client put in front of it changes nothing."""
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    attacker = Client(**proxy)
    for made_up in range(5):
        log_in(attacker, "olivia", "nope", HTTP_X_FORWARDED_FOR=f"10.9.9.{made_up}, 198.51.100.7")
    response = log_in(attacker, "olivia", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert_locked_out(response)
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"

    parent = Client(**proxy)
    response = log_in(parent, "olivia", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 302


def test_signing_up_still_logs_in(anon_client):
    """The signup view logs in with an explicit backend, past django-axes' own."""
    response = anon_client.post(
        reverse("signup"),
        {
            "username": "dana",
            "email": "dana@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert is_logged_in(anon_client)


# --- password-reset limits ----------------------------------------------------------------------

RESET_REFUSED = "Password reset not sent"


@pytest.fixture(autouse=True)
def _no_reset_counts(db):
    """Every test starts with no password reset counted (the counts live in the database)."""
    caches["throttle"].clear()


@pytest.fixture
def hour(monkeypatch):
    """The hour the limits count in, moved on by `hour.next()`."""

    class Clock:
        now = 500_000

        def next(self) -> None:
            self.now += 1

    clock = Clock()
    monkeypatch.setattr(accounts, "current_hour", lambda: clock.now)
    return clock


def ask_for_reset(client: Client, email: str, **extra):
    """POST the reset form; the answer is always the redirect to "Check your email"."""
    response = client.post(reverse("password_reset"), {"email": email}, **extra)
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    return response


def test_the_reset_limits_are_three_per_email_and_ten_per_address_an_hour():
    assert settings.PASSWORD_RESET_LIMIT_PER_EMAIL == 3
    assert settings.PASSWORD_RESET_LIMIT_PER_ADDRESS == 10
    throttle = settings.CACHES["throttle"]
    assert throttle["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert throttle["LOCATION"] in connection.introspection.table_names()  # made by migrate


def test_three_reset_emails_an_hour_to_one_email_then_none(anon_client, owner, hour, caplog):
    for email in ("olivia@example.org", "Olivia@Example.org", "OLIVIA@example.org"):
        ask_for_reset(anon_client, email)
    assert [message.to for message in mail.outbox] == [["olivia@example.org"]] * 3
    assert RESET_REFUSED not in caplog.text

    with caplog.at_level(logging.WARNING, logger="journal.views.accounts"):
        response = ask_for_reset(anon_client, "olivia@example.org")

    assert len(mail.outbox) == 3
    assert "Check your email" in text_of(anon_client.get(response.url))
    assert "over 3 emails this hour to one email (asked from 127.0.0.1)" in caplog.text
    assert "olivia" not in caplog.text  # the address asked from, never the email

    # From another address too: it is the email's limit.
    ask_for_reset(Client(REMOTE_ADDR="203.0.113.9"), "olivia@example.org")
    assert len(mail.outbox) == 3


@override_settings(PASSWORD_RESET_LIMIT_PER_ADDRESS=5)
def test_another_email_from_the_same_address_works_until_the_address_limit(
    anon_client, owner, caregiver, hour, caplog
):
    for _ in range(4):  # 3 sent, the 4th refused: still 4 requests from this address
        ask_for_reset(anon_client, "olivia@example.org")
    ask_for_reset(anon_client, "carl@example.org")  # the 5th
    assert [message.to[0] for message in mail.outbox] == ["olivia@example.org"] * 3 + [
        "carl@example.org"
    ]

    with caplog.at_level(logging.WARNING, logger="journal.views.accounts"):
        ask_for_reset(anon_client, "carl@example.org")

    assert len(mail.outbox) == 4
    assert "over 5 requests this hour from 127.0.0.1" in caplog.text
    # Carl's own count was not touched: from another address, his link comes.
    ask_for_reset(Client(REMOTE_ADDR="203.0.113.9"), "carl@example.org")
    assert [message.to[0] for message in mail.outbox][4:] == ["carl@example.org"]


def test_the_counts_start_again_the_next_hour(anon_client, owner, hour):
    for _ in range(4):
        ask_for_reset(anon_client, "olivia@example.org")
    assert len(mail.outbox) == 3

    hour.next()

    ask_for_reset(anon_client, "olivia@example.org")
    assert len(mail.outbox) == 4


@override_settings(TRUSTED_PROXY_COUNT=1, PASSWORD_RESET_LIMIT_PER_ADDRESS=1)
def test_behind_a_proxy_the_reset_limit_counts_the_forwarded_address(owner, caregiver, hour):
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    ask_for_reset(proxy, "olivia@example.org", HTTP_X_FORWARDED_FOR="198.51.100.7")
    ask_for_reset(proxy, "carl@example.org", HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.7")
    assert [message.to[0] for message in mail.outbox] == ["olivia@example.org"]

    ask_for_reset(proxy, "carl@example.org", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert [message.to[0] for message in mail.outbox] == ["olivia@example.org", "carl@example.org"]


def test_an_unknown_email_is_counted_the_same_and_sends_nothing(anon_client, owner, hour):
    for _ in range(4):
        ask_for_reset(anon_client, "nobody@example.org")
    assert mail.outbox == []
    ask_for_reset(anon_client, "olivia@example.org")  # its own count
    assert len(mail.outbox) == 1


def test_the_counts_keep_no_email_in_the_database(anon_client, owner, hour):
    ask_for_reset(anon_client, "olivia@example.org")
    table = connection.ops.quote_name(settings.CACHES["throttle"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")  # noqa: S608 - our own table name
        keys = [row[0] for row in cursor.fetchall()]
    assert len(keys) == 2  # one turn for the address, one for the email
    assert not any("olivia" in key or "127.0.0.1" in key for key in keys)


# --- password rules when changing a password -----------------------------------------------------

BAD_NEW_PASSWORDS = [
    ("common", "password123", "This password is too common."),
    ("short", "k9!x", "This password is too short. It must contain at least 8 characters."),
    ("numeric", "8302749561", "This password is entirely numeric."),
    ("like the username", "olivia-2024", "The password is too similar to the username."),
    ("like the email", "olivia@example", "The password is too similar to the email address."),
]


@pytest.mark.parametrize(
    ("password", "message"),
    [case[1:] for case in BAD_NEW_PASSWORDS],
    ids=[case[0] for case in BAD_NEW_PASSWORDS],
)
def test_a_weak_new_password_is_refused(owner, owner_client, password, message):
    response = owner_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in error_beside(response, "new_password2")
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_the_password_rules_are_explained_beside_the_field(anon_client):
    help_text = text_of(anon_client.get(reverse("signup")))
    assert "at least 8 characters" in help_text
    assert "can\u2019t be a commonly used password" in help_text
    assert "can\u2019t be entirely numeric" in help_text


# --- sessions ------------------------------------------------------------------------------------


def test_a_login_lasts_two_weeks(anon_client, owner):
    assert settings.SESSION_COOKIE_AGE == 14 * 24 * 3600
    response = log_in(anon_client, "olivia", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 14 * 24 * 3600
    session = Session.objects.get(session_key=cookie.value)
    left = session.expire_date - timezone.now()
    assert datetime.timedelta(days=13, hours=23) < left <= datetime.timedelta(days=14)


def test_an_expired_session_is_logged_out(owner_client, child):
    assert owner_client.get(reverse("home")).status_code == 200
    session_key = owner_client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = owner_client.get(reverse("child_detail", kwargs={"child_id": child.pk}))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert "Mia" not in text_of(owner_client.get(response.url))
