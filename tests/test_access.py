"""Who may open which URL: the whole URLconf, walked, against a table of every role.

`ROUTES` is every pattern of `omstracker.urls`, found by walking the resolver: journal/urls.py,
django.contrib.auth's URLs under accounts/, and the admin under admin/. Outside the admin, each
pattern has a row in `ROWS`, by URL name, saying what each role gets for GET and for POST:

- `anonymous` (logged in as nobody), `stranger` (owns Noah, in another family), `staff` (a
  superuser on no care team), and Mia's care team: `viewer`, `caregiver`, `owner`;
- `PAGE` (200, a whole page), `DOWNLOAD` (200, a file), `LOGIN` (302 to
  /accounts/login/?next=<the URL>), `NOT_FOUND` (404: another family's child doesn't exist for
  you, and staff are strangers to families in the app's own pages), `NOT_ALLOWED` (405),
  `VIEWER_REFUSED` / `OWNER_REFUSED` (403 with access.py's message), `saved(view)` (302 to that
  view, and something was written), `sent_to(view)` (302 to that view, nothing written).

A pattern without a row fails (`test_every_url_pattern_has_a_row`, and its own matrix test), and
so does a row naming a URL that no longer exists: a new URL can't ship without saying who may
use it.

Each row and method is one test: it builds the `world` (both families, with one object of every
kind, and staff) once, then sends each role's request in a savepoint rolled back after it, and
checks the status and where a redirect goes, the refusal's message, that nothing was written
unless the cell says `saved`, and that the response names no child the role is not on the team
of. A failure lists every role that got something else.

The admin is one group with one rule (`admin_rule`): every admin URL sends anonymous visitors and
non-staff to the admin log-in with ?next=, for GET and POST (the walk fills in every admin
pattern's parameters and tries them all), except the log-in page itself and log-out (which goes
to the admin index). Staff get the index and each registered model's list and change pages.

Also here: an id of another family's object (or of my other child's) under my child's URL is a
404, and so is a child that doesn't exist.
"""

import datetime
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from journal.access import OWNER_REFUSAL, VIEWER_REFUSAL
from journal.analysis import DEFAULT_RULE
from journal.api.access import READ_ONLY_REFUSAL
from journal.models import AccessToken, Child, Role, TrackedItem, hash_token
from tests.api_helpers import TokenClient, token_for
from tests.factories import (
    PASSWORD,
    ChildFactory,
    DailyEntryFactory,
    DoseChangeFactory,
    InvitationFactory,
    MembershipFactory,
    ShareLinkFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
    UserFactory,
)
from tests.view_helpers import full_snapshot, html_of, text_of

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
GET, POST = "GET", "POST"
METHODS = (GET, POST)
TOKEN = "a-known-invitation-token"

ROLES = ("anonymous", "stranger", "staff", "viewer", "caregiver", "owner")
MEMBERS = ("viewer", "caregiver", "owner")
LOGIN_NEXT = "log-in page, with ?next= back"


# --- the walk ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern of the project: its whole route, its qualified name, its view."""

    route: str
    name: str | None
    pattern: URLPattern

    @property
    def admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def params(self) -> tuple[str, ...]:
        # (route parameter, regex group) pairs: keep the one that matched.
        return tuple(a or b for a, b in PARAM_NAME.findall(self.route))


PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")
PARAM_NAME = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        # Joined as Django's ResolverMatch.route joins them: no "^" but at the very start.
        route = prefix + str(entry.pattern).removeprefix("^") if prefix else str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, (namespace, entry.namespace)))
            yield from walk(entry, route, inner)
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(route, name, entry)


ROUTES = list(walk(get_resolver()))
APP_ROUTES = [r for r in ROUTES if not r.admin]
ADMIN_ROUTES = [r for r in ROUTES if r.admin]


def path_of(route: Route, values: dict) -> str:
    """The route with its parameters filled in: a URL that resolves to this very pattern."""
    path = PARAM.sub(lambda m: str(values[m[1] or m[2]]), route.route)
    return "/" + path.replace("^", "").replace("$", "")


# --- what a request gets -----------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What one role gets from one method of one URL."""

    status: int
    to: str = ""  # a 302's target: a view name, or LOGIN_NEXT
    message: str = ""  # a 403's message
    writes: bool = False  # whether the request changes a journal table
    download: bool = False  # a 200 that is a file to save, not a page
    svg: bool = False  # a 200 that is an SVG image, not a page
    json: bool = False  # an answer of the API: JSON, never a page
    health: bool = False  # the health endpoint's few words of JSON, for a load balancer
    type: str = ""  # the Content-Type of an answer that is neither a page nor a file
    public: bool = False  # the same bytes for everyone, no one's data: any cache may keep it

    def __str__(self) -> str:
        notes = (self.to, "(a download)" * self.download, "(writes)" * self.writes)
        return " ".join(filter(None, (str(self.status), *notes)))


PAGE = Expect(200)
DOWNLOAD = Expect(200, download=True)
SVG = Expect(200, svg=True)
LOGIN = Expect(302, to=LOGIN_NEXT)
NOT_FOUND = Expect(404)
NOT_ALLOWED = Expect(405)
VIEWER_REFUSED = Expect(403, message=VIEWER_REFUSAL)
# A share link's page and PDF: each opening is logged, a write.
OPENED = Expect(200, writes=True)
OPENED_PDF = Expect(200, download=True, writes=True)
OWNER_REFUSED = Expect(403, message=OWNER_REFUSAL)
# The API's answers (journal/api/): JSON; anonymous callers get 401, not the log-in page.
API_OK = Expect(200, json=True)
API_LOGIN = Expect(401, json=True)
API_NOT_FOUND = Expect(404, json=True)
API_NOT_ALLOWED = Expect(405, json=True)
API_READ_ONLY = Expect(403, json=True, message=READ_ONLY_REFUSAL)
API_VIEWER = Expect(403, json=True, message=VIEWER_REFUSAL)
API_SAVED = Expect(200, json=True, writes=True)
API_CREATED = Expect(201, json=True, writes=True)
API_DELETED = Expect(204, writes=True)
API_OWNER = Expect(403, json=True, message=OWNER_REFUSAL)
HEALTHY = Expect(200, health=True)
# The installable app's files, the same for everyone.
MANIFEST = Expect(200, type="application/manifest+json", public=True)
SCRIPT = Expect(200, type="text/javascript", public=True)
JSON = Expect(200, type="application/json")


