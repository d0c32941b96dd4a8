"""No signal, an expired login and a shared phone, in Chromium at 390x844.

"No signal" is a server that does not answer: each test runs its own live server on a port of
its own, and stops it (the port refuses every connection, to the page and to the service worker
alike), then starts it again on the same port, the same origin for the browser.
"""

import contextlib
import socket

import pytest
from django.contrib.sessions.models import Session
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from playwright.sync_api import expect

from journal import services
from journal.models import DailyEntry, Role, TriggerEvent
from journal.templatetags.journal import person
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, session_cookie
from tests.browser.test_entry_form import tap_level
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

KEPT = "Kept on this phone: it will be sent when you are online."


# How many days are kept on the phone, read straight from IndexedDB.
KEPT_COUNT = """new Promise((resolve) => {
  const open = indexedDB.open("oms-journal", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("kept", { keyPath: "key" });
  open.onsuccess = () => {
    const count = open.result.transaction("kept").objectStore("kept").count();
    count.onsuccess = () => resolve(count.result);
  };
})"""


# Resolves once the service worker controls the page. Not `page.wait_for_function`: it polls
# with the page's own `eval`, which our Content-Security-Policy refuses whenever the first poll
# finds no controller yet.
CONTROLLED = """navigator.serviceWorker.controller !== null || new Promise((resolve, reject) => {
  navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true), { once: true });
  setTimeout(() => reject(new Error("no service worker took control")), TIMEOUT_MS);
})""".replace("TIMEOUT_MS", str(TIMEOUT_MS))


class ClosingWSGIServer(ThreadedWSGIServer):
    """Django's live server, which also drops its open connections when it stops: a browser's
    kept-alive connection would otherwise still be answered by a stopped server."""

    def process_request(self, request, client_address):
        self.open_sockets = getattr(self, "open_sockets", set())
        self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        getattr(self, "open_sockets", set()).discard(request)
        super().shutdown_request(request)

    def server_close(self):
        super().server_close()
        for open_socket in list(getattr(self, "open_sockets", ())):
            with contextlib.suppress(OSError):
                open_socket.shutdown(socket.SHUT_RDWR)


class ClosingServerThread(LiveServerThread):
    server_class = ClosingWSGIServer

    def _create_server(self, connections_override=None):
        # Started again on the port it left: the same origin for the browser.
        return self.server_class(
            (self.host, self.port),
            QuietWSGIRequestHandler,
            allow_reuse_address=True,
            connections_override=connections_override,
        )


class Server:
    """A live server that can be stopped and started again on the same port."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = None

    def start(self):
        self.thread = ClosingServerThread("127.0.0.1", StaticFilesHandler, port=self.port)
        self.thread.daemon = True
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error

    def stop(self):
        self.thread.terminate()
        self.thread.join()


@pytest.fixture
def server():
    running = Server()
    running.start()
    yield running
    if running.thread.is_alive():
        running.stop()


@pytest.fixture
def browse(browser, server):
    """`browse(user)`: a phone logged in as `user`, its service worker allowed; a new page."""
    contexts = []

    def make(user=None):
        context = browser.new_context(
            base_url=server.url,
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="en-GB",
            timezone_id="Europe/London",
            service_workers="allow",
        )
        context.set_default_timeout(TIMEOUT_MS)
        if user is not None:
            context.add_cookies([session_cookie(user, server.url)])
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def installed(page, *urls):
    """Open the pages once with the service worker in charge, as a caregiver's use does."""
    page.goto("/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for url in urls:
        page.goto(url)
    page.evaluate(CONTROLLED)


def day_url(child, day=None) -> str:
    return f"/children/{child.pk}/entries/{(day or child.today()).isoformat()}/"


def test_the_app_installs_chromium_finds_no_error(playwright, server, owner, child, tmp_path):
    """In a profile of its own: Chromium never offers to install from an incognito one, which
    every other test's context is."""
    context = playwright.chromium.launch_persistent_context(
        tmp_path, executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=server.url
    )
    try:
        context.add_cookies([session_cookie(owner, server.url)])
        page = context.new_page()
        installed(page, day_url(child))
        session = context.new_cdp_session(page)
        assert session.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        assert not session.send("Page.getAppManifest")["errors"]
    finally:
        context.close()


def test_a_day_logged_with_no_signal_is_kept_listed_and_sent_once(
    browse, server, owner, child, shot
):
    page = browse(owner)
    installed(page, day_url(child))
    server.stop()

    page.goto(day_url(child))  # from the service worker's cache
    expect(page.get_by_role("button", name="Save")).to_be_visible()
    tap_level(page, "Rage", 2)
    page.get_by_label("Notes").fill("Rage in the hospital lift")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-state")).to_have_text(KEPT)
    expect(page.locator("#save-state")).not_to_contain_text("Saved")
    expect(page.locator("#kept-days")).to_contain_text("1 day waiting to be sent")
    shot(page, "40-offline-kept")

    page.reload()  # still no signal
    expect(page.locator("#kept-days")).to_contain_text("1 day waiting to be sent")
    page.close()
    page = page.context.new_page()  # the tab closed and opened again
    page.goto(day_url(child))
    expect(page.locator("#kept-days")).to_contain_text("1 day waiting to be sent")
    shot(page, "41-offline-waiting")
    assert not DailyEntry.objects.exists()

    server.start()
    page.reload()  # the next visit sends it
    expect(page.locator("#save-state")).to_contain_text("Saved")
    expect(page.locator("#kept-days")).to_be_hidden()
    [entry] = DailyEntry.objects.filter(child=child)
    assert (entry.rage, entry.notes) == (2, "Rage in the hospital lift")
    page.reload()
    expect(page.locator("#kept-days")).to_be_hidden()
    assert DailyEntry.objects.count() == 1


def test_a_fever_logged_offline_is_sent_when_the_network_returns(browse, server, owner, child):
    page = browse(owner)
    installed(page, f"/children/{child.pk}/events/add/?type=fever")
    server.stop()
    page.context.set_offline(True)

    page.goto(f"/children/{child.pk}/events/add/?type=fever")
    page.get_by_label("Temperature (°C)").fill("39.2")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".save-state")).to_have_text(KEPT)
    expect(page.locator("#kept-days")).to_contain_text("1 trigger waiting to be sent")

    server.start()
    page.context.set_offline(False)  # the browser says "online": sent without a reload
    expect(page.locator("#kept-days")).to_be_hidden(timeout=TIMEOUT_MS)
    [fever] = TriggerEvent.objects.filter(child=child)
    assert fever.type == "fever" and str(fever.temperature_c) == "39.2"


