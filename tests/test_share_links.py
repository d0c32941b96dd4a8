"""Share links: the visit summary for a clinician, without an account.

The services (only the token's hash kept, expiry, revoke, openings, the change history); the
owners' page (make, list with status and openings, revoke with a confirmation; the rest of the
team is told only owners share); and what a link opens: the summary page and its PDF while the
link is valid, a 404 that says the link does not work for an unknown, expired or revoked token
(never a way into a journal), each opening logged,
headers that keep the token private, and nothing else of the family.
"""

import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from journal import services
from journal.access import OWNER_REFUSAL
from journal.models import Change, ShareLink, ShareOpening, hash_token
from journal.summary import default_period
from tests.factories import (
    ChildFactory,
    DailyEntryFactory,
    ShareLinkFactory,
    TriggerEventFactory,
)
from tests.view_helpers import error_beside, full_snapshot, html_of, text_of, value_of

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
TOKEN = "a-token-only-this-test-knows"
LINK = re.compile(r'id="share-link"[^>]*value="http://testserver(/shared/[\w-]+/)"')


def share_url(child) -> str:
    return reverse("share_links", kwargs={"child_id": child.pk})


def revoke_url(link: ShareLink) -> str:
    return reverse("share_link_revoke", kwargs={"child_id": link.child_id, "pk": link.pk})


def openings_url(link: ShareLink) -> str:
    return reverse("share_link_openings", kwargs={"child_id": link.child_id, "pk": link.pk})


def page_url(token: str) -> str:
    return reverse("shared_summary", args=[token])


def pdf_url(token: str) -> str:
    return reverse("shared_summary_pdf", args=[token])


def a_link(child, **fields) -> ShareLink:
    return ShareLinkFactory(child=child, token=TOKEN, **fields)


def opened(link: ShareLink, *kinds: str, at: datetime.datetime | None = None) -> None:
    """Openings of `link`, one per kind, a minute apart (the last `at`, or now)."""
    at = at or timezone.now()
    for back, kind in enumerate(reversed(kinds)):
        opening = ShareOpening.objects.create(link=link, kind=kind)
        ShareOpening.objects.filter(pk=opening.pk).update(at=at - datetime.timedelta(minutes=back))


# --- services ------------------------------------------------------------------------------------


def test_a_new_link_keeps_only_its_tokens_hash(child, owner):
    first = child.today() - 30 * DAY
    link, token = services.share_link_create(
        child=child, first=first, last=None, note="Dr Rivera", user=owner
    )
    assert len(token) >= 43  # 32 random bytes
    assert link.token_hash == hash_token(token)
    stored = str(list(ShareLink.objects.values()))
    assert token not in stored
    assert services.share_link_for_token(token) == link
    assert (link.first, link.last, link.created_by) == (first, None, owner)


@pytest.mark.parametrize("days", [7, 30, 90])
def test_a_link_works_for_the_days_chosen(child, owner, days):
    before = timezone.now()
    link, _ = services.share_link_create(
        child=child, first=child.today(), last=None, note="", user=owner, days=days
    )
    assert before + days * DAY <= link.expires_at <= timezone.now() + days * DAY


def test_a_link_works_for_30_days_unless_told(child, owner):
    link, _ = services.share_link_create(
        child=child, first=child.today(), last=None, note="", user=owner
    )
    assert link.expires_at - link.created_at == pytest.approx(30 * DAY, abs=datetime.timedelta(1))


def test_a_period_that_ends_before_it_starts_is_refused_and_nothing_saved(child, owner):
    before = full_snapshot()
    with pytest.raises(ValidationError) as refused:
        services.share_link_create(
            child=child, first=child.today(), last=child.today() - DAY, note="", user=owner
        )
    assert "last" in refused.value.message_dict
    assert full_snapshot() == before