def saved(view: str) -> Expect:
    return Expect(302, to=view, writes=True)


def sent_to(view: str) -> Expect:
    return Expect(302, to=view)


def everyone(expect: Expect, **roles: Expect) -> dict[str, Expect]:
    assert roles.keys() <= set(ROLES), roles.keys()
    return {role: roles.get(role, expect) for role in ROLES}


def signed_in(expect: Expect, **roles: Expect) -> dict[str, Expect]:
    """Anyone logged in gets `expect`; anonymous visitors are sent to log in."""
    return everyone(expect, anonymous=LOGIN, **roles)


def child_page(expect: Expect, **roles: Expect) -> dict[str, Expect]:
    """A page of Mia's: her team gets `expect` (or what `roles` says); the stranger and staff,
    on no care team of hers, get 404; anonymous visitors are sent to log in."""
    return everyone(expect, anonymous=LOGIN, stranger=NOT_FOUND, staff=NOT_FOUND, **roles)


def api_child(expect: Expect, **roles: Expect) -> dict[str, Expect]:
    """An API URL of Mia's: as child_page, in JSON, and 401 for anonymous callers."""
    return everyone(
        expect, anonymous=API_LOGIN, stranger=API_NOT_FOUND, staff=API_NOT_FOUND, **roles
    )


# The API checks who is calling before the method: 405 to anyone signed in, 401 to others.
API_WRONG_METHOD = everyone(API_NOT_ALLOWED, anonymous=API_LOGIN)

# A method the view doesn't take: 405 before anything is looked up, after the log-in check.
WRONG_METHOD = signed_in(NOT_ALLOWED)
NON_OWNERS = {"caregiver": OWNER_REFUSED, "viewer": OWNER_REFUSED}
VIEWERS = {"viewer": VIEWER_REFUSED}
API_VIEWERS = {"viewer": API_VIEWER}


@dataclass(frozen=True)
class Row:
    """One URL name. `takes`: its parameters; `obj`: for a `pk`, the kind of object it names;
    `shows_child`: the page names Mia to whoever has the URL (an invitation link does)."""

    takes: tuple[str, ...]
    get: dict[str, Expect]
    post: dict[str, Expect]
    obj: str | None = None
    shows_child: bool = False
    fill: Callable[["World"], dict] | None = None


CHILD = ("child_id",)
CHILD_PK = ("child_id", "pk")
SCORE_CHART = {"kind": "score"}


def reset_link(world: "World") -> dict:
    """A password-reset link that works: for Dora, who never logs in during a test."""
    user = world.users["dora"]
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


