"""Playwright fixtures: Debian's Chromium on a phone-sized screen, logging in, and axe checks.

Every test here is marked `browser` and runs against pytest-django's `live_server`; the page's
base URL is the live server, so `page.goto("/")` works. Typical use:

    def test_today_page(page, login, owner, child, axe):
        login(owner)
        page.goto("/")
        expect(page.get_by_role("heading", name="Mia")).to_be_visible()
        axe(page)
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from journal import demo
from journal.models import Child

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# (factories, assertions on the database) must still be allowed.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BROWSER_TESTS = Path(__file__).parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config):
    # pytest-playwright 0.10's stand-in for pytest-base-url defines a session fixture as a method,
    # which pytest 9 deprecates; nothing for us to change.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Session-scoped fixtures defined as instance methods"
        ":pytest.PytestRemovedIn10Warning",
    )


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test, marked or not."""
    for item in items:
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """The system Chromium, never a downloaded one (`playwright install` fails here)."""
    headed = browser_type_launch_args.get("headless") is False  # pytest --headed
    args = [arg for arg in CHROMIUM_ARGS if not (headed and arg == "--headless")]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    """A phone the size of an iPhone 14, in the demo family's language and time zone."""
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "en-GB",
        "timezone_id": "Europe/London",
    }


# A local server answers in well under a second; fail fast rather than after Playwright's 30 s.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture
def context(new_context):
    """The test's browser context (pytest-playwright's), with a 10 s timeout for actions."""
    made = new_context()
    made.set_default_timeout(TIMEOUT_MS)
    return made


@pytest.fixture
def login(context, live_server):
    """`login(user)`: the browser context is logged in as that user, without the login form.

    The session is made by Django's test client and its cookie handed to the browser.
    """

    def log_in(user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "url": live_server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )

    return log_in


@pytest.fixture(scope="session")
def _axe_engine():
    return Axe()


@pytest.fixture
def axe(_axe_engine):
    """`axe(page)`: run axe-core on the page as it is now and fail on any violation.

    `axe(page, context="#main")` checks only part of the page; `options=` goes to axe.run.
    """

    def check(page, context=None, options=None):
        run_options = {"resultTypes": ["violations"], **(options or {})}
        results = _axe_engine.run(page, context=context, options=run_options)
        if results.violations_count:
            pytest.fail(
                f"axe found {results.violations_count} accessibility violation(s) on {page.url}\n"
                + results.generate_report(),
                pytrace=False,
            )
        return results

    return check


# --- more people, screenshots ------------------------------------------------------------------

SHOTS = Path(os.environ.get("BROWSER_SHOTS", "/tmp/browser-shots"))  # noqa: S108 - not the repo


def session_cookie(user, url: str) -> dict:
    """A browser cookie holding a fresh Django session for `user`."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": cookie.value,
        "url": url,
        "httpOnly": True,
        "sameSite": "Lax",
    }


@pytest.fixture
def phone(new_context, live_server):
    """`phone(user=None, **context_args)`: another browser context (pytest-playwright's
    `new_context`, closed after the test), for a second person or without JavaScript
    (`java_script_enabled=False`), logged in as `user` if given. Returns a new page in it.
    """

    def make(user=None, **context_args):
        made = new_context(**context_args)
        made.set_default_timeout(TIMEOUT_MS)
        if user is not None:
            made.add_cookies([session_cookie(user, live_server.url)])
        return made.new_page()

    return make


@pytest.fixture
def shot():
    """`shot(page, "name")`: a full-page screenshot, 390 pixels wide (CSS pixels: half the time of
    the phone's 2x), into /tmp/browser-shots/ (outside the repository; `BROWSER_SHOTS` moves it),
    to look at after the run."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=path, full_page=True, scale="css")
        return path

    return take


@pytest.fixture
def maya(login) -> Child:
    """The demo family's child, 18 months logged, her mother logged in."""
    demo.seed()
    login(get_user_model().objects.get(username="demo"))
    return Child.objects.get(name="Maya")


# Every element a finger taps, smaller than 44x44 CSS pixels (WCAG 2.5.5). A radio button or a
# checkbox is tapped through its label, so the label is measured. A link inside a sentence is
# exempt, as WCAG 2.5.8 exempts it: the text around it keeps other targets away.
SMALL_TARGETS_JS = """
() => {
  const small = [];
  for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (el.closest('.skip, .visually-hidden')) continue;  // a keyboard's, not a finger's
    let box = el.getBoundingClientRect();
    if (el.matches('input[type=radio], input[type=checkbox]')) {
      const label = el.closest('label') || document.querySelector(`label[for="${el.id}"]`);
      if (label) box = label.getBoundingClientRect();
    }
    if (box.width === 0 && box.height === 0) continue;
    if (el.matches('a') && style.display === 'inline') {
      const words = (node) => node.textContent.replace(/\\s+/g, ' ').trim();
      if (words(el.parentElement) !== words(el)) continue;
    }
    if (box.width < 44 || box.height < 44) {
      const name = (el.textContent || el.value || el.name || '').trim().slice(0, 40);
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      small.push(`<${el.tagName.toLowerCase()}> "${name}" ${size}`);
    }
  }
  return small;
}
"""


def small_targets(page) -> list[str]:
    """The tap targets of the page, as it is now, smaller than a finger needs."""
    return page.evaluate(SMALL_TARGETS_JS)
