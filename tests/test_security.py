"""Production security: `check --deploy`, HTTPS, the headers and cookies of real responses, and
pages the Content-Security-Policy lets work (no inline script, handler or style).

The test environment serves plain HTTP (conftest's `_test_settings`); the `production` fixture
turns the HTTPS redirect and Secure cookies back on as production has them.
"""

import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import (
    PASSWORD,
    DailyEntryFactory,
    InvitationFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
)
from tests.view_helpers import HTMX, child_url, html_of

ROOT = Path(__file__).resolve().parent.parent
YEAR = 365 * 24 * 3600

# --- manage.py check --deploy --------------------------------------------------------------------

# What the README's "Deploying" asks for; everything else left to its production default.
UNSET_IN_PRODUCTION = (
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the test environment's, for Playwright
)


def production_environment(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in UNSET_IN_PRODUCTION}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="journal.example.org",
        CSRF_TRUSTED_ORIGINS="https://journal.example.org",
        **values,
    )
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_finds_nothing_in_the_documented_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_environment())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "System check identified no issues (0 silenced)." in output


def test_turning_hsts_preload_off_is_the_one_warning_left():
    """The README's trade-off: SECURE_HSTS_PRELOAD=0 is allowed, and check --deploy says so."""
    env = production_environment(SECURE_HSTS_PRELOAD="0")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert re.findall(r"\(([\w.]+)\)", output) == ["security.W021"]