ROWS: dict[str, Row] = {
    # --- journal/urls.py -----------------------------------------------------------------------
    "home": Row((), get=signed_in(PAGE), post=WRONG_METHOD),
    "manifest": Row((), get=everyone(MANIFEST), post=everyone(NOT_ALLOWED)),
    "service_worker": Row((), get=everyone(SCRIPT), post=everyone(NOT_ALLOWED)),
    "offline": Row((), get=everyone(PAGE), post=everyone(NOT_ALLOWED)),
    # Each role is on one child's team, but staff, on none: "Log today" opens that child's day.
    "log_today": Row(
        (), get=signed_in(sent_to("entry_today"), staff=sent_to("home")), post=WRONG_METHOD
    ),
    "push_subscribe": Row(
        (), get=WRONG_METHOD, post=signed_in(Expect(400, type="application/json"))
    ),
    "push_unsubscribe": Row((), get=WRONG_METHOD, post=signed_in(JSON)),
    # A forged link: nobody's reminder (tests/test_reminders.py tries a signed one).
    "reminder_stop": Row(
        ("token",),
        get=everyone(NOT_FOUND),
        post=everyone(NOT_FOUND),
        fill=lambda w: {"token": "MQ:forged:signature"},
    ),
    "reminder_settings": Row(
        CHILD, get=child_page(PAGE, **VIEWERS), post=child_page(PAGE, **VIEWERS)
    ),
    "session_state": Row(
        (),
        get=everyone(JSON, anonymous=Expect(401)),
        post=everyone(NOT_ALLOWED),
    ),
    "signup": Row(
        (),
        get=everyone(sent_to("home"), anonymous=PAGE),  # signed up already
        post=everyone(sent_to("home"), anonymous=saved("home")),
    ),
    # The name the care team sees: each account changes its own.
    "profile": Row((), get=signed_in(PAGE), post=signed_in(saved("profile"))),
    # The account's language, from its page: each account changes its own.
    "account_language": Row((), get=WRONG_METHOD, post=signed_in(saved("profile"))),
    # Everything the account can see, as a file: Noah's for the stranger, Mia's for her team.
    "account_download": Row((), get=signed_in(DOWNLOAD), post=WRONG_METHOD),
    # Confirmed with the password; the journals the account owns alone go with it.
    "account_delete": Row((), get=signed_in(PAGE), post=signed_in(saved("login"))),
    "child_add": Row((), get=signed_in(PAGE), post=signed_in(saved("child_detail"))),
    "child_detail": Row(CHILD, get=child_page(PAGE), post=WRONG_METHOD),
    "child_edit": Row(
        CHILD,
        get=child_page(PAGE, **NON_OWNERS),
        post=child_page(saved("child_detail"), **NON_OWNERS),
    ),
    "trends": Row(CHILD, get=child_page(PAGE), post=WRONG_METHOD),
    "chart": Row(
        ("child_id", "kind"), get=child_page(SVG), post=WRONG_METHOD, fill=lambda w: SCORE_CHART
    ),
    "chart_table": Row(
        ("child_id", "kind"), get=child_page(PAGE), post=WRONG_METHOD, fill=lambda w: SCORE_CHART
    ),
    # The visit summary: the whole team reads it and downloads its PDF.
    "summary": Row(CHILD, get=child_page(PAGE), post=WRONG_METHOD),
    "summary_pdf": Row(CHILD, get=child_page(DOWNLOAD), post=WRONG_METHOD),
    "entry_today": Row(CHILD, get=child_page(sent_to("entry_form")), post=WRONG_METHOD),
    "entry_list": Row(CHILD, get=child_page(PAGE), post=WRONG_METHOD),
    "entry_form": Row(
        ("child_id", "day"),
        get=child_page(PAGE),  # a viewer reads the day, in a form they can't send
        post=child_page(saved("entry_form"), **VIEWERS),
    ),
    "event_list": Row(CHILD, get=child_page(PAGE), post=WRONG_METHOD),
    "event_add": Row(
        CHILD, get=child_page(PAGE, **VIEWERS), post=child_page(saved("event_list"), **VIEWERS)
    ),
    "event_edit": Row(
        CHILD_PK,
        obj="event",
        get=child_page(PAGE, **VIEWERS),
        post=child_page(saved("event_list"), **VIEWERS),
    ),
    "event_delete": Row(
        CHILD_PK,
        obj="event",
        get=child_page(PAGE, **VIEWERS),  # the confirmation page
        post=child_page(saved("event_list"), **VIEWERS),
    ),
    "treatment_list": Row(CHILD, get=child_page(PAGE), post=WRONG_METHOD),
    "treatment_add": Row(
        CHILD,
        get=child_page(PAGE, **VIEWERS),
        post=child_page(saved("treatment_list"), **VIEWERS),
    ),
    "treatment_edit": Row(
        CHILD_PK,
        obj="treatment",
        get=child_page(PAGE, **VIEWERS),
        post=child_page(saved("treatment_list"), **VIEWERS),
    ),
    "treatment_delete": Row(
        CHILD_PK,
        obj="treatment",
        get=child_page(PAGE, **VIEWERS),
        post=child_page(saved("treatment_list"), **VIEWERS),
    ),
    "item_list": Row(
        CHILD, get=child_page(PAGE), post=child_page(saved("item_list"), **NON_OWNERS)
    ),
    "item_edit": Row(
        CHILD_PK,
        obj="item",
        get=child_page(PAGE, **NON_OWNERS),
        post=child_page(saved("item_list"), **NON_OWNERS),
    ),
    "change_list": Row(CHILD, get=child_page(PAGE, **NON_OWNERS), post=WRONG_METHOD),
    # The whole team reads how possible relapses are flagged; only owners change the numbers.
    "relapse_settings": Row(
        CHILD, get=child_page(PAGE), post=child_page(saved("relapse_settings"), **NON_OWNERS)
    ),
    "team": Row(CHILD, get=child_page(PAGE), post=child_page(saved("team"), **NON_OWNERS)),
    "invitation_revoke": Row(
        CHILD_PK,
        obj="invitation",
        get=WRONG_METHOD,
        post=child_page(saved("team"), **NON_OWNERS),
    ),
    # The membership is Dora's (a caregiver): someone else's for everyone in the table.
    "membership_role": Row(
        CHILD_PK,
        obj="membership",
        get=WRONG_METHOD,
        post=child_page(saved("team"), **NON_OWNERS),
    ),
    "membership_remove": Row(
        CHILD_PK,
        obj="membership",
        get=WRONG_METHOD,
        post=child_page(saved("team"), **NON_OWNERS),
    ),
    # Anyone with the link may open it, strangers included: that is what an invitation is for.
    # Whoever is not on the team yet joins by POST; the team is told they are on it already.
    "invitation_accept": Row(
        ("token",),
        get=everyone(PAGE),
        post=everyone(
            PAGE, stranger=saved("child_detail"), staff=saved("child_detail")
        ),  # anonymous: the page asks them to log in or sign up first
        shows_child=True,
    ),
    # Only owners make, list and revoke links to the visit summary; the rest of the team is told
    # so (as the team page shows invitations to owners only).
    "share_links": Row(
        CHILD, get=child_page(PAGE), post=child_page(saved("share_links"), **NON_OWNERS)
    ),
    "share_link_openings": Row(
        CHILD_PK, obj="share_link", get=child_page(PAGE, **NON_OWNERS), post=WRONG_METHOD
    ),
    "share_link_revoke": Row(
        CHILD_PK,
        obj="share_link",
        get=child_page(PAGE, **NON_OWNERS),  # the confirmation page
        post=child_page(saved("share_links"), **NON_OWNERS),
    ),
    # Anyone with a share link opens Mia's visit summary and its PDF, logged in or not; each
    # opening is logged. Nothing is sent to it but GET.
    "shared_summary": Row(
        ("token",), get=everyone(OPENED), post=everyone(NOT_ALLOWED), shows_child=True
    ),
    "shared_summary_pdf": Row(
        ("token",), get=everyone(OPENED_PDF), post=everyone(NOT_ALLOWED), shows_child=True
    ),
    # The whole team downloads the journal; those who log days import into it. The upload gets
    # the preview (nothing written yet); confirming with no preview waiting sends back.
    "data_page": Row(CHILD, get=child_page(PAGE), post=WRONG_METHOD),
    "data_download": Row(
        ("child_id", "kind"),
        get=child_page(DOWNLOAD),
        post=WRONG_METHOD,
        fill=lambda w: {"kind": "entries"},
    ),
    "data_import": Row(CHILD, get=WRONG_METHOD, post=child_page(PAGE, **VIEWERS)),
    "data_import_confirm": Row(
        CHILD, get=WRONG_METHOD, post=child_page(sent_to("data_page"), **VIEWERS)
    ),
    # The account's tokens for the API: each caregiver makes and lists their own.
    "access_tokens": Row((), get=signed_in(PAGE), post=signed_in(saved("access_tokens"))),
    # The token is Dora's: no one else's to revoke (the owner revokes her own in test_api.py).
    "access_token_revoke": Row(
        ("pk",),
        obj="access_token",
        get=WRONG_METHOD,
        post=signed_in(NOT_FOUND),
    ),
    # --- journal/api/urls.py: the API, here with the session; tokens in API_CELLS below -------
    # The schema and its reference page describe the API, and hold no one's data.
    "api_schema": Row((), get=everyone(DOWNLOAD), post=everyone(NOT_ALLOWED)),
    "api_docs": Row((), get=everyone(PAGE), post=everyone(NOT_ALLOWED)),
    "api_children": Row((), get=everyone(API_OK, anonymous=API_LOGIN), post=API_WRONG_METHOD),
    "api_child": Row(CHILD, get=api_child(API_OK), post=API_WRONG_METHOD),
    "api_days": Row(CHILD, get=api_child(API_OK), post=API_WRONG_METHOD),
    "api_day": Row(("child_id", "day"), get=api_child(API_OK), post=API_WRONG_METHOD),
    # Triggers and courses are written as on their pages: by owners and caregivers; extra
    # items by owners only. PUT and DELETE: the token matrix below.
    "api_events": Row(CHILD, get=api_child(API_OK), post=api_child(API_CREATED, **API_VIEWERS)),
    "api_event": Row(CHILD_PK, obj="event", get=api_child(API_OK), post=API_WRONG_METHOD),
    "api_treatments": Row(CHILD, get=api_child(API_OK), post=api_child(API_CREATED, **API_VIEWERS)),
    "api_treatment": Row(CHILD_PK, obj="treatment", get=api_child(API_OK), post=API_WRONG_METHOD),
    "api_items": Row(
        CHILD,
        get=api_child(API_OK),
        post=api_child(API_CREATED, **API_VIEWERS, caregiver=API_OWNER),
    ),
    "api_item": Row(CHILD_PK, obj="item", get=api_child(API_OK), post=API_WRONG_METHOD),
    "api_fhir": Row(CHILD, get=api_child(API_OK), post=API_WRONG_METHOD),
    # Any other URL under /api/v1/ (here /api/v1/.*): 404 in JSON, for anyone.
    "api_not_found": Row((), get=everyone(API_NOT_FOUND), post=everyone(API_NOT_FOUND)),
    # --- omstracker/urls.py: the same few words for anyone, none of them private -------------
    "health": Row((), get=everyone(HEALTHY), post=everyone(NOT_ALLOWED)),
    # The language picker: sets the language cookie, back to `next`; a GET changes nothing.
    "set_language": Row((), get=everyone(sent_to("home")), post=everyone(sent_to("home"))),
    # Our scripts' words in one language, the same for everyone (any cache may keep it).
    "javascript-catalog": Row(
        ("language",),
        get=everyone(SCRIPT),
        post=everyone(NOT_ALLOWED),
        fill=lambda w: {"language": "es"},
    ),
    # --- django.contrib.auth.urls, under accounts/ ---------------------------------------------
    # The POST logs in as the owner, whoever sends it; logging in stamps last_login.
    "login": Row((), get=everyone(PAGE), post=everyone(saved("home"))),
    "logout": Row((), get=everyone(NOT_ALLOWED), post=everyone(sent_to("login"))),
    "password_change": Row((), get=signed_in(PAGE), post=signed_in(saved("password_change_done"))),
    "password_change_done": Row((), get=signed_in(PAGE), post=WRONG_METHOD),
    # Sends Dora a link; the page that follows is the same whether the address is known or not.
    "password_reset": Row((), get=everyone(PAGE), post=everyone(sent_to("password_reset_done"))),
    "password_reset_done": Row((), get=everyone(PAGE), post=everyone(NOT_ALLOWED)),
    # A working link is swapped for .../set-password/ (the token moves into the session).
    "password_reset_confirm": Row(
        ("uidb64", "token"),
        get=everyone(sent_to("password_reset_confirm")),
        post=everyone(sent_to("password_reset_confirm")),
        fill=reset_link,
    ),
    "password_reset_complete": Row((), get=everyone(PAGE), post=everyone(NOT_ALLOWED)),
}

