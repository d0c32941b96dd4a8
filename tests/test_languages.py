"""Every word the journal shows is translatable: the demo family's journal walked in the
pseudo-language, where each message reads "[Ŀîķé ţĥîš]" and any English left is a string
nobody marked.

The pseudo-language (scripts/translations.py) is made from the messages the code has now, and
Django's own, at the start of the run: a string added without marking shows in English and
fails here. The walk takes every URL pattern of the access table (tests/test_access.py), so a
new page is walked too; for each page also its htmx fragment, its form sent empty (the errors)
and sent right (the message after saving); every chart (the SVG's text), every PDF (its text
read back with pypdf), the share link's page and PDF, the error pages and the emails.

A page fails on any run of ASCII letters left once the family's own words are taken out (every
name, note, question, item, and other text they typed, read from the database, and what a form
of the walk sends), with what is no message: web and email addresses, each language's own name
in the picker, the product's name, SI unit symbols, the exchange format's column names (the
same in every language, by design) on the data pages, and the place names of the time-zone
picker, which come in English from the tz database (not translated yet).
"""

import functools
import io
import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from journal import demo, time_zones, trends
from journal.exchange.columns import (
    ENTRY_COLUMNS,
    EVENT_COLUMNS,
    EVENT_TIME_COLUMN,
    EVENT_TYPES,
    TREATMENT_COLUMNS,
)
from journal.languages import own_name
from journal.models import (
    AccessToken,
    Child,
    DailyEntry,
    DoseChange,
    Invitation,
    Membership,
    Profile,
    ShareLink,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
)
from journal.reminders import sending
from journal.reminders.models import Reminder
from tests import test_access as access
from tests.api_helpers import token_for
from tests.factories import InvitationFactory, ShareLinkFactory

pytestmark = pytest.mark.django_db

SHARE_TOKEN = "the-walks-share-link-token"
INVITATION_TOKEN = "the-walks-invitation-token"

# What the family typed, model by model: never translated, taken out of the text before the check.
FAMILY_WORDS = {
    Child: ("name",),
    DailyEntry: ("notes", "question"),
    TriggerEvent: ("notes", "vaccine", "procedure", "drug"),
    TreatmentCourse: ("notes", "drug_other"),
    DoseChange: ("note",),
    TrackedItem: ("name", "anchor_0", "anchor_1", "anchor_2", "anchor_3"),
    Invitation: ("note",),
    ShareLink: ("note",),
    AccessToken: ("name",),
    get_user_model(): ("username", "first_name", "email"),
}
NOT_WORDS = re.compile(
    r"https?://\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+|\b[\w-]+\.(pdf|csv|json|xlsx)\b"
    # SI unit symbols, written alike in every shipped language: 38.5 °C, 2 g/kg, 10 mg/m².
    r"|°C|\b(?:mg|g|kg|mL)(?:/(?:kg|m²))?(?=[\s).,;:]|$)"
)
# The product's name, as the README and the app's icon write it.
PRODUCT = "OMS Journal"
ENGLISH = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")


# --- reading what a person sees ------------------------------------------------------------------


