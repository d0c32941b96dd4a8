"""Reminders (journal/reminders): what is due, at most once, never late at night, the same
wall-clock time across a clock change; email through a real SMTP server; Web Push end to end
against a local endpoint that decrypts what arrives as a phone would; the endpoints accepted."""

import base64
import datetime
import http.server
import json
import socket
import threading
from email import message_from_bytes
from email.policy import default as email_policy

import http_ece
import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from journal.management.commands.vapid_keys import b64, key_pair
from journal.models import DailyEntry, Membership
from journal.reminders import push
from journal.reminders.models import PushSubscription, Reminder, ReminderSent
from journal.reminders.sending import due, scheduled, send_due, stop_link
from tests.test_conflicts import save_concurrently
from tests.view_helpers import text_of

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def reminder(owner, child):
    child.name = "Maya"
    child.save()
    membership = Membership.objects.get(user=owner, child=child)
    return Reminder.objects.create(
        membership=membership, enabled=True, at=datetime.time(20, 0), by_email=True
    )


# --- what is due -------------------------------------------------------------------------------


def test_a_reminder_is_due_at_its_time_only_when_the_day_is_not_logged(reminder, child):
    evening = at("2026-07-10 19:05")  # 20:05 in London (summer time)
    assert [d.day for d in due(evening)] == [datetime.date(2026, 7, 10)]
    assert due(at("2026-07-10 18:55")) == []  # 19:55: not yet
    DailyEntry.objects.create(child=child, date=datetime.date(2026, 7, 10), rage=1)
    assert due(evening) == []


def test_a_reminder_more_than_two_hours_late_is_skipped(reminder):
    assert due(at("2026-07-10 21:00"))  # 22:00 in London: two hours late, still sent
    assert due(at("2026-07-10 21:01")) == []  # later: never at night
    assert due(at("2026-07-11 02:00")) == []


def test_20_00_stays_20_00_across_the_clock_change(reminder):
    before, after = datetime.date(2026, 3, 28), datetime.date(2026, 3, 29)  # BST from the 29th
    assert scheduled(reminder, before).astimezone(UTC) == at("2026-03-28 20:00")
    assert scheduled(reminder, after).astimezone(UTC) == at("2026-03-29 19:00")
    assert [d.day for d in due(at("2026-03-29 19:01"))] == [after]
    autumn = datetime.date(2026, 10, 25)  # GMT again from the 25th
    assert scheduled(reminder, autumn).astimezone(UTC) == at("2026-10-25 20:00")


def test_a_disabled_reminder_is_never_due(reminder):
    reminder.enabled = False
    reminder.save()
    assert due(at("2026-07-10 19:05")) == []


# --- sent at most once -------------------------------------------------------------------------


def test_a_reminder_is_sent_once_however_often_the_sender_runs(reminder):
    now = at("2026-07-10 19:05")
    assert send_due(now) == 1
    assert send_due(now + datetime.timedelta(minutes=5)) == 0
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.get().channels == "email"


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_the_same_moment_send_one_reminder(reminder):
    now = at("2026-07-10 19:05")
    results = save_concurrently([lambda: send_due(now), lambda: send_due(now)])
    assert sorted(results) == [0, 1]
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.count() == 1


def test_the_command_sends_what_is_due(reminder, capsys, monkeypatch):
    monkeypatch.setattr("journal.reminders.sending.timezone.now", lambda: at("2026-07-10 19:05"))
    call_command("send_reminders")
    assert "Sent 1 reminder." in capsys.readouterr().out
    assert mail.outbox[0].subject == "Time to log Maya's day"


# --- email, through a real SMTP server ---------------------------------------------------------


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=controller.port,
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    ):
        yield inbox
    controller.stop()


def test_the_email_names_the_child_and_nothing_of_their_health(reminder, child, smtp, owner):
    DailyEntry.objects.create(child=child, date=datetime.date(2026, 7, 9), rage=3, notes="Fever")
    send_due(at("2026-07-10 19:05"))
    [envelope] = smtp.messages
    message = message_from_bytes(envelope.content, policy=email_policy)
    assert envelope.rcpt_tos == [owner.email]
    assert message["Subject"] == "Time to log Maya's day"
    body = message.get_content()
    assert f"/children/{child.pk}/entries/2026-07-10/" in body  # opens the day's form
    for health in ("Fever", "score", "rage", "relapse", "3"):
        assert health not in message["Subject"] + body.split("http")[0]
    stop = message["List-Unsubscribe"].strip().strip("<>")
    assert "/reminders/stop/" in stop and stop in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


# --- the one-tap stop --------------------------------------------------------------------------


def test_the_stop_link_asks_once_and_a_tap_stops_it(reminder):
    path = stop_link(reminder).split("testserver")[-1].split("8000")[-1]
    client = Client(enforce_csrf_checks=True)  # as a mail client's one-click POST comes
    assert "Stop reminding me" in text_of(client.get(path))
    reminder.refresh_from_db()
    assert reminder.enabled  # opening the link changes nothing
    assert "No more reminders" in text_of(client.post(path))
    reminder.refresh_from_db()
    assert not reminder.enabled


def test_a_forged_stop_link_is_not_found(reminder, anon_client):
    token = stop_link(reminder).rstrip("/").rsplit("/", 1)[-1]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert anon_client.post(reverse("reminder_stop", args=[forged])).status_code == 404
    reminder.refresh_from_db()
    assert reminder.enabled


# --- the settings page -------------------------------------------------------------------------