ROWS_AND_METHODS = [(r.name, method) for r in APP_ROUTES for method in METHODS]
CHILD_URLS = sorted(name for name, row in ROWS.items() if "child_id" in row.takes)
OBJECT_URLS = sorted(name for name, row in ROWS.items() if row.obj)


def test_every_url_pattern_has_a_row():
    unnamed = [r.route for r in APP_ROUTES if not r.name]
    assert unnamed == [], "give these URL patterns a name, and a row in ROWS"
    names = [r.name for r in APP_ROUTES]
    assert len(names) == len(set(names)), "every pattern has its own name"
    assert set(names) - ROWS.keys() == set(), "add these URLs to ROWS in tests/test_access.py"
    assert ROWS.keys() - set(names) == set(), "ROWS names URLs that no longer exist"


def test_the_admin_is_under_admin_and_only_there():
    assert ADMIN_ROUTES, "the walk found the admin"
    assert all(r.name is None or r.name.startswith("admin:") for r in ADMIN_ROUTES)
    assert not any(r.name and r.name.startswith("admin:") for r in APP_ROUTES)


def test_every_row_says_what_every_role_gets():
    for name, row in ROWS.items():
        assert tuple(row.get) == ROLES, name
        assert tuple(row.post) == ROLES, name
        assert ("pk" in row.takes) == (row.obj is not None), name