def test_a_kept_day_meets_another_caregivers_newer_save_side_by_side(
    browse, server, owner, caregiver, child
):
    page = browse(owner)
    installed(page, day_url(child))
    server.stop()
    page.goto(day_url(child))
    tap_level(page, "Sleep", 3)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-state")).to_have_text(KEPT)
    services.entry_save(
        entry=DailyEntry(child=child, date=child.today(), sleep=1, notes="Slept well"),
        user=caregiver,
        expected_version=0,
    )

    server.start()
    page.reload()
    conflict = page.locator(".conflict")
    expect(conflict).to_contain_text(f"Changed by {person(caregiver)} while you were editing")
    expect(conflict.locator("table")).to_contain_text("Slept well")
    assert DailyEntry.objects.get(child=child).sleep == 1  # nothing overwritten unseen
    expect(page.locator("#kept-days")).to_contain_text("open it to choose")
    conflict.get_by_role("button", name="Save mine over theirs").click()
    expect(page.locator("#save-state")).to_contain_text("Saved")
    expect(page.locator("#kept-days")).to_be_hidden()
    assert DailyEntry.objects.get(child=child).sleep == 3


def test_a_save_after_the_login_expired_is_kept_and_sent_after_logging_in(
    browse, server, owner, child
):
    page = browse(owner)
    page.goto(day_url(child))
    tap_level(page, "Eyes", 1)
    tap_level(page, "Jerks", 2)
    page.get_by_text("Details: sleep, rage, temperature, doses").click()
    page.get_by_label("Hours slept").fill("9.5")
    page.get_by_label("Notes").fill("Woke at 2 a.m., screaming")
    Session.objects.all().delete()

    page.get_by_role("button", name="Save").click()
    state = page.locator("#save-state")
    expect(state).to_contain_text("Your login has expired. Everything you typed is kept")
    expect(page.locator("form#entry-form input[name=username]")).to_have_count(
        0
    )  # no page swapped in
    expect(page.get_by_label("Notes")).to_have_value("Woke at 2 a.m., screaming")
    state.get_by_role("link", name="log in and it will be sent").click()
    page.get_by_label("Username").fill(owner.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(server.url + day_url(child))
    expect(page.locator("#save-state")).to_contain_text("Saved")
    entry = DailyEntry.objects.get(child=child)
    assert (entry.opsoclonus, entry.myoclonus, str(entry.sleep_hours), entry.notes) == (
        1,
        2,
        "9.50",
        "Woke at 2 a.m., screaming",
    )


def test_logging_out_warns_of_an_unsent_day_then_leaves_nothing_for_the_next(
    browse, server, owner, child, shot
):
    page = browse(owner)
    installed(page, day_url(child))
    server.stop()
    page.goto(day_url(child))
    page.get_by_label("Notes").fill("Not sent")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-state")).to_have_text(KEPT)
    server.start()
    Session.objects.all().delete()  # so that it stays unsent: the login has expired meanwhile

    page.get_by_role("button", name="Log out").click()
    warning = page.locator(".logout-warning")
    expect(warning).to_contain_text(
        "1 day is not sent yet. Logging out deletes it from this phone."
    )
    shot(page, "42-logout-warning")
    warning.get_by_role("button", name="Log out and delete them").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert page.evaluate("caches.has('pages')") is False
    assert page.evaluate(KEPT_COUNT) == 0

    # The next caregiver on this phone, with no signal, never sees the last one's day.
    nina = UserFactory(username="nina")
    MembershipFactory(child=child, user=nina, role=Role.CAREGIVER)
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    installed(page)
    server.stop()
    page.goto(day_url(child))
    expect(page.get_by_role("heading", name="No signal")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Not sent")
    server.start()


def test_a_day_the_server_cannot_save_while_it_restarts_is_kept_then_sent(
    browse, server, owner, child
):
    page = browse(owner)
    page.goto(day_url(child))
    restarting = {"on": True}

    def answer(route):
        if restarting["on"] and route.request.method == "POST":
            route.fulfill(status=503, body="Service Unavailable")
        else:
            route.continue_()

    page.route("**/entries/**", answer)
    page.get_by_label("Notes").fill("Saved during a restart")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-state")).to_contain_text("Kept on this phone")
    expect(page.locator("#save-state")).not_to_contain_text("Saved")
    assert not DailyEntry.objects.exists()

    restarting["on"] = False
    page.reload()
    expect(page.locator("#save-state")).to_contain_text("Saved")
    assert DailyEntry.objects.get(child=child).notes == "Saved during a restart"