def test_making_and_revoking_a_link_are_in_the_change_history(child, owner):
    link, _ = services.share_link_create(
        child=child, first=datetime.date(2026, 1, 5), last=None, note="Dr Rivera", user=owner
    )
    services.share_link_revoke(link=link, user=owner)
    revoked, made = Change.objects.for_child(child)
    assert (made.kind, made.action, made.user) == ("share_link", "created", owner)
    assert made.label == "a share link for Dr Rivera"
    assert made.after["Who it is for"] == "Dr Rivera"
    assert made.after["From"] == "2026-01-05"
    assert made.after["To"] == "the day it is opened"
    assert made.after["Revoked"] == ""
    assert (revoked.action, revoked.object_id) == ("changed", link.pk)
    assert [name for name, _, _ in revoked.fields_changed] == ["Revoked"]


def test_revoking_a_link_that_no_longer_works_writes_nothing(child, owner):
    expired = a_link(child, expires_at=timezone.now() - DAY)
    before = full_snapshot()
    services.share_link_revoke(link=expired, user=owner)
    assert full_snapshot() == before


def test_a_token_finds_its_link_only_while_it_is_valid(child, owner):
    link = a_link(child)
    assert services.share_link_for_token(TOKEN) == link
    assert services.share_link_for_token("not-" + TOKEN) is None
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    assert services.share_link_for_token(TOKEN) is None
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + DAY)
    services.share_link_revoke(link=link, user=owner)
    assert services.share_link_for_token(TOKEN) is None


def test_an_opening_is_recorded_with_its_kind_and_time(child):
    link = a_link(child)
    before = timezone.now()
    opening = services.share_opening_record(link=link, kind=ShareOpening.Kind.PDF)
    assert (opening.link, opening.kind) == (link, "pdf")
    assert before <= opening.at <= timezone.now()


# --- the owners' page ----------------------------------------------------------------------------


def test_the_owner_makes_a_link_and_sees_it_once(owner_client, child):
    page = owner_client.get(share_url(child))
    assert value_of(page, "first") == default_period(child)[0].isoformat()
    assert value_of(page, "last") == ""
    assert value_of(page, "days") == "30"

    response = owner_client.post(
        share_url(child),
        {"note": "Dr Rivera", "first": value_of(page, "first"), "last": "", "days": "90"},
        follow=True,
    )

    path = LINK.search(html_of(response))[1]
    token = path.split("/")[2]
    link = ShareLink.objects.get(child=child)
    assert link.token_hash == hash_token(token)
    assert (link.note, link.last) == ("Dr Rivera", None)
    assert link.expires_at > timezone.now() + 89 * DAY
    assert "it will not be shown again" in text_of(response)
    assert 'readonly value="http://testserver/shared/' in html_of(response)
    again = owner_client.get(share_url(child))
    assert token not in html_of(again)
    assert "Dr Rivera" in text_of(again)


@pytest.mark.parametrize(
    ("field", "first", "last", "message"),
    [
        ("last", -5, -9, "The last day can't come before the first."),
        ("first", +1, None, "This day hasn't happened yet."),
        ("last", -5, +1, "This day hasn't happened yet"),
        ("first", -365 * 6, None, "The journal starts at birth"),
        ("first", None, None, "This field is required."),
    ],
)
def test_bad_dates_are_refused_beside_the_field_with_the_input_kept(
    owner_client, child, field, first, last, message
):
    def day(offset):
        return "" if offset is None else (child.today() + offset * DAY).isoformat()

    before = full_snapshot()
    data = {"note": "Dr Rivera", "first": day(first), "last": day(last), "days": "30"}
    response = owner_client.post(share_url(child), data)

    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert value_of(response, "note") == "Dr Rivera"
    assert value_of(response, "first") == data["first"]
    assert full_snapshot() == before


def test_only_the_days_offered_are_taken(owner_client, child):
    before = full_snapshot()
    data = {"note": "", "first": child.today().isoformat(), "days": "3650"}
    response = owner_client.post(share_url(child), data)
    assert "Select a valid choice" in error_beside(response, "days")
    assert full_snapshot() == before