@pytest.mark.parametrize("route", APP_ROUTES, ids=lambda r: r.name or r.route)
def test_each_row_takes_what_its_pattern_takes(route):
    assert route.name in ROWS, f"no row for {route.name}"
    assert route.params == ROWS[route.name].takes


# --- the world: two families, staff, one object of every kind ----------------------------------


def objects_of(child: Child, member=None, token: str = "") -> dict:
    """One object of each kind a URL can name, all belonging to `child`."""
    member = member or MembershipFactory(child=child, role=Role.CAREGIVER)
    course = TreatmentCourseFactory(child=child)
    DoseChangeFactory(course=course)
    entry = DailyEntryFactory(child=child)
    return {
        "entry": entry,
        "access_token": AccessToken.objects.get(token_hash=hash_token(token_for(member.user))),
        "event": TriggerEventFactory(child=child),
        "treatment": course,
        "invitation": InvitationFactory(child=child, **({"token": token} if token else {})),
        "share_link": ShareLinkFactory(child=child, **({"token": token} if token else {})),
        "membership": member,
        "item": TrackedItem.objects.create(
            child=child,
            name="Hands",
            anchor_0="Usual",
            anchor_1="Clumsy",
            anchor_2="Hard to hold a spoon",
            anchor_3="Can't use hands",
        ),
    }


