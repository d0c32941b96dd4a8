"""The installable app's server side: the manifest, the service worker, the session state, the
"Log today" shortcut, saves sent again with the same key, and what an htmx request gets when
the login has expired (tests/browser/test_offline.py tries it all in Chromium)."""

import datetime
import json

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from journal.middleware import ACCOUNT_HEADER, LOGIN_EXPIRED
from journal.models import DailyEntry, DeliveredSave, TriggerEvent
from journal.services import DELIVERY_KEPT
from tests.factories import ChildFactory
from tests.test_conflicts import save_concurrently
from tests.test_views_entries import entry_data, entry_url
from tests.test_views_events import event_data
from tests.view_helpers import HTMX, html_of, text_of

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def keyed(key: str) -> dict[str, str]:
    return {**HTMX, "Idempotency-Key": key}


# --- installing it -----------------------------------------------------------------------------


def test_the_manifest_has_what_a_phone_needs_to_install_the_app(anon_client):
    response = anon_client.get(reverse("manifest"))
    manifest = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert manifest["name"] == manifest["short_name"] == "OMS Journal"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#1d4e6b" and manifest["background_color"]
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix(settings.STATIC_URL))
    [shortcut] = manifest["shortcuts"]
    assert shortcut["name"] == "Log today" and shortcut["url"] == reverse("log_today")


def test_every_page_links_the_manifest_and_registers_the_worker(owner_client, anon_client, child):
    for client, url in ((anon_client, reverse("login")), (owner_client, reverse("home"))):
        html = html_of(client.get(url))
        assert f'rel="manifest" href="{reverse("manifest")}"' in html
        assert "js/offline.js" in html  # it registers /sw.js
    assert 'navigator.serviceWorker.register("/sw.js"' in _static("js/offline.js")


def _static(path: str) -> str:
    with open(finders.find(path), encoding="utf-8") as file:
        return file.read()


def test_the_service_worker_is_served_from_the_root_with_the_shell_it_keeps(anon_client):
    response = anon_client.get("/sw.js")
    script = response.content.decode()
    assert response["Content-Type"] == "text/javascript"
    assert response["Cache-Control"] == "no-cache"
    assert "__VERSION__" not in script
    for path in ("css/app.css", "js/htmx.min.js", "js/offline.js", reverse("offline")):
        assert path in script
    assert '"/accounts/"' in script  # login pages and the session state are never kept


def test_the_offline_page_holds_nothing_of_the_account(owner_client, owner):
    html = html_of(owner_client.get(reverse("offline")))
    assert "No signal" in html
    assert owner.username not in html and "data-account" not in html


def test_a_page_says_whose_it_is_and_logging_out_empties_the_phone(owner_client, owner, child):
    assert owner_client.get(reverse("home"))[ACCOUNT_HEADER] == str(owner.pk)
    response = owner_client.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert ACCOUNT_HEADER not in owner_client.get(reverse("login"))


def test_log_today_opens_the_only_childs_day_or_lets_one_choose(owner, owner_client, child):
    response = owner_client.get(reverse("log_today"))
    assert response.url == reverse("entry_today", args=[child.pk])
    ChildFactory(name="Ada", owner=owner)
    assert owner_client.get(reverse("log_today")).url == reverse("home")


def test_the_session_state_gives_a_fresh_token_and_is_never_kept(owner_client, owner, anon_client):
    response = owner_client.get(reverse("session_state"))
    state = json.loads(response.content)
    assert state["account"] == str(owner.pk) and len(state["csrf"]) == 64
    assert response["Cache-Control"] == "no-store"
    refused = anon_client.get(reverse("session_state"))
    assert refused.status_code == 401 and json.loads(refused.content) == {"account": None}


# --- a day sent twice is stored once -----------------------------------------------------------


def test_a_day_sent_twice_with_its_key_is_stored_once_and_answered_saved(owner_client, child):
    day = child.today()
    data = entry_data(day, rage=2, notes="In the lift")
    first = owner_client.post(entry_url(child, day), data, headers=keyed("k-1"))
    again = owner_client.post(entry_url(child, day), data, headers=keyed("k-1"))
    assert first.status_code == again.status_code == 200
    assert "entry-saved" in again["HX-Trigger"]
    assert "Saved" in text_of(again) and "Changed by" not in text_of(again)
    [entry] = DailyEntry.objects.filter(child=child)
    assert entry.version == 1 and entry.notes == "In the lift"