def test_the_list_shows_each_links_status_period_and_openings(owner_client, child):
    now = timezone.now()
    valid = a_link(child, note="Dr Rivera", first=datetime.date(2026, 1, 5))
    expired = ShareLinkFactory(
        child=child, note="Dr Old", last=child.today() - DAY, expires_at=now - DAY
    )
    revoked = ShareLinkFactory(child=child, note="Dr Gone", revoked_at=now - DAY)
    opened(valid, "page", "pdf", "page")

    response = owner_client.get(share_url(child))

    rows = {row.split()[1]: row for row in rows_of(response)}
    assert "Works until" in rows["Rivera"]
    assert "5 Jan 2026 to the day it is opened" in rows["Rivera"]
    assert "Opened 3 times" in rows["Rivera"]
    assert rows["Rivera"].count("summary page") == 2
    assert rows["Rivera"].count("pdf") == 1
    assert f"to {expired.last:%-d %b %Y}" in rows["Old"]
    assert "Expired" in rows["Old"] and "Revoke" not in rows["Old"]
    assert "Revoked" in rows["Gone"] and "Revoke " not in rows["Gone"]
    assert "Not opened yet" in rows["Gone"]
    assert revoke_url(valid) in html_of(response)
    assert revoke_url(revoked) not in html_of(response)


def rows_of(response) -> list[str]:
    """The text of each link's row on the owners' page."""
    html = html_of(response)
    rows = re.findall(
        r'<li class="row share-link">(.*?)</li>\s*(?=<li class="row|</ul>)', html, re.S
    )
    return [" ".join(re.sub(r"<[^>]*>", " ", row).split()) for row in rows]


def test_the_last_few_openings_are_listed_and_all_of_them_on_the_links_own_page(
    owner_client, child
):
    link = a_link(child)
    last = timezone.now()
    opened(link, *["page"] * 120, "pdf", at=last)

    listed = owner_client.get(share_url(child))
    assert "Opened 121 times; the last 5:" in text_of(listed)
    assert text_of(listed).count("summary page") == 4  # and the PDF: the last five
    assert openings_url(link) in html_of(listed)

    first_page = owner_client.get(openings_url(link))
    assert first_page.status_code == 200
    assert len(re.findall(r'<li class="row">', html_of(first_page))) == 100
    assert f"{timezone.localtime(last, child.zone):%-d %b %Y, %H:%M}: pdf" in text_of(first_page)
    second_page = owner_client.get(openings_url(link) + "?page=2")
    assert len(re.findall(r'<li class="row">', html_of(second_page))) == 21