class VisibleText(HTMLParser):
    """The text of a page a person reads or hears: its words, and the attributes read aloud or
    shown (title, alt, aria-label, placeholder, a button's value), not scripts or styles."""

    SPOKEN = ("title", "alt", "aria-label", "aria-description", "placeholder", "label")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style"):
            self.hidden += 1
        for name in self.SPOKEN:
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button", "reset"):
            self.parts.append(attributes.get("value") or "")
        if tag == "meta" and attributes.get("name") == "description":
            self.parts.append(attributes.get("content") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    reader = VisibleText()
    reader.feed(html)
    return " ".join(" ".join(reader.parts).split())


def svg_text(svg: str) -> str:
    words = re.findall(r"<(?:text|tspan|title|desc)[^>]*>([^<]*)<", svg)
    return " ".join(unescape(w) for w in words)


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def family_phrases() -> list[str]:
    """Everything the family typed, longest first (a name inside a note goes with the note)."""
    phrases = set()
    for model, fields in FAMILY_WORDS.items():
        for row in model.objects.values_list(*fields):
            phrases.update(" ".join(value.split()) for value in row if value and value.strip())
    phrases.update(own_name(code) for code, _ in settings.LANGUAGES)
    phrases.add(PRODUCT)
    phrases.update(place_names())
    return sorted(phrases, key=len, reverse=True)


def place_names() -> set[str]:
    """The time-zone picker's countries and cities, in the tz database's English."""
    names = set(time_zones.countries().values())
    for _, zones in time_zones.choices():
        for _, label in zones:
            if isinstance(label, str):  # not "UTC (no daylight saving)": ours, translated
                names.update(part.strip() for part in re.split(r"[:,]", label) if part.strip())
    return names


# On the data pages, the exchange format's column names (the same file in every language).
COLUMN_PAGES = ("data_page", "data_import", "data_import_confirm")
COLUMNS = (
    *ENTRY_COLUMNS,
    *EVENT_COLUMNS,
    EVENT_TIME_COLUMN,
    *TREATMENT_COLUMNS,
    *EVENT_TYPES,  # the values of the "type" column
)


def english_left(text: str, phrases: list[str]) -> list[str]:
    """The runs of ASCII letters in `text` once the family's words and addresses are out."""
    text = NOT_WORDS.sub(" ", " ".join(text.split()))
    text = shortened(text, tuple(phrases))
    text = phrases_pattern(tuple(phrases)).sub(" ", text)
    return ENGLISH.findall(text)


@functools.cache
def phrases_pattern(phrases: tuple[str, ...]) -> re.Pattern:
    """Any of `phrases` standing alone (not inside a longer word), longest first."""
    whole = "|".join(re.escape(phrase) for phrase in phrases)
    return re.compile(rf"(?<!\w)(?:{whole})(?!\w)")


@functools.cache
def beginnings(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(p[:n] for p in phrases for n in range(SHORTEST_CUT, min(len(p), 300)))


SHORTEST_CUT = 8


def shortened(text: str, phrases: tuple[str, ...]) -> str:
    """`text` without the family's words shortened on a list ("Woke twice, settled with…")."""
    starts = beginnings(phrases)
    for end in [m.start() for m in re.finditer("…", text)][::-1]:
        for start in range(max(0, end - 300), end - SHORTEST_CUT + 1):
            if text[start:end].strip() in starts:
                text = text[:start] + " " + text[end + 1 :]
                break
    return text


@dataclass
class Walk:
    """What the walk found: for each place, the English left there."""

    phrases: list[str]
    found: dict

    def read(self, where: str, text: str, also: tuple[str, ...] = ()) -> None:
        """Check `text`, with `also` the words that are data here (a form's values)."""
        phrases = sorted([*self.phrases, *also], key=len, reverse=True) if also else self.phrases
        if left := english_left(text, phrases):
            words = list(dict.fromkeys(left))
            self.found[where] = " ".join(words[:30]) + (" ..." if len(words) > 30 else "")

    def page(self, where: str, response, also: tuple[str, ...] = ()) -> None:
        assert response.status_code < 500, f"{where}: {response.status_code}"
        kind = response.get("Content-Type", "")
        if kind.startswith("application/pdf"):
            self.read(where, pdf_text(response.content), also)
        elif kind.startswith("image/svg"):
            self.read(where, svg_text(response.content.decode()), also)
        elif kind.startswith("text/html"):
            self.read(where, visible_text(response.content.decode()), also)
        elif kind.startswith("text/plain"):
            self.read(where, response.content.decode(), also)

    def report(self) -> str:
        return "\n".join(f"{where}: {left}" for where, left in sorted(self.found.items()))


# --- the demo family, and one of everything a URL can name ---------------------------------------


@pytest.fixture
def family(pseudo_language):
    """The demo family, with a share link, an invitation, a token and a reminder of its own; the
    owner's account in the pseudo-language."""
    result = demo.seed()
    maya = result.child
    owner = get_user_model().objects.get(username="demo")
    Profile.objects.update_or_create(user=owner, defaults={"language": pseudo_language})
    ShareLinkFactory(child=maya, token=SHARE_TOKEN, note="Dr Okafor, neurology")
    InvitationFactory(child=maya, token=INVITATION_TOKEN, note="Auntie Rose")
    token_for(owner)
    item = TrackedItem.objects.filter(child=maya).first() or TrackedItem.objects.create(
        child=maya,
        name="Hands",
        anchor_0="Usual",
        anchor_1="Clumsy",
        anchor_2="Spills",
        anchor_3="Can't",
    )
    reminder = Reminder.objects.create(
        membership=Membership.objects.get(child=maya, user=owner), enabled=True
    )
    return SimpleNamespace(
        child=maya,
        owner=owner,
        item=item,
        reminder=reminder,
        day=DailyEntry.objects.filter(child=maya).exclude(notes="").latest("date").date,
    )


def objects_of(family) -> dict:
    maya, owner = family.child, family.owner
    return {
        "entry": DailyEntry.objects.filter(child=maya).latest("date"),
        "event": TriggerEvent.objects.filter(child=maya).latest("pk"),
        "treatment": TreatmentCourse.objects.filter(child=maya).latest("pk"),
        "item": family.item,
        "share_link": ShareLink.objects.filter(child=maya).latest("pk"),
        "invitation": Invitation.objects.filter(child=maya).latest("pk"),
        "membership": Membership.objects.filter(child=maya).exclude(user=owner).first(),
        "access_token": AccessToken.objects.filter(user=owner).first(),
    }


def urls_of(name: str, family) -> list[str]:
    """The URLs of pattern `name` for the demo family: one per chart for the charts."""
    row = access.ROWS[name]
    route = next(r for r in access.APP_ROUTES if r.name == name)
    values = {"child_id": family.child.pk, "day": family.day.isoformat()}
    objects = objects_of(family)
    if row.obj:
        values["pk"] = objects[row.obj].pk
    if row.fill:  # a password-reset link that works, for the owner
        values.update(row.fill(SimpleNamespace(users={"dora": family.owner})))
    tokens = {
        "invitation_accept": INVITATION_TOKEN,
        "shared_summary": SHARE_TOKEN,
        "shared_summary_pdf": SHARE_TOKEN,
        "reminder_stop": sending.stop_link(family.reminder).rstrip("/").rsplit("/", 1)[-1],
    }
    if name in tokens:
        values["token"] = tokens[name]
    kinds = {"chart": list(trends.KINDS), "chart_table": list(trends.KINDS)}
    if name == "data_download":
        return []  # the exchange format: its column names stay English in every language
    return [access.path_of(route, {**values, "kind": kind}) for kind in kinds.get(name, [None])]


# Not walked, and why.
NOT_WALKED = {
    # The API answers software, in JSON; its reference page is Swagger UI's, not ours.
    **{name: "the API" for name in access.ROWS if name.startswith("api_")},
    "health": "a load balancer's few words of JSON",
    "manifest": "the installed app's name, written by the manifest's own rules",
    "service_worker": "a script; its notification's words are walked in the reminders",
    "javascript-catalog": "the catalog itself",
    "session_state": "JSON for the page's script",
    "push_subscribe": "JSON for the page's script",
    "push_unsubscribe": "JSON for the page's script",
    "logout": "a redirect",
    "set_language": "a redirect",
    "account_download": "the account's data as JSON, an exchange format",
}


def walked_routes() -> list[str]:
    return sorted(name for name in access.ROWS if name not in NOT_WALKED)


def test_what_is_not_walked_is_only_what_is_not_words_for_people():
    assert set(NOT_WALKED) <= set(access.ROWS), "NOT_WALKED names URLs that no longer exist"
    assert len(walked_routes()) > 40


@pytest.fixture
def walk(family):
    return Walk(family_phrases(), {})


def as_owner(name: str) -> bool:
    """Whether the owner walks this URL (else someone not logged in: the pages of everyone)."""
    row = access.ROWS[name]
    return row.get["anonymous"].status != 200 and row.post["anonymous"].status != 200


def client_for(name: str, family) -> Client:
    client = Client(headers={"accept-language": "en-xa"})
    if as_owner(name):
        client.force_login(family.owner)
    return client


def form_data(name: str, family) -> dict:
    """What test_access sends to change something, for the demo family (her language stays
    the pseudo-language)."""
    world = SimpleNamespace(
        child=family.child,
        users={"owner": family.owner},
        mine={"membership": objects_of(family)["membership"]},
    )
    if name == "account_language":
        return {"language": "en-xa"}
    return access.valid_data(name, world)


def typed(data: dict) -> tuple[str, ...]:
    """The words a form of the walk sends: data, once saved."""
    return tuple(v for v in data.values() if isinstance(v, str) and re.search("[A-Za-z]", v))


# Places still showing English when this walk was written, and why: the walk fails on English
# anywhere else, and on any of these once it is translated (then remove it here), so the list
# can only shrink. Each is a string nobody has marked yet, or words stored in English.
NOT_YET_TRANSLATED = {
    r"^access_token": "the token page: a token's own letters read as words, and the token "
    "model's field names (journal/models.py AccessToken has no translatable verbose names)",
    r"^change_list ": "the family's own dose-change notes inside a course's stored snapshot, "
    "which the walk cannot tell from the snapshot's text",
    r"^(child_detail|child_edit POST|trends|summary|summary_pdf|shared_summary|"
    r"shared_summary_pdf) ": "the paper sizes (A4) and words the charts draw from stored labels",
    r"^(event_add|event_edit|event_list|event_delete)": "the demo family's illness words (RSV) "
    "inside an event's generated description",
    r"^(treatment_add|treatment_edit) ": "the drug names (ACTH), the same in every language",
}


def assert_only_the_known(walk: "Walk") -> None:
    unknown = {w: left for w, left in walk.found.items() if not known(w)}
    assert not unknown, "English left in the pseudo-language:\n" + "\n".join(
        f"{where}: {left}" for where, left in sorted(unknown.items())
    )
    fixed = [p for p in NOT_YET_TRANSLATED if not any(re.match(p, w) for w in walk.found)]
    assert not fixed, f"translated now: take these out of NOT_YET_TRANSLATED: {fixed}"


def known(where: str) -> bool:
    return any(re.match(pattern, where) for pattern in NOT_YET_TRANSLATED)


def test_every_page_fragment_and_form_in_the_pseudo_language(family, walk):
    walked = 0
    for name in walked_routes():
        client = client_for(name, family)
        columns = COLUMNS if name in COLUMN_PAGES else ()
        for url in urls_of(name, family):
            walked += 1
            walk.page(f"{name} GET {url}", client.get(url, follow=True), columns)
            htmx = client.get(url, headers={"hx-request": "true"})
            walk.page(f"{name} htmx {url}", htmx, columns)
            if access.ROWS[name].post["owner" if as_owner(name) else "anonymous"].status == 405:
                continue
            with access.rolled_back():  # the form sent empty: its errors
                walk.page(f"{name} POST empty {url}", client.post(url, {}, follow=True), columns)
            if data := form_data(name, family):  # sent right: the page after, with its message
                with access.rolled_back():
                    response = client.post(url, data, follow=True)
                    walk.page(f"{name} POST {url}", response, (*columns, *typed(data)))
    assert walked >= len(walked_routes())
    assert_only_the_known(walk)


def test_the_error_pages_in_the_pseudo_language(family, walk):
    viewer = get_user_model().objects.get(username="demo-grandma")
    client = Client(headers={"accept-language": "en-xa"})
    walk.page("404", client.get("/no-such-page/"))
    walk.page("shared, gone", client.get(reverse("shared_summary", args=["gone"])))
    charset = "application/x-www-form-urlencoded; charset=utf-16"
    walk.page("400", client.post(reverse("login"), "a=b", content_type=charset))
    client.force_login(viewer)
    walk.page("403", client.get(reverse("child_edit", args=[family.child.pk])))
    htmx = Client(headers={"accept-language": "en-xa", "hx-request": "true"})
    walk.page("login expired (htmx)", htmx.get(reverse("entry_list", args=[family.child.pk])))
    with translation.override("en-xa"):
        for template in ("500.html", "503.html", "registration/locked_out.html"):
            from django.template.loader import render_to_string

            walk.read(template, visible_text(render_to_string(template, {"minutes": 30})))
    assert not walk.found, "English left in the pseudo-language:\n" + walk.report()


def test_the_emails_in_the_pseudo_language(family, walk):
    """Reminders and password resets (invitations are links the owner sends herself: the app
    writes no email for them)."""
    mail.outbox.clear()
    sending.deliver(family.reminder, family.child.today())
    Client(headers={"accept-language": "en"}).post(
        reverse("password_reset"), {"email": family.owner.email}
    )
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        walk.read(f"email {message.subject!r}", f"{message.subject} {message.body}")
    assert not walk.found, "English left in the pseudo-language:\n" + walk.report()


def test_a_page_in_spanish_is_not_the_english_one(family):
    Profile.objects.filter(user=family.owner).update(language="")
    client = Client()
    client.force_login(family.owner)
    url = reverse("child_detail", args=[family.child.pk])
    english = client.get(url, headers={"accept-language": "en"})
    spanish = client.get(url, headers={"accept-language": "es"})
    assert spanish["Content-Language"] == "es"
    assert visible_text(spanish.content.decode()) != visible_text(english.content.decode())


def test_the_walk_sees_english_outside_the_familys_words():
    phrases = ["Maya", "Woke twice, settled with milk"]
    assert english_left("[Ŀöĝ ţöđåý] Maya Log today", phrases) == ["Log", "today"]
    assert english_left("[Ñöţéš]: Woke twice, settled with milk", phrases) == []
    assert english_left("[Ñöţéš]: Woke twice, sett…", phrases) == []
    assert english_left("38.5 °C, 2 g/kg, https://x.example/a", phrases) == []
