"""The today form and the dashboard, drawn once per version of the journal (journal/pages.py):
each caregiver's own copy, never stale, never another's, with a CSRF token of its own."""

import datetime
import gzip
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from journal import pages
from journal.models import DailyEntry, Membership, Role
from tests.view_helpers import HTMX, text_of, value_of

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
TOKEN_VALUE = re.compile(r'(?:name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")([^"]+)')


def form_url(child, day: datetime.date | None = None) -> str:
    return reverse("entry_form", args=[child.pk, day or child.today()])


def dashboard_url(child) -> str:
    return reverse("child_detail", args=[child.pk])


def history_url(child) -> str:
    return reverse("entry_list", args=[child.pk])


def table_url(child) -> str:
    return reverse("chart_table", args=[child.pk, "score"])


ALL_PAGES = [form_url, dashboard_url, history_url, table_url]


def without_tokens(response) -> str:
    return without_tokens_text(response.content.decode())


def without_tokens_text(html: str) -> str:
    return TOKEN.sub(r"\1", html)


def save(client, child, **values):
    day = child.today()
    data = {"date": day.isoformat(), "version": value_of(client.get(form_url(child)), "version")}
    return client.post(form_url(child), {**data, **values}, headers=HTMX)


@pytest.mark.parametrize("url", ALL_PAGES)
def test_a_page_seen_again_costs_only_the_access_check(owner_client, child, url):
    first = owner_client.get(url(child))
    with CaptureQueriesContext(connection) as queries:
        again = owner_client.get(url(child))
    assert again.status_code == 200
    assert without_tokens(again) == without_tokens(first)
    tables = [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in queries.captured_queries]
    assert tables == ["django_session", "auth_user", "journal_membership"]


def html_of(response) -> str:
    if response.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.content).decode()
    return response.content.decode()


@pytest.mark.parametrize("encoding", ["", "gzip, deflate, br"])
@pytest.mark.parametrize("url", ALL_PAGES)
def test_each_response_carries_its_own_working_csrf_token(owner, child, url, encoding):
    client = Client(enforce_csrf_checks=True, headers={"Accept-Encoding": encoding})
    client.force_login(owner)
    drawn = html_of(client.get(url(child)))
    cached = html_of(client.get(url(child)))
    assert pages.TOKEN_MARK not in cached
    tokens = [set(TOKEN_VALUE.findall(page)) for page in (drawn, cached)]
    assert [len(found) for found in tokens] == [1, 1]  # the same in every place of a page
    assert tokens[0] != tokens[1]
    saved = client.post(
        form_url(child),
        {
            "csrfmiddlewaretoken": tokens[1].pop(),
            "date": child.today().isoformat(),
            "version": "0",
            "rage": "1",
        },
    )
    assert saved.status_code == 302
    assert DailyEntry.objects.filter(child=child).exists()


@pytest.mark.parametrize("url", ALL_PAGES)
def test_a_browser_gets_the_page_kept_compressed_the_same_as_a_client_without_gzip(
    owner_client, child, url
):
    plain = owner_client.get(url(child))
    for _ in range(2):  # drawn, then from the cache
        compressed = owner_client.get(url(child), headers={"Accept-Encoding": "gzip"})
        assert compressed["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in compressed["Vary"]
        assert int(compressed["Content-Length"]) == len(compressed.content)
        assert without_tokens_text(html_of(compressed)) == without_tokens(plain)
        assert len(compressed.content) < len(plain.content) / 2
    assert "Content-Encoding" not in plain
    assert "Accept-Encoding" in plain["Vary"]


def test_a_save_shows_on_the_pages_at_once(owner_client, child):
    assert "Log today" in text_of(owner_client.get(dashboard_url(child)))
    owner_client.get(form_url(child))
    response = save(owner_client, child, opsoclonus="3", notes="A hard morning")
    assert response.status_code == 200
    assert "Logged: daily score 3 out of 15" in text_of(owner_client.get(dashboard_url(child)))
    form = owner_client.get(form_url(child))
    assert value_of(form, "opsoclonus") == "3"
    assert value_of(form, "notes") == "A hard morning"


def test_a_save_shows_in_the_history_and_the_table_at_once(owner_client, child):
    history = owner_client.get(history_url(child)).content.decode()
    table = owner_client.get(table_url(child)).content.decode()
    assert "A hard morning" not in history
    save(owner_client, child, opsoclonus="3", notes="A hard morning")
    assert "A hard morning" in text_of(owner_client.get(history_url(child)))
    assert owner_client.get(table_url(child)).content.decode() != table


@pytest.mark.parametrize("url", [history_url, table_url])
def test_the_fragment_and_the_page_are_kept_apart(owner_client, child, url):
    page = owner_client.get(url(child)).content.decode()
    fragment = owner_client.get(url(child), headers=HTMX).content.decode()
    assert "<html" in page
    assert "<html" not in fragment
    assert "<html" in owner_client.get(url(child)).content.decode()


def test_each_period_of_the_table_is_its_own_page(owner_client, child):
    month = owner_client.get(table_url(child), {"range": "4w"}).content.decode()
    year = owner_client.get(table_url(child), {"range": "1y"}).content.decode()
    assert without_tokens_text(month) != without_tokens_text(year)


def test_each_caregiver_sees_their_own_role_at_once(owner_client, client_for, viewer, child):
    assert "Edit these details" in text_of(owner_client.get(dashboard_url(child)))
    viewer_client = client_for(viewer)
    page = text_of(viewer_client.get(dashboard_url(child)))
    assert "Edit these details" not in page
    assert "Log today" not in page
    Membership.objects.filter(user=viewer).update(role=Role.CAREGIVER)
    assert "Log today" in text_of(viewer_client.get(dashboard_url(child)))
    assert "your role is viewer" not in text_of(viewer_client.get(form_url(child)))


def test_a_message_is_shown_once_and_never_kept(owner_client, child):
    owner_client.get(dashboard_url(child))
    tomorrow = child.today() + datetime.timedelta(days=1)
    shown = owner_client.get(form_url(child, tomorrow), follow=True)
    assert "That day hasn't happened yet." in text_of(shown)
    assert "That day hasn't happened yet." not in text_of(owner_client.get(form_url(child)))


def test_a_new_day_draws_the_pages_again(owner_client, child, monkeypatch):
    owner_client.get(dashboard_url(child))
    owner_client.get(form_url(child))
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    day = child.today()
    assert f"Today, {day:%A} {day.day} {day:%B}" in text_of(owner_client.get(dashboard_url(child)))
    assert f"Today {day.day} {day:%B %Y}" in text_of(owner_client.get(form_url(child)))