def test_the_list_costs_the_same_queries_however_many_links_and_openings(
    owner_client, child, django_assert_max_num_queries
):
    for _ in range(2):
        opened(ShareLinkFactory(child=child), "page", "pdf")
    with django_assert_max_num_queries(9) as few:
        owner_client.get(share_url(child))
    for _ in range(20):
        opened(ShareLinkFactory(child=child), *["page"] * 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        owner_client.get(share_url(child))


@pytest.mark.parametrize("role", ["caregiver", "viewer"])
def test_the_rest_of_the_team_is_told_only_owners_share(client_for, child, request, role):
    link = a_link(child, note="Dr Rivera")
    client = client_for(request.getfixturevalue(role))
    before = full_snapshot()

    page = client.get(share_url(child))
    made = client.post(share_url(child), {"first": child.today().isoformat(), "days": "30"})
    confirm = client.get(revoke_url(link))
    revoked = client.post(revoke_url(link))
    openings = client.get(openings_url(link))

    assert page.status_code == 200
    assert "Only an owner of the care team can share the visit summary" in text_of(page)
    assert "Dr Rivera" not in text_of(page)
    assert 'name="first"' not in html_of(page)
    for refused in (made, confirm, revoked, openings):
        assert refused.status_code == 403
        assert OWNER_REFUSAL in text_of(refused)
    assert full_snapshot() == before


def test_revoking_asks_first_then_the_link_is_404(owner_client, anon_client, child):
    link = a_link(child, note="Dr Rivera")
    confirm = owner_client.get(revoke_url(link))
    assert "Revoke the link for Dr Rivera?" in text_of(confirm)
    link.refresh_from_db()
    assert link.revoked_at is None

    response = owner_client.post(revoke_url(link), follow=True)

    made = timezone.localtime(link.created_at)
    assert f"The link for Dr Rivera ({link.first:%-d %b %Y} to the day it is opened, made " in (
        text_of(response)
    )
    assert f"made {made:%-d %b %Y, %H:%M}) no longer works." in text_of(response)
    link.refresh_from_db()
    assert link.status == "revoked"
    assert anon_client.get(page_url(TOKEN)).status_code == 404
    assert anon_client.get(pdf_url(TOKEN)).status_code == 404


def test_the_dashboard_links_owners_to_the_share_page(client_for, child, owner, caregiver):
    url = share_url(child)
    assert url in html_of(client_for(owner).get(reverse("child_detail", args=[child.pk])))
    assert url not in html_of(client_for(caregiver).get(reverse("child_detail", args=[child.pk])))


# --- what a link opens ---------------------------------------------------------------------------


def test_a_valid_link_opens_the_summary_page_and_its_pdf(anon_client, child):
    DailyEntryFactory(child=child)
    a_link(child)

    page = anon_client.get(page_url(TOKEN))
    pdf = anon_client.get(pdf_url(TOKEN))

    assert page.status_code == 200
    assert "Mia" in text_of(page)
    assert pdf_url(TOKEN) in html_of(page)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert pdf.content.startswith(b"%PDF")


def shown_period(response) -> str:
    return re.search(r'<p class="summary-period">(.*?)</p>', html_of(response))[1]


def test_a_link_shows_its_own_period_or_up_to_the_day_it_is_opened(anon_client, child):
    first, last = child.today() - 60 * DAY, child.today() - 30 * DAY
    a_link(child, first=first, last=last)
    ShareLinkFactory(child=child, token="open-ended", first=first, last=None)

    fixed = shown_period(anon_client.get(page_url(TOKEN)))
    open_ended = shown_period(anon_client.get(page_url("open-ended")))

    assert fixed == f"{first:%-d %b %Y} \N{EN DASH} {last:%-d %b %Y}"
    assert open_ended == f"{first:%-d %b %Y} \N{EN DASH} {child.today():%-d %b %Y}"
    filename = anon_client.get(pdf_url(TOKEN))["Content-Disposition"]
    assert f"{first:%Y-%m-%d}-to-{last:%Y-%m-%d}.pdf" in filename


def test_each_opening_is_logged_with_its_kind_and_time(anon_client, child):
    link = a_link(child)
    start = timezone.now()
    anon_client.get(page_url(TOKEN))
    anon_client.get(pdf_url(TOKEN))
    anon_client.get(page_url(TOKEN))
    openings = list(link.openings.order_by("at", "pk"))
    assert [o.kind for o in openings] == ["page", "pdf", "page"]
    assert all(start <= o.at <= timezone.now() for o in openings)


@pytest.mark.parametrize(("paper", "width"), [("letter", 612), ("a4", 595), ("a5", 595)])
def test_the_clinician_picks_the_paper_of_the_pdf(anon_client, child, paper, width):
    a_link(child)
    data = anon_client.get(pdf_url(TOKEN), {"paper": paper}).content
    assert round(PdfReader(io.BytesIO(data)).pages[0].mediabox.width) == width  # A4 unless told


def expire(link: ShareLink) -> None:
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - DAY)


def revoke(link: ShareLink) -> None:
    services.share_link_revoke(link=link, user=None)


@pytest.mark.parametrize(
    ("token", "spoil"),
    [("not-" + TOKEN, lambda link: None), (TOKEN, expire), (TOKEN, revoke)],
    ids=["wrong token", "expired", "revoked"],
)
def test_an_unknown_expired_or_revoked_token_gets_the_same_404_and_logs_nothing(
    anon_client, child, token, spoil
):
    spoil(a_link(child))
    unknown = anon_client.get(page_url("no-such-token"))

    for url in (page_url(token), pdf_url(token)):
        response = anon_client.get(url)
        assert response.status_code == 404
        assert text_of(response) == text_of(unknown)
        assert "Mia" not in text_of(response)
    assert not ShareOpening.objects.exists()


