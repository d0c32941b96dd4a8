"""Whatever the forms accept, every reader of the journal shows: a property test of the house.

Each example builds one child's journal through the forms, as a caregiver would type it, from
values at and past every bound: birth dates from the year 1 to today, journal dates at birth and
today, ends and planned steps up to the year 9999, names and notes with HTML and ReportLab
markup, TeX (`$\\foo$`), right-to-left text, emoji and 4,000 characters. Whatever a form refuses
is not stored; whatever it takes is. Then each member of the care team (owner, caregiver,
viewer) asks for every page of the child the access table lists for them (fragments, charts,
tables, the summary and its PDF, the downloads), with the widest periods the pages take, and a
clinician opens the share link: never a 5xx, and never longer than a few seconds.

A base of logged days ends in a possible relapse, so that the status sentence, the episodes,
their possible triggers and the illness-associated rule all run on what was typed.
"""

import datetime
import time
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from journal import trends
from journal.models import Child, Role, ShareLink
from journal.services import hash_token
from tests.factories import DailyEntryFactory, MembershipFactory, UserFactory
from tests.test_access import DOWNLOAD, PAGE, ROWS, SVG
from tests.test_views_entries import entry_data
from tests.test_views_events import event_data
from tests.test_views_treatments import course_data

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
# What a request may take and weigh. The time is generous for a 2-core CI machine shared with
# other work (a summary PDF of long notes took 15 s at a load average of 18); the size is the
# sure guard: a table of a century was 4.4 MB (and 30 s), ten years are about 0.4 MB.
SLOWEST = 20.0
HEAVIEST = 1_500_000
ROLES = ("owner", "caregiver", "viewer")
SHARE_TOKEN = "any-journal-share-link"
FAR_DATES = (datetime.date.min, datetime.date(1899, 12, 31), datetime.date(1900, 1, 1))
LATE_DATES = (datetime.date.max,)

# Text as caregivers and attackers type it.
MARKUP = [
    "Eve & <x",
    '<a href="javascript:app.alert(1)">Eve</a>',
    '<img src="/etc/hostname"/>',
    "<font size=40>Big</font> <b>bold</b> &amp; &#60;",
    "<script>alert(1)</script>",
    r"Pay $\foo$ now",
    r"$\q$",
    "$x^2$ and $$",
    "مرحبا بالعالم",  # right to left
    "שלום \u202eevil\u202c",
    "👩‍👧 🌡️ 💊",
    "{{ child }} {% now %}",
]
text = st.one_of(st.sampled_from(MARKUP), st.text(min_size=1, max_size=30))


def long_text(limit: int):
    return st.one_of(
        text,
        st.sampled_from(MARKUP).map(lambda word: (word * limit)[:limit]),  # exactly `limit`
    )


@st.composite
def journals(draw):
    """What a caregiver types into each form, days as offsets from today where that is how the
    form is filled."""
    today = datetime.date.today()
    born_far = st.sampled_from(FAR_DATES)
    born_near = st.integers(0, 365 * 20).map(lambda back: today - back * DAY)
    ahead = st.integers(-30, 800).map(lambda days: today + days * DAY)
    return {
        "name": draw(text.map(lambda name: name[:80])),
        "birth": draw(st.one_of(born_far, born_near)),
        "notes": draw(long_text(4000)),
        "question": draw(long_text(4000)),
        "item": draw(text.map(lambda name: name[:40])),
        "drug": draw(text.map(lambda name: name[:80])),
        "course_end": draw(st.one_of(st.sampled_from(LATE_DATES), ahead)),
        "step": draw(st.one_of(st.sampled_from(LATE_DATES), ahead)),
        "event_end": draw(st.one_of(st.sampled_from(LATE_DATES), ahead)),
        "event_notes": draw(long_text(4000)),
    }


BOUNDS = {
    "name": "Eve & <x",
    "birth": datetime.date(1900, 1, 1),
    "notes": ("مرحبا $\\foo$ <b>" * 300)[:4000],
    "question": ('<a href="javascript:app.alert(1)">Eve</a> ' * 100)[:4000],
    "item": r"$\q$",
    "drug": r"Pay $\foo$ now",
    "course_end": datetime.date.max,
    "step": datetime.date.max,
    "event_end": datetime.date.max,
    "event_notes": "👩‍👧" * 1000,
}


def team(child: Child) -> dict[str, Client]:
    clients = {}
    for role in ROLES:
        user = UserFactory(username=f"any-{role}")
        MembershipFactory(child=child, user=user, role=role)
        clients[role] = Client()
        clients[role].force_login(user)
    return clients


def posted(client: Client, url: str, data: dict) -> None:
    """A form sent: taken (a redirect) or refused (the form again), never a failure."""
    response = client.post(url, data)
    assert response.status_code in (200, 302), f"POST {url}: {response.status_code}"