def test_the_lockout_and_proxy_settings_come_from_the_environment():
    env = production_environment(
        AXES_FAILURE_LIMIT="3", AXES_COOLOFF_MINUTES="10", TRUSTED_PROXY_COUNT="1"
    )
    code = (
        "from django.conf import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME, s.TRUSTED_PROXY_COUNT, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    limit, cool_off, proxies, *https = result.stdout.split()
    assert (limit, cool_off, proxies) == ("3", "0:10:00", "1")
    assert https == ["True", "True", "True", str(YEAR), "True", "True"]


def test_every_variable_settings_reads_is_documented():
    """The README's settings table and .env.example list every variable settings.py reads."""
    code = (ROOT / "omstracker" / "settings.py").read_text()
    names = set(re.findall(r'(?:os\.environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"', code))
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    assert {"AXES_FAILURE_LIMIT", "AXES_COOLOFF_MINUTES", "TRUSTED_PROXY_COUNT"} <= names
    assert sorted(name for name in names if f"| `{name}` |" not in readme) == []
    assert sorted(name for name in names if not re.search(rf"^#? ?{name}=", example, re.M)) == []


# --- real responses with production's HTTPS settings ---------------------------------------------


@pytest.fixture
def production():
    """HTTPS redirect and Secure cookies on, as without the test environment's overrides.

    Django's middleware reads its settings when a client first sends a request, so use clients
    made inside this fixture.
    """
    assert settings.SECURE_HSTS_SECONDS >= YEAR  # the test environment keeps production's HSTS
    with override_settings(
        SECURE_SSL_REDIRECT=True, SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True
    ):
        yield


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_plain_http_is_redirected_to_https(production, owner):
    client = Client()
    response = client.get("/accounts/login/?next=/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/?next=/"

    client.force_login(owner)
    response = client.get(reverse("home"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def assert_security_headers(response) -> None:
    hsts = response["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts)[1])
    assert max_age >= YEAR
    assert "includeSubDomains" in hsts
    assert "preload" in hsts

    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = {rule.strip() for rule in response["Permissions-Policy"].split(",")}
    assert {"camera=()", "microphone=()", "geolocation=()"} <= permissions


def test_https_pages_carry_the_security_headers(production, owner, child):
    anonymous = Client()
    assert_security_headers(anonymous.get(reverse("login"), secure=True))
    assert_security_headers(anonymous.get("/no-such-page/", secure=True))

    client = Client()
    client.force_login(owner)
    for response in (
        client.get(reverse("home"), secure=True),
        client.get(child_url("entry_today", child), secure=True, follow=True),
        client.get(child_url("entry_list", child), secure=True, headers=HTMX),
    ):
        assert response.status_code == 200
        assert_security_headers(response)


def test_the_lockout_page_carries_the_security_headers(production, owner):
    client = Client()
    for _ in range(5):
        response = client.post(
            reverse("login"), {"username": "olivia", "password": "nope"}, secure=True
        )
    assert response.status_code == 429
    assert_security_headers(response)


def test_cookies_are_secure_httponly_and_same_site(production, owner):
    client = Client()
    page = client.get(reverse("login"), secure=True)
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"

    response = client.post(
        reverse("login"), {"username": "olivia", "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"


# --- pages the Content-Security-Policy lets work -------------------------------------------------


class InlineCodeFinder(HTMLParser):
    """What `script-src 'self'` / `style-src 'self'` would block, or htmx could only eval."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            elif name == "style":
                self.found.append(f"<{tag} style=...>")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"<{tag} {name}=...>")
            elif name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")
            elif "js:" in (value or "") and name in ("hx-vals", "hx-headers"):
                self.found.append(f"<{tag} {name}=js:...>")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.found


def test_the_inline_code_finder_finds_each_kind():
    html = """
        <script>alert(1)</script><script src="/static/js/app.js"></script>
        <style>p {}</style><p style="color: red" onclick="x()">
        <a href="javascript:x()"></a><button hx-on:click="x()"></button>
        <div hx-vals='js:{a: 1}'></div>
    """
    assert inline_code(html) == [
        "<script> without src",
        "<style> element",
        "<p style=...>",
        "<p onclick=...>",
        "<a href=javascript:...>",
        "<button hx-on:click=...>",
        "<div hx-vals=js:...>",
    ]
    assert inline_code('<body hx-headers=\'{"X-CSRFToken": "abc"}\'><p class="on">') == []


@pytest.fixture
def family_with_history(child, caregiver, viewer):
    """A child with something on every page: an entry, a fever, a course, an invitation."""
    DailyEntryFactory(child=child, notes="Wobbly after nursery.")
    TriggerEventFactory(child=child)
    TreatmentCourseFactory(child=child)
    InvitationFactory(child=child)
    return child


def page_urls(child) -> list[str]:
    return [
        reverse("home"),
        reverse("profile"),
        reverse("password_change"),
        reverse("child_add"),
        child_url("child_detail", child),
        child_url("child_edit", child),
        reverse("entry_form", kwargs={"child_id": child.pk, "day": child.today()}),
        child_url("entry_list", child),
        child_url("event_list", child),
        child_url("event_add", child),
        child_url("treatment_list", child),
        child_url("treatment_add", child),
        child_url("team", child),
        child_url("item_list", child),
    ]


def test_no_page_has_code_the_csp_would_block(owner_client, anon_client, family_with_history):
    child = family_with_history
    pages = {url: owner_client.get(url) for url in page_urls(child)}
    for url in (reverse("login"), reverse("signup"), reverse("password_reset")):
        pages[url] = anon_client.get(url)
    # Forms sent back with their errors, and the fragments htmx swaps in.
    entry_url = reverse("entry_form", kwargs={"child_id": child.pk, "day": child.today()})
    pages["entry form, refused"] = owner_client.post(entry_url, {"sleep_hours": "x"})
    pages["entry form, refused, htmx"] = owner_client.post(
        entry_url, {"sleep_hours": "x"}, headers=HTMX
    )
    pages["history, htmx"] = owner_client.get(child_url("entry_list", child), headers=HTMX)
    pages["event form, refused"] = owner_client.post(child_url("event_add", child), {})
    pages["signup, refused"] = anon_client.post(reverse("signup"), {})

    for name, response in pages.items():
        assert response.status_code == 200, name
        assert inline_code(html_of(response)) == [], name


def test_no_admin_page_has_code_the_csp_would_block(admin_client, family_with_history):
    child = family_with_history
    for url in (
        reverse("admin:index"),
        reverse("admin:journal_child_changelist"),
        reverse("admin:journal_child_change", args=[child.pk]),
        reverse("admin:auth_user_add"),
        reverse("admin:axes_accessattempt_changelist"),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert inline_code(html_of(response)) == [], url


def test_htmx_is_configured_to_need_no_inline_style_or_eval(anon_client, db):
    html = html_of(anon_client.get(reverse("login")))
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', html)[1]
    assert '"includeIndicatorStyles": false' in config
    assert '"allowEval": false' in config
    assert '"allowScriptTags": false' in config