def test_a_link_works_until_the_moment_it_expires(anon_client, child):
    link = a_link(child)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + DAY)
    assert anon_client.get(page_url(TOKEN)).status_code == 200
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    assert anon_client.get(page_url(TOKEN)).status_code == 404


PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}


@pytest.mark.parametrize("url", [page_url, pdf_url], ids=["page", "pdf"])
@pytest.mark.parametrize("token", [TOKEN, "no-such-token"], ids=["valid", "unknown"])
def test_headers_keep_the_token_out_of_caches_referers_and_search_engines(
    anon_client, child, url, token
):
    a_link(child)
    response = anon_client.get(url(token))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    for name, value in PRIVATE_HEADERS.items():
        assert response[name] == value


@pytest.mark.parametrize("method", ["post", "put", "delete", "head"])
def test_a_link_only_answers_get_and_logs_nothing_else(anon_client, child, method):
    a_link(child)
    before = full_snapshot()
    response = getattr(anon_client, method)(page_url(TOKEN))
    assert response.status_code == 405
    assert full_snapshot() == before


class Links(HTMLParser):
    """Every URL a page points at: links, forms, images, scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action", "hx-get", "hx-post") and value:
                self.urls.append(value)


def test_the_shared_page_has_no_link_into_the_journal(anon_client, child):
    """Its own PDF, static files and the words of its scripts (the JavaScript catalog, the
    same for everyone), nothing else."""
    a_link(child)
    reader = Links()
    reader.feed(html_of(anon_client.get(page_url(TOKEN))))
    # The words of the scripts (/jsi18n/<language>/) are public, as the static files are.
    catalog = reverse("javascript-catalog", args=["en"]).removesuffix("en/")
    into_app = [
        url
        for url in reader.urls
        if not url.startswith(("/static/", catalog, "#", "data:"))
        and url.split("?")[0] != pdf_url(TOKEN)
    ]
    assert into_app == []


def test_the_token_opens_nothing_else_of_the_family(anon_client, child, owner):
    """Having opened the link, the visitor is no one: every page of the journal, of this child
    or a sibling, still asks them to log in, and no other URL takes the token."""
    sibling = ChildFactory(name="Zoe", owner=owner)
    event = TriggerEventFactory(child=child)
    a_link(child)
    assert anon_client.get(page_url(TOKEN)).status_code == 200
    assert SESSION_KEY not in anon_client.session

    journal = [
        reverse("home"),
        reverse("child_detail", args=[child.pk]),
        reverse("entry_list", args=[child.pk]),
        reverse("trends", args=[child.pk]),
        reverse("event_edit", args=[child.pk, event.pk]),
        reverse("share_links", args=[child.pk]),
        reverse("child_detail", args=[sibling.pk]),
        reverse("account_download"),
    ]
    for url in journal:
        response = anon_client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
    for url in (reverse("invitation_accept", args=[TOKEN]), f"/shared/{TOKEN}/entries/"):
        assert anon_client.get(url).status_code == 404, url
    assert "Zoe" not in text_of(anon_client.get(page_url(TOKEN)))


def test_a_link_shows_its_own_child_not_a_sibling(anon_client, child, owner):
    sibling = ChildFactory(name="Zoe", owner=owner)
    ShareLinkFactory(child=sibling, token="zoes-token")
    a_link(child)
    assert "Mia" in text_of(anon_client.get(page_url(TOKEN)))
    zoe = text_of(anon_client.get(page_url("zoes-token")))
    assert "Zoe" in zoe and "Mia" not in zoe


# --- the admin -----------------------------------------------------------------------------------


def test_staff_revoke_links_in_the_admin_and_see_their_openings(admin_client, admin_user, child):
    valid = a_link(child, note="Dr Rivera")
    expired = ShareLinkFactory(child=child, expires_at=timezone.now() - DAY)
    opened(valid, "page", "pdf")
    change_page = admin_client.get(reverse("admin:journal_sharelink_change", args=[valid.pk]))
    assert "Summary page" in text_of(change_page) and "PDF" in text_of(change_page)
    assert valid.token_hash not in html_of(change_page)

    response = admin_client.post(
        reverse("admin:journal_sharelink_changelist"),
        {"action": "revoke", "_selected_action": [valid.pk, expired.pk]},
        follow=True,
    )

    assert "Revoked 1; 1 no longer worked." in text_of(response)
    valid.refresh_from_db()
    expired.refresh_from_db()
    assert (valid.status, expired.status) == ("revoked", "expired")
    change = Change.objects.for_child(child).get(action="changed")
    assert (change.kind, change.user) == ("share_link", admin_user)


@pytest.mark.parametrize("page", ["share_links", "team"])
def test_a_new_links_full_url_waits_in_no_row_of_the_database(owner_client, child, page):
    """Only a hash of a link's token is kept: the full link, shown once on the page after the
    POST, went there through the session row (signed, not encrypted), which a database backup
    holds. It now waits in a short-lived cookie of the owner's browser, sent only to that page."""
    url = reverse(page, args=[child.pk])
    data = {"note": "Dr Rivera", "first": child.today().isoformat(), "last": "", "days": "30"}
    if page == "team":
        data = {"note": "Dad", "role": "caregiver"}
    response = owner_client.post(url, data)
    assert response.status_code == 302
    cookie = next(c for c in response.cookies.values() if c.value)
    assert cookie["path"] == url and cookie["httponly"] and cookie["samesite"] == "Strict"
    dumped = [str(row) for model in apps.get_models() for row in model.objects.values()]
    assert not any("/shared/" in row or "/invitations/" in row for row in dumped)
    for session in Session.objects.all():
        assert not any(
            "/shared/" in str(v) or "/invitations/" in str(v)
            for v in session.get_decoded().values()
        )
    shown = owner_client.get(url)
    assert 'readonly value="http://testserver/' in html_of(shown)
    assert owner_client.cookies[cookie.key].value == ""  # deleted once shown
    assert 'readonly value="http://testserver/' not in html_of(owner_client.get(url))