def type_journal(client: Client, child: Child, journal: dict) -> None:
    """Every value through its form, as the owner."""
    today = child.today()
    url = lambda name: reverse(name, args=[child.pk])  # noqa: E731
    posted(
        client,
        url("child_edit"),
        {
            "name": journal["name"],
            "birth_date": journal["birth"],
            "tumour_found": "unknown",
            "time_zone": child.time_zone,
        },
    )
    child.refresh_from_db()
    anchors = {f"anchor_{n}": journal["item"] for n in range(4)}
    posted(client, url("item_list"), {"name": journal["item"], **anchors})
    for day in {child.birth_date, today - 20 * DAY, today}:
        entry = entry_data(day, rage=2, notes=journal["notes"], question=journal["question"])
        posted(client, reverse("entry_form", args=[child.pk, day]), entry)
    illness = event_data(
        type="illness",
        illness_kind="respiratory",
        start_date=today - 6 * DAY,
        end_date=journal["event_end"],
        notes=journal["event_notes"],
    )
    posted(client, url("event_add"), illness)
    step = {"date": journal["step"], "dose": "0.5"}
    course = course_data(
        drug="other",
        drug_other=journal["drug"],
        start_date=today - 10 * DAY,
        end_date=journal["course_end"],
        notes=journal["notes"],
        changes=[step],
    )
    posted(client, url("treatment_add"), course)
    for first in (child.birth_date, today - 90 * DAY):  # the first may be too long ago
        share = {"note": journal["name"], "first": first, "last": "", "days": "7"}
        posted(client, url("share_links"), share)


def base_days(child: Child) -> None:
    """Fourteen calm logged days, then three raised ones up to yesterday: a possible relapse."""
    today = child.today()
    for back in range(17, 0, -1):
        rating = 3 if back <= 3 else 0
        DailyEntryFactory(child=child, date=today - back * DAY, rage=rating, sleep=rating)


def urls_for(child: Child, role: str) -> list[tuple[str, dict]]:
    """Every GET of the child this role may make, by the access table, with the widest periods
    the pages take: (url, headers)."""
    today, born = child.today(), child.birth_date
    widest = {"range": "custom", "start": born.isoformat(), "end": today.isoformat()}
    objects = {
        "event": child.events.first(),
        "treatment": child.treatments.first(),
        "item": child.tracked_items.first(),
        "share_link": child.share_links.first(),
    }
    urls = []
    for name, row in ROWS.items():
        if "child_id" not in row.takes or row.get[role] not in (PAGE, DOWNLOAD, SVG):
            continue
        if row.obj and objects[row.obj] is None:
            continue
        kinds = (
            trends.KINDS
            if "kind" in row.takes and name != "data_download"
            else ("entries", "events", "treatments", "journal", "all")
        )
        for kind in kinds if "kind" in row.takes else (None,):
            for day in (born, today) if "day" in row.takes else (None,):
                values = {"child_id": child.pk, "kind": kind, "day": day}
                values["pk"] = objects[row.obj].pk if row.obj else None
                url = reverse(name, kwargs={k: values[k] for k in row.takes})
                urls.append((url, {}))
                if name in ("trends", "chart", "chart_table"):
                    urls += [(f"{url}?range=all", {}), (f"{url}?{urlencode(widest)}", {})]
                if name in ("trends", "entry_form", "entry_list"):
                    urls.append((url, {"HTTP_HX_REQUEST": "true"}))
                if name in ("summary", "summary_pdf"):
                    query = urlencode({"start": widest["start"], "end": widest["end"]})
                    urls.append((f"{url}?{query}", {}))
    urls.append((reverse("home"), {}))
    return urls


def shared_urls(child: Child) -> list[str]:
    link = child.share_links.first()
    if link is None:
        return []
    ShareLink.objects.filter(pk=link.pk).update(token_hash=hash_token(SHARE_TOKEN))
    return [reverse(name, args=[SHARE_TOKEN]) for name in ("shared_summary", "shared_summary_pdf")]


def timed_get(client: Client, url: str, headers: dict) -> None:
    began = time.perf_counter()
    response = client.get(url, **headers)
    took = time.perf_counter() - began
    assert response.status_code < 500, f"GET {url}: {response.status_code}"
    assert took < SLOWEST, f"GET {url}: {took:.1f} s"
    assert len(response.content) < HEAVIEST, f"GET {url}: {len(response.content)} bytes"


@settings(
    # Each example builds a journal and asks for about 150 pages: with the explicit example of
    # the bounds, one drawn example a run (a new one each run) keeps `make test` bounded.
    max_examples=1,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(journal=journals())
@example(journal=BOUNDS)
def test_every_page_of_any_journal_the_forms_accept_is_shown(journal):
    with transaction.atomic():
        cache.clear()
        owner = UserFactory(username="any-first-owner")
        child = Child.objects.create(name="Mia", birth_date=datetime.date(2022, 1, 1))
        MembershipFactory(child=child, user=owner, role=Role.OWNER)
        base_days(child)
        clients = team(child)
        type_journal(clients["owner"], child, journal)
        child.refresh_from_db()
        for role in ROLES:
            for url, headers in urls_for(child, role):
                timed_get(clients[role], url, headers)
        for url in shared_urls(child):
            timed_get(Client(), url, {})
        transaction.set_rollback(True)