@dataclass
class World:
    child: Child  # Mia
    other_child: Child  # Noah, the stranger's
    users: dict  # by role, and "dora": a caregiver of Mia's whom the team URLs act on
    mine: dict  # Mia's objects, by kind
    theirs: dict  # Noah's

    def client(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(self.users[role])
        return client

    def hidden_names(self, role: str) -> list[str]:
        """The children this role is on no care team of."""
        visible = {"stranger": {self.other_child.name}}.get(
            role, {self.child.name} if role in MEMBERS else set()
        )
        return [c.name for c in (self.child, self.other_child) if c.name not in visible]


@pytest.fixture
def world(owner, child, caregiver, viewer, stranger, stranger_child) -> World:
    dora = UserFactory(username="dora", email="dora@example.org")
    staff = UserFactory(username="stella", is_staff=True, is_superuser=True)
    Group.objects.create(name="Support")
    return World(
        child=child,
        other_child=stranger_child,
        users={
            "owner": owner,
            "caregiver": caregiver,
            "viewer": viewer,
            "stranger": stranger,
            "staff": staff,
            "dora": dora,
        },
        mine=objects_of(child, MembershipFactory(child=child, user=dora), token=TOKEN),
        theirs=objects_of(stranger_child),
    )


def values_for(name: str, world: World, child: Child | None = None, objects=None) -> dict:
    """The parameters of URL `name`, for `child` (Mia) and the object of `objects` (hers)."""
    row = ROWS[name]
    child = child or world.child
    objects = objects or world.mine
    day = objects["entry"].date if name.startswith("api_") else child.today()
    values = {"child_id": child.pk, "day": day.isoformat(), "token": TOKEN}
    if row.obj:
        values["pk"] = objects[row.obj].pk
    if row.fill:
        values.update(row.fill(world))
    return values


def url_of(name: str, world: World, **kwargs) -> str:
    route = next(r for r in APP_ROUTES if r.name == name)
    url = path_of(route, values_for(name, world, **kwargs))
    assert resolve(url).route == route.route, f"{url} is taken by another pattern"
    return url


def valid_data(name: str, world: World) -> dict:
    """A POST that changes something if it is let through."""
    child = world.child
    yesterday = (child.today() - DAY).isoformat()
    course = {
        "drug": "ivig",
        "purpose": "immunotherapy",
        "regimen": "infusion_cycle",
        "dose": "2",
        "unit": "g/kg",
        "route": "iv",
        "start_date": yesterday,
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
    }
    event = {"type": "stress", "start_date": yesterday, "notes": "Moved house"}
    item = {"anchor_0": "Dry", "anchor_1": "Some", "anchor_2": "Often", "anchor_3": "Constant"}
    new_password = "a-brand-new-passphrase"
    data = {
        "signup": {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "password1": new_password,
            "password2": new_password,
        },
        "child_add": {
            "name": "Leo",
            "birth_date": "2022-01-01",
            "tumour_found": "no",
            "time_zone": "Europe/Paris",
        },
        "child_edit": {
            "name": "Renamed",
            "birth_date": child.birth_date.isoformat(),
            "tumour_found": "yes",
            "time_zone": "Europe/Paris",
        },
        "entry_form": {"date": child.today().isoformat(), "opsoclonus": "3", "notes": "Bad day"},
        "event_add": event,
        "event_edit": {**event, "version": "1"},  # the version the edit form was opened on
        "treatment_add": course,
        "treatment_edit": {**course, "version": "1"},
        "team": {"note": "Grandpa", "role": "owner"},
        "share_links": {"note": "Dr Rivera", "first": yesterday, "last": "", "days": "30"},
        "item_list": {"name": "Drooling", **item},
        "access_tokens": {"name": "Bedside button", "scope": "write", "days": "30"},
        # The API's bodies, sent as JSON.
        "api_events": api_event(child),
        "api_treatments": api_course(child),
        "api_items": {"name": "Drooling", "anchors": list(item.values())},
        "item_edit": {"name": "Hand use", **item},
        "relapse_settings": {**DEFAULT_RULE.numbers(), "baseline_days": 21},
        "membership_role": {f"m{world.mine['membership'].pk}-role": "viewer"},
        "login": {"username": world.users["owner"].username, "password": PASSWORD},
        "password_change": {
            "old_password": PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
        "password_reset": {"email": "dora@example.org"},
        "set_language": {"language": "es", "next": "/"},
        "account_delete": {"password": PASSWORD},
        "profile": {"first_name": "Dora the owner"},
        "account_language": {"language": "de"},
        "data_import": {
            "entries": SimpleUploadedFile("entries.csv", f"date,rage\n{yesterday},2\n".encode())
        },
    }
    return data.get(name, {})


def send(client: Client, method: str, url: str, data: dict):
    if method == GET:
        return client.get(url)
    if url.startswith("/api/"):
        return client.post(url, data, content_type="application/json")
    return client.post(url, data)


def api_event(child: Child) -> dict:
    """A trigger the API may log or save (the world's event is a fever of 3 days ago)."""
    yesterday = (child.today() - DAY).isoformat()
    return {"type": "stress", "start_date": yesterday, "notes": "Moved house"}


def api_course(child: Child) -> dict:
    """A course the API may add or save, with a dose change."""
    start = child.today() - 10 * DAY
    return {
        "drug": "ivig",
        "purpose": "immunotherapy",
        "regimen": "infusion_cycle",
        "dose": 2,
        "unit": "g/kg",
        "route": "iv",
        "start_date": start.isoformat(),
        "dose_changes": [{"date": (start + 5 * DAY).isoformat(), "dose": 1}],
    }


def login_redirect(url: str, login_url: str | None = None) -> str:
    return f"{login_url or reverse('login')}?{urlencode({'next': url}, safe='/')}"


def check(response, expect: Expect, *, url: str, child: Child | None = None) -> None:
    """The response is what `expect` says (status, target, message); a page is a whole page."""
    body = html_of(response)
    got = f"got {response.status_code} {response.get('Location', '')}".rstrip()
    assert response.status_code == expect.status, got
    if not expect.public:
        assert_kept_private(response)
    if expect.json:
        assert response["Content-Type"].split(";")[0] in JSON_TYPES, response["Content-Type"]
        body_json = response.json()
        if expect.message:
            assert body_json["detail"] == expect.message
    elif expect.download and name_is_schema(response):
        assert "openapi" in body
    elif expect.download:
        assert response["Content-Disposition"].startswith("attachment;")
    elif expect.svg:
        assert response["Content-Type"] == "image/svg+xml"
        assert b"<svg" in response.content
    elif expect.health:
        assert response.json()["database"] == "ok"
    elif expect.type:
        assert response["Content-Type"].startswith(expect.type)
    elif expect.status == 200:
        assert "<html" in body
    elif expect.status == 404:
        assert "Not found" in text_of(response)
    elif expect.status == 403:
        assert expect.message in text_of(response)
        assert "<html" in body
    elif expect.status == 302 and expect.to == LOGIN_NEXT:
        assert response.url == login_redirect(url)
    elif expect.status == 302:
        match = resolve(urlsplit(response.url).path)
        assert match.view_name == expect.to, response.url
        if child is not None and "child_id" in match.kwargs:
            assert match.kwargs["child_id"] == child.pk, response.url


JSON_TYPES = ("application/json", "application/fhir+json")


def name_is_schema(response) -> bool:
    return response["Content-Type"].startswith("application/vnd.oai.openapi")


def assert_kept_private(response) -> None:
    """No cache but the browser's may keep a response, and the browser only to revalidate it
    (a chart, by its ETag): every response may hold a family's data."""
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    if "no-store" in cache_control:  # kept by no cache at all
        return
    revalidated = "no-cache" in cache_control and response.has_header("ETag")
    assert "private" in cache_control and revalidated, (
        f"Cache-Control: {response.get('Cache-Control')}"
    )


def names_in(body: str, names: list[str]) -> list[str]:
    return [name for name in names if re.search(rf"\b{re.escape(name)}\b", body)]


# --- the matrix --------------------------------------------------------------------------------


@contextmanager
def rolled_back():
    """Run a request in a savepoint, then undo it: each role meets the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def cell(world: World, name: str, role: str, method: str) -> None:
    """One cell of the table: `role` sends `method` to URL `name`, as the row says."""
    row = ROWS[name]
    expect = (row.get if method == GET else row.post)[role]
    client = world.client(role)
    url = url_of(name, world)
    before = full_snapshot()

    response = send(client, method, url, valid_data(name, world))

    check(response, expect, url=url, child=world.child if "child_id" in row.takes else None)
    changed = full_snapshot() != before
    assert changed == expect.writes, "wrote to the journal" if changed else "wrote nothing"
    hidden = [] if row.shows_child else world.hidden_names(role)
    assert names_in(html_of(response), hidden) == [], "names a child not on the role's team"


@pytest.mark.parametrize(("name", "method"), ROWS_AND_METHODS)
def test_each_role_gets_what_the_row_says(world, name, method):
    """Every role in turn, each in a savepoint rolled back after its request."""
    assert name in ROWS, f"{name} has no row in ROWS (tests/test_access.py): say who may use it"
    wrong = []
    for role in ROLES:
        with rolled_back():
            try:
                cell(world, name, role, method)
            except AssertionError as failure:
                expect = (ROWS[name].get if method == GET else ROWS[name].post)[role]
                wrong.append(f"{role} (expected {expect}): {str(failure).splitlines()[0]}")
    assert not wrong, f"{method} {name}:\n" + "\n".join(wrong)


# --- forged ids and missing children -----------------------------------------------------------


@pytest.mark.parametrize("name", OBJECT_URLS)
@pytest.mark.parametrize("method", METHODS)
def test_an_id_from_another_family_under_my_childs_url_is_404(world, name, method):
    """A forged id: the owner's own child in the URL, the stranger's event/course/... as pk."""
    row = ROWS[name]
    client = world.client("owner")
    url = url_of(name, world, objects=world.theirs)
    before = full_snapshot()

    response = send(client, method, url, valid_data(name, world))

    accepted = (row.get if method == GET else row.post)["owner"].status != 405
    check(response, refusal(name, allowed=accepted), url=url)
    assert full_snapshot() == before
    assert names_in(html_of(response), [world.other_child.name]) == []


@pytest.mark.parametrize("name", OBJECT_URLS)
@pytest.mark.parametrize("method", METHODS)
def test_a_stranger_using_our_ids_under_their_own_child_gets_404(world, name, method):
    row = ROWS[name]
    client = world.client("stranger")
    url = url_of(name, world, child=world.other_child, objects=world.mine)
    before = full_snapshot()

    response = send(client, method, url, valid_data(name, world))

    accepted = (row.get if method == GET else row.post)["owner"].status != 405
    check(response, refusal(name, allowed=accepted), url=url)
    assert full_snapshot() == before
    assert names_in(html_of(response), [world.child.name]) == []


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_an_id_of_my_other_child_under_this_childs_url_is_404(world, name):
    """Scoping is by child, not only by family: my other child's objects don't leak across."""
    client = world.client("owner")
    second = ChildFactory(name="Zoe", owner=world.users["owner"])
    url = url_of(name, world, objects=objects_of(second))
    method = POST if ROWS[name].post["owner"].status != 405 else GET
    before = full_snapshot()
    response = send(client, method, url, valid_data(name, world))
    check(response, refusal(name), url=url)
    assert full_snapshot() == before


def refusal(name: str, *, allowed: bool = True) -> Expect:
    """404 for a record not found (405 if the URL takes no such method: before any lookup),
    in JSON for the API's URLs."""
    if name.startswith("api_"):
        return API_NOT_FOUND if allowed else API_NOT_ALLOWED
    return NOT_FOUND if allowed else NOT_ALLOWED


@pytest.mark.parametrize("name", CHILD_URLS)
def test_a_child_that_does_not_exist_is_404(world, name):
    row = ROWS[name]
    method = GET if row.get["owner"].status != 405 else POST
    url = re.sub(rf"/children/{world.child.pk}(/|$)", r"/children/999999\1", url_of(name, world))
    assert "/999999" in url
    response = send(world.client("owner"), method, url, valid_data(name, world))
    check(response, API_NOT_FOUND if name.startswith("api_") else NOT_FOUND, url=url)


ID_PARAMS = [(name, p) for name in CHILD_URLS for p in ROWS[name].takes if p in ("child_id", "pk")]


@pytest.mark.parametrize(("name", "param"), ID_PARAMS)
@pytest.mark.parametrize("number", [2**63, 10**30])
def test_an_id_past_what_the_database_holds_is_404(world, name, param, number):
    """A 64-bit column holds ids up to 2**63 - 1: a larger one was an OverflowError in the SQL
    of journal/rows.py, a 500. It names nothing, as any id that is not the caregiver's."""
    row = ROWS[name]
    method = GET if row.get["owner"].status != 405 else POST
    route = next(r for r in APP_ROUTES if r.name == name)
    url = path_of(route, {**values_for(name, world), param: number})
    response = send(world.client("owner"), method, url, valid_data(name, world))
    check(response, API_NOT_FOUND if name.startswith("api_") else NOT_FOUND, url=url)


# --- the admin ---------------------------------------------------------------------------------

NON_STAFF = [role for role in ROLES if role != "staff"]


def admin_values(route: Route, world: World) -> dict:
    """Parameters for any admin pattern: an object of the pattern's model, and so on."""
    model_admin = getattr(route.pattern.callback, "model_admin", None)
    model = model_admin.model if model_admin else Child
    obj = model._default_manager.order_by("pk").first()
    return {
        "object_id": obj.pk if obj else 1,  # the log-in check comes before any lookup
        "id": world.users["owner"].pk,  # the user admin's password page
        "content_type_id": ContentType.objects.get_for_model(Child).pk,
        "app_label": "journal",
        "url": "no-such-page/",  # the catch-all
    }


def admin_rule(route: Route, url: str, method: str) -> tuple[int, str]:
    """What anonymous visitors and non-staff get from an admin URL: (status, location)."""
    if route.name == "admin:login":
        return 200, ""  # the form (a non-staff user is told they may not use the admin)
    if route.name == "admin:logout":
        return 302, reverse("admin:index")  # admin_view's own exception
    return 302, login_redirect(url, reverse("admin:login"))


@pytest.mark.parametrize("role", NON_STAFF)
def test_every_admin_url_sends_non_staff_to_the_admin_log_in(world, role):
    client = world.client(role)
    before = full_snapshot()
    wrong = []
    for route in ADMIN_ROUTES:
        url = path_of(route, admin_values(route, world))
        assert resolve(url).route == route.route, f"{url} is not {route.route}"
        for method in METHODS:
            response = send(client, method, url, {})
            status, location = admin_rule(route, url, method)
            got = (response.status_code, response.get("Location", ""))
            if got != (status, location):
                wrong.append(f"{method} {url}: {got}, not {(status, location)}")
            hidden = names_in(html_of(response), [world.child.name, world.other_child.name])
            if hidden:
                wrong.append(f"{method} {url} shows {hidden}")
    assert wrong == []
    assert full_snapshot() == before


ADMIN_MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)
# The world makes a row of each of these, so staff open one's change page; other apps' models
# (django-axes' login records) are empty in a test, and only their list is opened.
WORLD_APPS = ("auth", "journal")


def test_staff_open_the_admin_index(world):
    client = world.client("staff")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "OMS Journal administration" in html_of(response)
    assert client.get(reverse("admin:login")).url == reverse("admin:index")
    assert client.get(reverse("admin:logout")).status_code == 405  # log out by POST


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model._meta.label)
def test_staff_open_each_models_list_and_change_page(world, model):
    client = world.client("staff")
    obj = model._default_manager.order_by("pk").first()
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    before = full_snapshot()

    changelist = client.get(reverse(f"{info}_changelist"))
    assert changelist.status_code == 200
    assert "OMS Journal administration" in html_of(changelist)
    if model._meta.app_label in WORLD_APPS:
        assert obj is not None, f"the world fixture makes no {model._meta.label}"
        change = client.get(reverse(f"{info}_change", args=[obj.pk]))
        assert change.status_code == 200
        assert "OMS Journal administration" in html_of(change)
    assert full_snapshot() == before