def test_a_link_that_no_longer_works_says_so_and_leads_nowhere(anon_client, owner_client, child):
    revoke(a_link(child))
    for client in (anon_client, owner_client):  # the owner who revoked it sees the same
        response = client.get(page_url(TOKEN))
        assert response.status_code == 404
        assert "This link does not work" in text_of(response)
        assert "ask the family for a new link" in text_of(response)
        assert "Back to the journal" not in text_of(response)
        assert 'href="/"' not in html_of(response)
        assert "Log out" not in text_of(response)


def test_two_links_for_the_same_clinician_are_told_apart(owner_client, child):
    today = child.today()
    older = ShareLinkFactory(child=child, note="Dr Rivera", first=today - 90 * DAY)
    newer = ShareLinkFactory(child=child, note="Dr Rivera", first=today - 30 * DAY, last=today)
    ShareLink.objects.filter(pk=older.pk).update(created_at=timezone.now() - 5 * DAY)
    older.refresh_from_db()

    page = text_of(owner_client.get(share_url(child)))
    for link in (older, newer):
        made = timezone.localtime(link.created_at, child.zone)
        assert f"made {made:%-d %b %Y, %H:%M}" in page
    assert f"{today - 90 * DAY:%-d %b %Y} to the day it is opened" in page
    assert f"{today - 30 * DAY:%-d %b %Y} to {today:%-d %b %Y}" in page

    confirms = [text_of(owner_client.get(revoke_url(link))) for link in (older, newer)]
    assert confirms[0] != confirms[1]
    assert "Dr Rivera (" + f"{today - 90 * DAY:%-d %b %Y} to the day it is opened" in confirms[0]