def test_a_caregiver_chooses_when_and_how(owner_client, owner, child):
    url = reverse("reminder_settings", args=[child.pk])
    page = owner_client.get(url)
    assert f"Time to log {child.name}'s day" in text_of(page)
    data = {"enabled": "on", "at": "20:30", "by_email": "on"}
    owner_client.post(url, data)
    saved = Reminder.objects.get(membership__user=owner)
    assert saved.enabled and saved.at == datetime.time(20, 30) and saved.by_email


def test_reminding_with_no_way_chosen_is_refused(owner_client, child):
    url = reverse("reminder_settings", args=[child.pk])
    response = owner_client.post(url, {"enabled": "on", "at": "20:00"})
    assert "Choose how to be reminded" in text_of(response)
    assert not Reminder.objects.exists()


def test_a_time_outside_the_evening_is_refused(owner_client, child):
    url = reverse("reminder_settings", args=[child.pk])
    response = owner_client.post(url, {"enabled": "on", "at": "02:30", "by_email": "on"})
    assert "Select a valid choice" in text_of(response)
    assert not Reminder.objects.exists()


# --- Web Push, end to end ----------------------------------------------------------------------


class PushService(http.server.BaseHTTPRequestHandler):
    """A push service on loopback: keeps what it receives, answers `status`."""

    received: list = []
    status = 201

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(type(self).status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def push_service(settings):
    PushService.received = []
    PushService.status = 201
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PushService)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    public, private = key_pair()
    settings.PUSH_SERVICE_ORIGINS = [*settings.PUSH_SERVICE_ORIGINS, origin]
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = public, private
    yield origin
    server.shutdown()


@pytest.fixture
def phone(owner, push_service):
    """A phone's subscription: its own key pair and auth secret, as a browser makes them."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    auth = b"sixteen-byte-key"
    subscription = PushSubscription.objects.create(
        user=owner, endpoint=f"{push_service}/send/phone-1", p256dh=b64(public), auth=b64(auth)
    )
    return subscription, key, auth


def test_a_push_reminder_arrives_encrypted_and_the_phone_reads_it(reminder, child, phone):
    _, key, auth = phone
    reminder.by_email, reminder.by_push = False, True
    reminder.save()
    assert send_due(at("2026-07-10 19:05")) == 1
    [(headers, body)] = PushService.received
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")
    message = json.loads(http_ece.decrypt(body, private_key=key, auth_secret=auth))
    assert message["title"] == "Time to log Maya's day"
    assert message["url"].endswith(f"/children/{child.pk}/entries/2026-07-10/")
    assert "rage" not in json.dumps(message).lower()
    assert ReminderSent.objects.get().channels == "push"


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_service_says_is_gone_is_removed(reminder, phone, status):
    PushService.status = status
    reminder.by_email, reminder.by_push = False, True
    reminder.save()
    send_due(at("2026-07-10 19:05"))
    assert not PushSubscription.objects.exists()


def test_a_subscription_survives_a_passing_refusal(reminder, phone):
    PushService.status = 500
    reminder.by_email, reminder.by_push = False, True
    reminder.save()
    send_due(at("2026-07-10 19:05"))
    assert PushSubscription.objects.count() == 1


def test_vapid_keys_prints_a_pair_pywebpush_and_browsers_read(capsys):
    call_command("vapid_keys")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    public = base64.urlsafe_b64decode(lines["VAPID_PUBLIC_KEY"] + "==")
    assert len(public) == 65 and public[0] == 4  # an uncompressed P-256 point
    assert len(base64.urlsafe_b64decode(lines["VAPID_PRIVATE_KEY"] + "==")) == 32


# --- which endpoints are accepted --------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/QGx",
        "https://wns2-par02p.notify.windows.com/w/?token=abc",
    ],
)
def test_the_major_browsers_push_services_are_accepted(endpoint):
    assert push.checked_endpoint(endpoint) == endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",  # not https
        "https://evil.example.com/fcm/send/abc",  # another host
        "https://fcm.googleapis.com.evil.example/x",  # a known name inside another
        "https://fcm.googleapis.com:8443/x",  # another port
        "https://user:pw@fcm.googleapis.com/x",  # credentials
        "https://127.0.0.1/x",  # loopback
        "https://localhost/x",
        "https://[::1]/x",
        "https://10.0.0.5/x",  # private
        "https://192.168.1.1/x",
        "https://169.254.169.254/latest/meta-data/",  # link-local (cloud metadata)
        "https://notify.windows.com/x",  # the wildcard's bare domain
        "ftp://fcm.googleapis.com/x",
        "not a url",
    ],
)
def test_any_other_endpoint_is_refused(endpoint):
    with pytest.raises(push.EndpointRefused):
        push.checked_endpoint(endpoint)


def test_a_phone_subscribes_only_to_a_known_push_service(owner_client, owner):
    url = reverse("push_subscribe")
    keys = {"p256dh": "BNc", "auth": "c2l4"}
    refused = owner_client.post(
        url, {"endpoint": "https://127.0.0.1/x", "keys": keys}, content_type="application/json"
    )
    assert refused.status_code == 400 and not PushSubscription.objects.exists()
    endpoint = "https://fcm.googleapis.com/fcm/send/abc"
    sent = {"endpoint": endpoint, "keys": keys}
    assert owner_client.post(url, sent, content_type="application/json").json() == {"phones": 1}
    removed = owner_client.post(
        reverse("push_unsubscribe"), {"endpoint": endpoint}, content_type="application/json"
    )
    assert removed.json() == {"phones": 0}