# --- the API with tokens: every API URL, for every role and every kind of token -----------------

API_NAMES = sorted(
    name for name in ROWS if name.startswith("api_") and "child_id" in ROWS[name].takes
)
TOKEN_KINDS = ("read", "write", "write, for another child")
PUT, DELETE = "PUT", "DELETE"
API_METHODS = (GET, POST, PUT, DELETE)
# What each API URL takes beside GET; any other method is 405 before anything is looked up.
API_WRITES = {
    "api_day": (PUT,),
    "api_events": (POST,),
    "api_event": (PUT, DELETE),
    "api_treatments": (POST,),
    "api_treatment": (PUT, DELETE),
    "api_items": (POST,),
    "api_item": (PUT,),
}
OWNERS_ONLY = ("api_items", "api_item")  # as the items page


def api_expect(name: str, role: str, kind: str, method: str) -> Expect:
    """What a token of `role`'s, of `kind`, gets from `method` on API URL `name` of Mia's: never
    more than its owner may on the web."""
    if method != GET and method not in API_WRITES.get(name, ()):
        return API_NOT_ALLOWED  # before any lookup: it says nothing of the child
    if role == "stranger" or kind == "write, for another child":
        return API_NOT_FOUND
    if method == GET:
        return API_OK
    if kind == "read":
        return API_READ_ONLY
    if role == "viewer":
        return API_VIEWER
    if role != "owner" and name in OWNERS_ONLY:
        return API_OWNER
    return {POST: API_CREATED, PUT: API_SAVED, DELETE: API_DELETED}[method]