def test_the_same_day_sent_with_another_key_meets_the_comparison(owner_client, child):
    day = child.today()
    data = entry_data(day, rage=2)
    owner_client.post(entry_url(child, day), data, headers=keyed("k-1"))
    response = owner_client.post(
        entry_url(child, day), entry_data(day, rage=3), headers=keyed("k-2")
    )
    assert response.status_code == 409
    assert DailyEntry.objects.get(child=child).rage == 2


def test_a_refused_save_leaves_its_key_free(owner_client, child):
    day = child.today()
    owner_client.post(entry_url(child, day), entry_data(day), headers=keyed("k-1"))  # empty
    assert not DeliveredSave.objects.exists()
    owner_client.post(entry_url(child, day), entry_data(day, sleep=1), headers=keyed("k-1"))
    assert DailyEntry.objects.get(child=child).sleep == 1


def test_keys_are_each_caregivers_own(owner_client, caregiver_client, child):
    day = child.today()
    owner_client.post(entry_url(child, day), entry_data(day, rage=1), headers=keyed("same"))
    other = caregiver_client.post(
        entry_url(child, day - DAY), entry_data(day - DAY, rage=1), headers=keyed("same")
    )
    assert "entry-saved" in other["HX-Trigger"]
    assert DailyEntry.objects.filter(child=child).count() == 2


def test_a_trigger_sent_twice_with_its_key_is_stored_once(owner_client, child):
    url = reverse("event_add", args=[child.pk])
    data = event_data(type="fever", start_date=child.today().isoformat(), temperature_c="39.1")
    for _ in range(2):
        response = owner_client.post(url, data, headers=keyed("fever-1"))
        assert response["HX-Redirect"] == reverse("event_list", args=[child.pk])
    assert TriggerEvent.objects.filter(child=child).count() == 1


def test_keys_are_forgotten_after_a_year_with_the_next_key_stored(owner_client, child, owner):
    now = timezone.now()
    for key, age in (("old", DELIVERY_KEPT + DAY), ("kept", DELIVERY_KEPT - DAY)):
        stored = DeliveredSave.objects.create(user=owner, key=key)
        DeliveredSave.objects.filter(pk=stored.pk).update(created_at=now - age)
    day = child.today()
    owner_client.post(entry_url(child, day), entry_data(day, rage=1), headers=keyed("new"))
    assert set(DeliveredSave.objects.values_list("key", flat=True)) == {"kept", "new"}
    # Within the year, a day kept on the phone and sent again is still answered as saved.
    again = owner_client.post(entry_url(child, day), entry_data(day, rage=1), headers=keyed("new"))
    assert "entry-saved" in again["HX-Trigger"]
    assert DailyEntry.objects.get(child=child).version == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_day_sent_twice_at_the_same_moment_is_stored_once(child, owner):
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(owner)
    day = child.today()
    data = entry_data(day, ataxia=1)
    answers = save_concurrently(
        [lambda c=c: c.post(entry_url(child, day), data, headers=keyed("k-once")) for c in clients]
    )
    assert [answer.status_code for answer in answers] == [200, 200]
    assert all("entry-saved" in answer["HX-Trigger"] for answer in answers)
    assert DailyEntry.objects.filter(child=child).count() == 1
    assert DeliveredSave.objects.count() == 1


# --- the login expired -------------------------------------------------------------------------


def test_an_htmx_save_after_the_login_expired_gets_401_and_a_sentence(owner_client, child):
    day = child.today()
    Session.objects.all().delete()
    response = owner_client.post(entry_url(child, day), entry_data(day, rage=1), headers=HTMX)
    assert response.status_code == 401
    assert response.content.decode() == LOGIN_EXPIRED
    assert "<html" not in response.content.decode()
    assert not DailyEntry.objects.exists()


def test_a_plain_page_after_the_login_expired_still_goes_to_the_login(owner_client, child):
    Session.objects.all().delete()
    response = owner_client.get(entry_url(child, child.today()))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