def token_of_kind(world: World, role: str, kind: str) -> str:
    user = world.users[role]
    if kind == "write, for another child":
        return token_for(user, scope="write", child=ChildFactory(name="Zoe", owner=user))
    return token_for(user, scope=kind)


def api_body(name: str, world: World) -> tuple[dict, str]:
    """A body that changes the record of API URL `name` if it is let through, and the version
    it starts from (If-Match)."""
    mine = world.mine
    if name == "api_day":
        return {"notes": "Logged by voice", "rage": 2}, f'"{mine["entry"].version}"'
    if name == "api_event":
        return api_event(world.child), f'"{mine["event"].version}"'
    if name == "api_treatment":
        return api_course(world.child), f'"{mine["treatment"].version}"'
    if name == "api_item":
        return {"name": "Hand use", "anchors": ["a", "b", "c", "d"]}, ""
    return valid_data(name, world) or {"notes": "Logged by voice"}, ""


def api_send(client: Client, method: str, url: str, world: World, name: str = "api_day"):
    if method == GET:
        return client.get(url)
    body, version = api_body(name, world)
    headers = {"If-Match": version} if version else {}
    if method == DELETE:
        return client.delete(url, headers=headers)
    send_with = client.put if method == PUT else client.post
    return send_with(url, body, content_type="application/json", headers=headers)


@pytest.mark.parametrize("method", API_METHODS)
@pytest.mark.parametrize("name", API_NAMES)
def test_each_token_gets_no_more_than_its_owner(world, name, method):
    wrong = []
    for role in ("viewer", "caregiver", "owner", "stranger"):
        for kind in TOKEN_KINDS:
            with rolled_back():
                expect = api_expect(name, role, kind, method)
                client = TokenClient(token_of_kind(world, role, kind))
                url = url_of(name, world)
                before = full_snapshot()
                response = api_send(client, method, url, world, name)
                try:
                    check(response, expect, url=url)
                    changed = {
                        label: rows
                        for label, rows in full_snapshot().items()
                        if rows != before[label] and label != "journal.AccessToken"
                    }
                    assert bool(changed) == expect.writes, changed.keys() or "wrote nothing"
                    assert names_in(html_of(response), world.hidden_names(role)) == []
                except AssertionError as failure:
                    wrong.append(f"{role}, {kind} token (expected {expect}): {failure}")
    assert not wrong, f"{method} {name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", [name for name in API_NAMES if ROWS[name].obj])
def test_a_token_never_reaches_another_familys_record(world, name):
    """The owner's own read-and-write token, Mia in the URL, the stranger's record as its id:
    404 for every method the URL takes, and nothing written."""
    client = TokenClient(token_for(world.users["owner"]))
    url = url_of(name, world, objects=world.theirs)
    before = full_snapshot()
    for method in (GET, *API_WRITES[name]):
        check(api_send(client, method, url, world, name), API_NOT_FOUND, url=url)
    after = full_snapshot()
    assert {k: v for k, v in after.items() if v != before[k]}.keys() <= {"journal.AccessToken"}


def test_a_token_for_another_child_lists_only_that_child(world):
    token = token_of_kind(world, "owner", "write, for another child")
    names = [c["name"] for c in TokenClient(token).get("/api/v1/children").json()["results"]]
    assert names == ["Zoe"]


def test_a_wrong_token_is_401_everywhere(world):
    client = TokenClient("omsj_not-a-token")
    for name in API_NAMES:
        url = url_of(name, world)
        for method in API_METHODS:
            response = api_send(client, method, url, world, name)
            assert response.status_code == 401, (method, url)
