"""An attack on a production-like server: two families, every role, every URL, over real HTTP.

    .venv/bin/python scripts/attack.py [--quick] [--workers 3] [--doc docs/security.md]
    bash scripts/with-postgres .venv/bin/python scripts/attack.py      (on PostgreSQL)
    make attack

It serves a throwaway copy of the app with gunicorn on 127.0.0.1 (production settings, DEBUG
off, its own database: SQLite in a temporary folder, or, when DATABASE_URL names a PostgreSQL
server, a new database on that server, dropped at the end). Two families: Mia's (an owner, a
caregiver, a viewer) and Noah's (his owner, the "stranger" to Mia's family), each with days,
triggers, a treatment course with a dose change, an item, an invitation, a share link and a
second caregiver; plus anonymous visitors and a clinician holding each family's share link.
Everyone logs in through the login form. Then, in order:

1. walk: every URL pattern of the URLconf (walked, as tests/test_access.py walks it), its
   parameters filled from each family, as each role: GET, then POST with and without the CSRF
   token. The POSTs a role may not send go first (with a valid form); then the rest.
2. forged ids: each family's ids under the other family's URLs, and ids past 64 bits.
3. cases: each numbered case of the "one mistaken date or name" issue through the real forms
   and the import: 9999-12-31 ends and steps, TeX and markup in names, right-to-left text, emoji
   and 4,000-character notes, birth dates at year 1, a form in UTF-16, 2 MB of bad import rows,
   a stale import preview, a caregiver adding items by import, a non-Latin-1 username's
   download, a rating of "²".
4. read back: every page, chart, table, summary, PDF, download, API answer and share view of
   each child, as each role, after all those writes.

It fails (exit 1) on any 5xx or request without an answer, any request into another family
(or, anonymous, into any family) answered other than 404 (or the log-in page; 405 where the
URL takes no such method), any POST of a role that may not send it answered other than a
refusal or that changed the journal, any response slower than --slowest seconds (5), any
private response that a shared cache may keep, and any case answered otherwise than its fix
says. It prints requests by status, role and case, and the slowest.
"""

import argparse
import contextlib
import datetime
import hashlib
import http.client
import os
import re
import secrets
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from forms_on_page import form_for
from serving import (
    SETTINGS_MODULE,
    Session,
    code_version,
    free_port,
    hidden_value,
    machine,
    run_env,
    setup_django,
    start_server,
    stop_server,
    write_doc,
)

ROLES = ("owner", "caregiver", "viewer", "stranger", "anonymous", "clinician")
MEMBERS = ("owner", "caregiver", "viewer")
SIGNED_IN = ("owner", "caregiver", "viewer", "stranger")
FAMILIES = ("mia", "noah")
FAMILY_OF = {"owner": "mia", "caregiver": "mia", "viewer": "mia", "stranger": "noah"}
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
# 415: a form sent to the API, which takes JSON: refused before anything is looked up.
REFUSALS = (401, 403, 404, 405, 415)
PAST_INT64 = (2**63, 10**30)
DAY = datetime.timedelta(days=1)

# Who may send each URL's form, where it is not "the team's writers" (owners and caregivers):
# anyone at all, or owners only. Every other POST of a child's URL is the writers'; every other
# POST outside a child's URL is any signed-in account's (its own profile, tokens, children).
ANYONE = {
    "admin:login",  # the form again: a refusal of its own
    "admin:logout",  # to the admin's log-in, for anyone not staff
    "login",
    "logout",
    "signup",
    "password_reset",
    "password_reset_confirm",
    "invitation_accept",
}
OWNERS = {
    "child_edit",
    "item_list",
    "item_edit",
    "relapse_settings",
    "team",
    "invitation_revoke",
    "membership_role",
    "membership_remove",
    "share_links",
    "share_link_revoke",
}
# Nobody may: the token or object in the URL is no one's of the roles here.
NOBODY = {"access_token_revoke", "reminder_stop"}
# The URLs that delete or revoke are pointed at a spare object, so the rest stay for reading.
SPARE = {
    "event_delete",
    "treatment_delete",
    "share_link_revoke",
    "invitation_revoke",
    "membership_remove",
    "membership_role",
}
# Sent once at the end, or never in the walk: they end the session or the account.
ENDS_SESSION = {"logout", "account_delete", "password_change"}
# The same bytes for everyone, no one's data: any cache may keep them.
PUBLIC = {"manifest", "service_worker", "static"}

PLANTED = """\
from django.urls import include, path


def planted_error(request, child_id):
    raise RuntimeError("planted by scripts/attack.py --plant-error, to prove the 5xx check")


urlpatterns = [
    path("children/<int:child_id>/planted-error/", planted_error, name="planted_error"),
    path("", include("omstracker.urls")),
]
"""


# --- what was sent, what came back --------------------------------------------------------------


@dataclass
class Result:
    role: str
    case: str
    method: str
    path: str
    status: int
    seconds: float
    problems: list[str] = field(default_factory=list)


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("location", "")).path


class Results:
    def __init__(self, slowest: float, workers: int):
        self.slowest = slowest
        # No more requests at once than the server has workers: a response's time is the
        # server's work on it, not a wait in the queue behind the other roles' requests.
        self.gate = threading.Semaphore(workers)
        self.all: list[Result] = []
        self.lock = threading.Lock()

    def add(self, result: Result) -> Result:
        with self.lock:
            self.all.append(result)
        return result


def is_login_redirect(answer: Answer) -> bool:
    return answer.status == 302 and answer.location in LOGIN_PATHS


def kept_private(answer: Answer) -> bool:
    parts = {part.strip() for part in answer.headers.get("cache-control", "").split(",")}
    revalidated = {"private", "no-cache"} <= parts and "etag" in answer.headers
    return "no-store" in parts or revalidated


class Client:
    """One role's browser: its cookies, its CSRF token, every answer judged and recorded."""

    def __init__(self, role: str, port: int, results: Results):
        self.role = role
        self.port = port
        self.results = results
        self.session = Session(port, timeout=results.slowest + 30)
        self.csrf = ""

    def send(
        self,
        case: str,
        method: str,
        path: str,
        form: dict | None = None,
        *,
        csrf: bool = True,
        body: bytes | None = None,
        content_type: str = "",
        headers: dict | None = None,
    ) -> tuple[Answer, Result]:
        headers = dict(headers or {})
        if method == "POST" and body is None:
            fields = {**(form or {})}
            if csrf:
                fields["csrfmiddlewaretoken"] = self.csrf
            body = urllib.parse.urlencode(fields).encode()
            content_type = content_type or "application/x-www-form-urlencoded"
        if method == "POST" and csrf:
            headers["X-CSRFToken"] = self.csrf
        if content_type:
            headers["Content-Type"] = content_type
        with self.results.gate:
            answer = self.exchange(method, path, body, headers)
        result = Result(self.role, case, method, path, answer.status, answer.seconds)
        self.judge_always(answer, result)
        self.results.add(result)
        self.keep_csrf(answer)
        return answer, result

    def exchange(self, method: str, path: str, body, headers) -> Answer:
        began = time.perf_counter()
        try:
            response, raw = self.session.exchange(method, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self.session.connection.close()
            return Answer(0, {}, repr(error).encode(), time.perf_counter() - began)
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, headers, raw, time.perf_counter() - began)

    def judge_always(self, answer: Answer, result: Result) -> None:
        if answer.status == 0:
            result.problems.append(f"no answer: {answer.text[:80]}")
        elif answer.status >= 500:
            result.problems.append(f"5xx: {answer.status}")
        if answer.seconds > self.results.slowest:
            result.problems.append(f"slow: {answer.seconds:.1f} s")
        if answer.status == 200 and not kept_private(answer) and result.case != "public":
            result.problems.append(
                f"cacheable: Cache-Control {answer.headers.get('cache-control')}"
            )

    def keep_csrf(self, answer: Answer) -> None:
        if "text/html" in answer.headers.get("content-type", ""):
            token = hidden_value(answer.text, "csrfmiddlewaretoken")
            if token:
                self.csrf = token

    def page(self, case: str, path: str) -> str:
        """A page that must be there: its HTML (problems recorded if it is not)."""
        answer, result = self.send(case, "GET", path)
        if answer.status != 200:
            result.problems.append(f"expected the page, got {answer.status}")
        return answer.text

    def log_in(self, username: str, password: str) -> None:
        self.page("log in", "/accounts/login/")
        form = {"username": username, "password": password}
        answer, result = self.send("log in", "POST", "/accounts/login/", form)
        if answer.status != 302:
            result.problems.append(f"log in of {username}: {answer.status}")
        self.page("log in", "/")  # a token of the new session

    def submit(self, case: str, path: str, changes: dict, expect: int, *, page_path=None):
        """Fill in the form of the page at `page_path` (or `path`) as it stands, change what
        `changes` says, send it: the answer must have status `expect`."""
        html = self.page(case, page_path or path)
        form = form_for(html, path)
        fields = form.fields if form else {}
        answer, result = self.send(case, "POST", path, {**fields, **changes})
        if answer.status != expect:
            result.problems.append(f"expected {expect}, got {answer.status}")
        return answer, result


# --- the world -------------------------------------------------------------------------------


@dataclass
class Family:
    name: str
    child: int
    today: datetime.date
    born: datetime.date
    ids: dict[str, int]  # kind: id of an object to read
    spare: dict[str, int]  # kind: id of an object to delete or revoke
    invitation: str
    share: str

    @property
    def child_name(self) -> str:
        return self.name.title()  # as made; the cases rename Mia only after the walk


@dataclass
class World:
    password: str
    users: dict[str, str]  # role: username
    families: dict[str, Family]


def objects_of(child, owner, spare_user, *, kept: bool) -> dict[str, int]:
    from decimal import Decimal

    from journal import services
    from journal.models import DoseChange, Membership, Role, TrackedItem, TreatmentCourse
    from journal.models import TriggerEvent as Event

    today = child.today()
    course = TreatmentCourse.objects.create(
        child=child,
        drug="prednisolone",
        purpose="immunotherapy",
        regimen="taper",
        dose=Decimal("2"),
        unit="mg/kg",
        route="oral",
        start_date=today - 30 * DAY,
        created_by=owner,
        updated_by=owner,
    )
    DoseChange.objects.create(course=course, date=today - 20 * DAY, dose=Decimal("1.5"))
    event = Event.objects.create(
        child=child,
        type="fever",
        start_date=today - 5 * DAY,
        temperature_c=Decimal("38.9"),
        created_by=owner,
        updated_by=owner,
    )
    invitation, _ = services.invitation_create(child=child, role="caregiver", note="", user=owner)
    link, _ = services.share_link_create(
        child=child, first=today - 60 * DAY, last=None, note="Dr Rivera", user=owner
    )
    member = Membership.objects.create(child=child, user=spare_user, role=Role.CAREGIVER)
    ids = {
        "event": event.pk,
        "treatment": course.pk,
        "invitation": invitation.pk,
        "share_link": link.pk,
        "membership": member.pk,
    }
    if kept:
        anchors = {f"anchor_{n}": word for n, word in enumerate(("Dry", "Some", "Often", "All"))}
        ids["item"] = TrackedItem.objects.create(child=child, name="Drooling", **anchors).pk
    return ids


def family(name: str, owner, users) -> Family:
    """A child of `owner` with 28 calm days, then 3 raised ones: a possible relapse to read."""
    from journal import services
    from journal.models import Child, DailyEntry, Membership, ShareLink, hash_token

    child = Child.objects.create(
        name=name.title(), birth_date=datetime.date(2021, 3, 1), time_zone="Europe/London"
    )
    Membership.objects.create(child=child, user=owner, role="owner")
    for user, role in users:
        Membership.objects.create(child=child, user=user, role=role)
    today = child.today()
    DailyEntry.objects.bulk_create(
        DailyEntry(
            child=child,
            date=today - back * DAY,
            opsoclonus=3 if back <= 3 else back % 2,
            myoclonus=3 if back <= 3 else 0,
            rage=2 if back <= 3 else 0,
            created_by=owner,
            updated_by=owner,
        )
        for back in range(31, 0, -1)
    )
    spare_user = get_user(f"{name}-spare")
    ids = objects_of(child, owner, spare_user, kept=True)
    spare = objects_of(child, owner, get_user(f"{name}-spare-2"), kept=False)
    invitation_token = f"invitation-of-{name}-{secrets.token_urlsafe(8)}"
    share_token = f"share-of-{name}-{secrets.token_urlsafe(8)}"
    # Tokens the script knows: only their hashes are stored, as the services store them.
    services.Invitation.objects.filter(pk=ids["invitation"]).update(
        token_hash=hash_token(invitation_token)
    )
    ShareLink.objects.filter(pk=ids["share_link"]).update(token_hash=hash_token(share_token))
    ids["access_token"] = access_token(spare_user)
    return Family(
        name, child.pk, today, child.birth_date, ids, spare, invitation_token, share_token
    )


def get_user(username: str):
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.org"}
    )
    return user


def access_token(user) -> int:
    from journal.api.tokens import token_create

    return token_create(user=user, name="Bedside button", scope="read", child=None, days=30)[0].pk


def prepare(password: str) -> World:
    """Migrate, collect static files, make both families and everyone's account."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
        call_command("collectstatic", interactive=False, verbosity=0, stdout=quiet)
    # matplotlib's font cache, built once here: each worker would build it on its first chart.
    import matplotlib.font_manager  # noqa: F401

    hashed = make_password(password)
    users = {role: f"{role}-{secrets.token_hex(3)}" for role in SIGNED_IN}
    accounts = {role: get_user(name) for role, name in users.items()}
    for account in accounts.values():
        account.password = hashed
        account.save(update_fields=["password"])
    mia = family(
        "mia",
        accounts["owner"],
        [(accounts["caregiver"], "caregiver"), (accounts["viewer"], "viewer")],
    )
    noah = family("noah", accounts["stranger"], [])
    return World(password, users, {"mia": mia, "noah": noah})


# --- the URLconf, walked -----------------------------------------------------------------------

PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    route: str
    name: str

    @property
    def params(self) -> set[str]:
        return {a or b for a, b in PARAM.findall(self.route)}

    @property
    def admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def of_a_family(self) -> bool:
        """Its URL names something of one family: a child, an object, an invitation or a link."""
        shared = ("invitation_accept", "shared_summary", "shared_summary_pdf")
        return "child_id" in self.params or self.name in shared


def walk(resolver=None, prefix: str = "", namespace: str = ""):
    from django.urls import URLResolver, get_resolver

    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern).removeprefix("^") if prefix else str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route, ":".join(filter(None, (namespace, entry.namespace))))
        else:
            name = entry.name or route
            yield Route(route, f"{namespace}:{name}" if namespace else name)


def url_of(route: Route, values: dict) -> str:
    path = PARAM.sub(lambda m: str(values[m[1] or m[2]]), route.route)
    return "/" + path.replace("^", "").replace("$", "").replace(".*", "anything")


def values_of(route: Route, family: Family, world: World) -> dict:
    """Each parameter of the route, from `family`."""
    name = route.name.split(":")[-1]
    ids = family.spare if name in SPARE else family.ids
    kind = {"data_download": "journal", "chart": "score", "chart_table": "score"}.get(name, "x")
    token = {
        "invitation_accept": family.invitation,
        "shared_summary": family.share,
        "shared_summary_pdf": family.share,
    }.get(name, "MQ:forged:signature")
    return {
        "child_id": family.child,
        "pk": ids.get(object_kind(name), family.ids["access_token"]),
        "day": family.today.isoformat(),
        "kind": kind,
        "token": token,
        "uidb64": "MQ",
        "object_id": 1,
        "id": 1,
        "content_type_id": 1,
        "app_label": "journal",
        "url": "no-such-page/",
    }


def object_kind(name: str) -> str:
    for kind in ("event", "treatment", "item", "invitation", "share_link", "membership"):
        if name.startswith(kind):
            return kind
    return "access_token"


def may_post(role: str, family: str, route: Route) -> bool:
    """Whether `role` may send the form of `route` for `family`."""
    name = route.name
    if name in ANYONE:
        return True
    if role in ("anonymous", "clinician") or route.admin or name in NOBODY:
        return False
    if "child_id" in route.params:
        writer = FAMILY_OF[role] == family and role != "viewer"
        return writer and (name not in OWNERS or role in ("owner", "stranger"))
    return not name.startswith("api_")  # the API takes no POST; its catch-all is a 404


def crosses(role: str, family: str, route: Route) -> bool:
    """The request reaches into a family the role is not on (anonymous: into any family)."""
    if "child_id" not in route.params:
        return False
    return role in ("anonymous", "clinician") or FAMILY_OF[role] != family


def judge_crossing(answer: Answer, result: Result, method: str, role: str) -> None:
    """Into another family: a 404 (the log-in page, for anonymous; 405 for a method the URL
    takes from no one, said before anything is looked up)."""
    allowed = answer.headers.get("allow", "")
    if answer.status in (404, 415):
        return
    if answer.status == 405 and method not in allowed:
        return
    if role in ("anonymous", "clinician") and (is_login_redirect(answer) or answer.status == 401):
        return
    if method == "POST" and answer.status == 403 and "CSRF" in result.case:
        return
    result.problems.append(f"into another family: {answer.status}")


# The pages that show a family's child to whoever holds their link, by design.
SHOWS_CHILD = {"invitation_accept", "shared_summary", "shared_summary_pdf"}


def judge_names(answer: Answer, result: Result, role: str, world: World) -> None:
    """A page names no child of a family the role is not on."""
    if answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
        return
    for name, family in world.families.items():
        if FAMILY_OF.get(role) != name and re.search(rf"\b{family.child_name}\b", answer.text):
            result.problems.append(f"names {family.child_name}, of another family")


def judge_refusal(answer: Answer, result: Result) -> None:
    if answer.status in REFUSALS or is_login_redirect(answer):
        return
    result.problems.append(f"a write not refused: {answer.status} {answer.location}")


# --- 1. the walk -------------------------------------------------------------------------------


def form_data(route: Route, family: Family, forms: dict, world: World) -> dict:
    """A form that changes something if let through: the page's own, filled in."""
    name = route.name
    today = family.today
    day = (today - DAY).isoformat()
    base = forms.get((family.name, name), {})
    filled = {
        "treatment_add": {
            **{"drug": "ivig", "purpose": "immunotherapy", "regimen": "infusion_cycle"},
            **{"dose": "2", "unit": "g/kg", "route": "iv", "start_date": day},
        },
        "event_add": {"type": "stress", "start_date": day, "notes": "Moved house"},
        "entry_form": {"opsoclonus": "2", "notes": "Walked by the attack"},
        "item_list": {"name": f"Hands {secrets.token_hex(2)}", "anchor_0": "Usual"}
        | {"anchor_1": "Clumsy", "anchor_2": "Spoon is hard", "anchor_3": "Can't use"},
        "team": {"note": "Grandpa", "role": "caregiver"},
        "share_links": {"note": "Dr Rivera", "first": day, "last": "", "days": "7"},
        "access_tokens": {"name": "Bedside button", "scope": "read", "days": "30"},
        "profile": {"first_name": "Walked"},
        "child_add": {
            **{"name": "Leo", "birth_date": "2022-01-01"},
            **{"tumour_found": "no", "time_zone": "Europe/Paris"},
        },
        "membership_role": {f"m{family.spare['membership']}-role": "viewer"},
        "signup": {"username": f"new-{secrets.token_hex(3)}", "email": "new@example.org"}
        | {"password1": world.password, "password2": world.password},
        "password_reset": {"email": "nobody@example.org"},
        "data_import_confirm": {"preview": "not-a-preview"},
    }.get(name, {})
    return {**base, **filled}


def walk_plan(world: World, routes: list[Route]):
    """(role, family, route, path) of every request of the walk, in a fixed order."""
    for role in ROLES:
        for route in routes:
            families = FAMILIES if route.of_a_family else ("mia",)
            for name in families:
                path = url_of(route, values_of(route, world.families[name], world))
                yield role, name, route, path


def walk_gets(clients, world: World, routes, forms: dict) -> None:
    """Every URL as each role, GET; the owners' forms are kept, to be filled in for the POSTs."""

    def one_role(role: str) -> None:
        client = clients[role]
        for who, name, route, path in walk_plan(world, routes):
            if who != role:
                continue
            case = "public" if route.name in PUBLIC else "walk"
            answer, result = client.send(case, "GET", path)
            if crosses(role, name, route):
                judge_crossing(answer, result, "GET", role)
            if route.name not in SHOWS_CHILD:
                judge_names(answer, result, role, world)
            if answer.status == 200 and FAMILY_OF.get(role) == name:
                form = form_for(answer.text, path)
                if form is not None and role in ("owner", "stranger"):
                    # Without the page's CSRF token: each request adds its own, or none.
                    form.fields.pop("csrfmiddlewaretoken", None)
                    forms[(name, route.name)] = form.fields

    in_parallel(one_role, ROLES)


def in_parallel(work, roles) -> None:
    """Each role's requests in its own thread, in its own order: the server's workers busy."""
    threads = [threading.Thread(target=work, args=(role,), daemon=True) for role in roles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def walk_posts(clients, world: World, routes, forms: dict, *, refused: bool) -> None:
    """The POSTs that must be refused (`refused`), each with and without CSRF; or the rest,
    with CSRF, then without it (refused by the CSRF check)."""

    def one_role(role: str) -> None:
        client = clients[role]
        for who, name, route, path in walk_plan(world, routes):
            if who != role or route.name in ENDS_SESSION:
                continue
            allowed = may_post(role, name, route)
            if allowed == refused:
                continue
            data = form_data(route, world.families[name], forms, world)
            if route.name == "invitation_accept" and FAMILY_OF.get(role, name) != name:
                # A real invitation is anyone's to accept: the roles here stay in their family.
                path = url_of(route, {"token": "no-such-invitation"})
            if allowed and role in ("anonymous", "clinician"):
                client = Client(role, client.port, client.results)  # a fresh visitor each time
                client.page("walk", "/accounts/login/")
            for csrf in (True, False):
                case = "walk" if csrf else "walk, no CSRF"
                answer, result = client.send(case, "POST", path, data, csrf=csrf)
                if crosses(role, name, route):
                    judge_crossing(answer, result, "POST", role)
                if not allowed or not csrf:
                    judge_refusal(answer, result)

    in_parallel(one_role, ROLES if refused else ("anonymous", "clinician"))
    if not refused:
        for role in SIGNED_IN:  # one after the other: their writes meet in the same journal
            one_role(role)


# --- 2. forged ids -----------------------------------------------------------------------------


def forged_ids(clients, world: World, routes) -> None:
    """The other family's ids under one's own child; ids past 64 bits."""
    for route in routes:
        if "pk" in route.params and "child_id" in route.params:
            for role, mine, theirs in (("owner", "mia", "noah"), ("stranger", "noah", "mia")):
                values = values_of(route, world.families[mine], world)
                other = values_of(route, world.families[theirs], world)
                path = url_of(route, {**values, "pk": other["pk"]})
                for method in ("GET", "POST"):
                    data = {f"m{other['pk']}-role": "viewer"}
                    answer, result = clients[role].send("other family's id", method, path, data)
                    judge_crossing(answer, result, method, role)
        for param in ("child_id", "pk") if not route.admin else ():
            if param not in route.params:
                continue
            for number in PAST_INT64:
                values = values_of(route, world.families["mia"], world)
                path = url_of(route, {**values, param: number})
                for method in ("GET", "POST"):
                    answer, result = clients["owner"].send("id past 64 bits", method, path, {})
                    judge_crossing(answer, result, method, "owner")


# --- 4. read back -----------------------------------------------------------------------------


def read_back_paths(family: Family, quick: bool) -> list[tuple[str, dict]]:
    """Every page, chart, table, summary, PDF, download and API answer of the child that each
    member of its team may read, with the widest periods: (path, headers)."""
    from django.urls import reverse

    from journal import trends
    from journal.models import Child

    child = Child.objects.get(pk=family.child)
    born, today = child.birth_date, child.today()
    widest = urllib.parse.urlencode({"range": "custom", "start": born, "end": today})
    period = urllib.parse.urlencode({"start": born, "end": today})
    htmx = {"HX-Request": "true"}

    def of(name: str, **kwargs) -> str:
        return reverse(name, kwargs={"child_id": child.pk, **kwargs})

    if quick:
        return [
            (of("child_detail"), {}),
            (of("chart", kind="score") + "?range=all", {}),
            (of("data_download", kind="all"), {}),
        ]
    paths = [(of(name), {}) for name in READ_BACK]
    paths += [(of("trends") + query, {}) for query in ("?range=all", "?" + widest)]
    for kind in trends.KINDS:
        for name in ("chart", "chart_table"):
            paths += [(of(name, kind=kind) + query, {}) for query in ("", "?range=all")]
        paths.append((of("chart_table", kind=kind) + "?" + widest, {}))
    paths += [(of(name) + "?" + period, {}) for name in ("summary", "summary_pdf")]
    paths += [(of("entry_form", day=day), {}) for day in (born, today)]
    paths += [(of(name), htmx) for name in ("trends", "entry_list")]
    paths += [(of("data_download", kind=kind), {}) for kind in DOWNLOADS]
    paths.append((of("api_day", day=(today - DAY).isoformat()), {}))
    return paths


READ_BACK = (
    "child_detail",
    "trends",
    "summary",
    "summary_pdf",
    "entry_list",
    "event_list",
    "treatment_list",
    "item_list",
    "relapse_settings",
    "team",
    "share_links",
    "data_page",
    "api_child",
    "api_days",
    "api_events",
    "api_treatments",
    "api_items",
    "api_fhir",
)
DOWNLOADS = ("entries", "events", "treatments", "journal", "all")


def read_back(clients, world: World, quick: bool) -> None:
    """Each child's every page as each role: its team reads each, anyone else gets nothing."""
    paths = {name: read_back_paths(family, quick) for name, family in world.families.items()}

    def one_role(role: str) -> None:
        client = clients[role]
        client.page("read back", "/") if role in SIGNED_IN else None
        for name, family in world.families.items():
            for path, headers in paths[name]:
                answer, result = client.send("read back", "GET", path, headers=headers)
                if FAMILY_OF.get(role) != name:
                    judge_crossing(answer, result, "GET", role)
                elif answer.status != 200:
                    result.problems.append(f"expected 200 for the team, got {answer.status}")
            if role == "clinician":
                client.page("read back", f"/shared/{family.share}/summary.pdf")
                if not quick:
                    client.page("read back", f"/shared/{family.share}/")

    in_parallel(one_role, ROLES)


def log_out(clients) -> None:
    """Each account logs out; its session then opens nothing."""
    for role in SIGNED_IN:
        client = clients[role]
        answer, result = client.send("log out", "POST", "/accounts/logout/")
        if answer.status != 302:
            result.problems.append(f"log out: {answer.status}")
        answer, result = client.send("log out", "GET", "/children/1/")
        if not is_login_redirect(answer):
            result.problems.append(f"after logging out: {answer.status}")


def fingerprint() -> str:
    """A digest of every row of the journal and of the accounts."""
    from django.apps import apps

    digest = hashlib.sha256()
    models = [*apps.get_app_config("journal").get_models(), apps.get_model("auth", "User")]
    for model in models:
        for row in model._default_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


# --- the run -----------------------------------------------------------------------------------


def attack(world: World, routes: list[Route], port: int, args) -> tuple[list[Result], list[str]]:
    from attack_cases import Cases
    from django.db import connection

    results = Results(args.slowest, args.workers)
    clients = {role: Client(role, port, results) for role in ROLES}
    for role in SIGNED_IN:
        clients[role].log_in(world.users[role], world.password)
    clients["anonymous"].page("log in", "/accounts/login/")
    for family in world.families.values():  # the clinician opens the links first
        clients["clinician"].page("log in", f"/shared/{family.share}/")
    forms: dict = {}
    phase = Phases(results)
    walk_gets(clients, world, routes, forms)
    phase.done("the walk, GET")
    problems = []
    before = fingerprint()
    walk_posts(clients, world, routes, forms, refused=True)
    forged_ids(clients, world, routes)
    if fingerprint() != before:
        problems.append("a refused write changed the journal or an account")
    connection.close()
    phase.done("the POSTs to refuse, forged ids")
    walk_posts(clients, world, routes, forms, refused=False)
    phase.done("the other POSTs")

    def new_client(role: str) -> Client:
        return Client(role, port, results)

    Cases(clients, world.families["mia"], new_client, quick=args.quick).run()
    phase.done("the cases")
    read_back(clients, world, args.quick)
    log_out(clients)
    phase.done("read back")
    connection.close()
    return results.all, problems


class Phases:
    """Prints each phase's requests and time as it ends, to follow a run."""

    def __init__(self, results: Results):
        self.results = results
        self.began = time.monotonic()
        self.count = len(results.all)

    def done(self, name: str) -> None:
        now, count = time.monotonic(), len(self.results.all)
        print(f"{name}: {count - self.count} requests, {now - self.began:.0f} s", flush=True)
        self.began, self.count = now, count


def warm_up(port: int, workers: int) -> None:
    """A first page from each worker, not counted: a worker loads the app on its first request,
    as it does once after each deployment, not on a family's."""
    session = Session(port, timeout=60)
    for _ in range(2 * workers):
        session.exchange("GET", "/accounts/login/")
        session.connection.close()


@contextlib.contextmanager
def database(folder: Path):
    """The run's database: SQLite in `folder`, or a new database on the PostgreSQL server of
    DATABASE_URL (scripts/with-postgres starts one), dropped at the end."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{folder}/attack.sqlite3"
        return
    import psycopg

    name = f"oms_attack_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --quick: a URL of each kind (a page, a chart, a form with objects, a team form, the import,
# the API, an invitation, a share link, the log-in), every role; the heavy PDFs only read back.
QUICK = {
    "home",
    "child_detail",
    "chart",
    "event_edit",
    "event_delete",
    "treatment_add",
    "membership_role",
    "data_import",
    "invitation_accept",
    "api_days",
    "login",
    "profile",
    "planted_error",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few URLs of each kind (tests)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (3)")
    parser.add_argument("--slowest", type=float, default=5.0, help="seconds a response may take")
    parser.add_argument("--doc", type=Path, help="write the figures into this Markdown file")
    parser.add_argument(
        "--plant-error",
        action="store_true",
        help="serve one more URL that fails with a 500, to prove the run sees it",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="oms-attack-") as tmp, database(Path(tmp)) as db:
        folder = Path(tmp)
        settings = SETTINGS_MODULE.format(static_root=str(folder / "static"))
        if args.plant_error:
            (folder / "attack_urls.py").write_text(PLANTED)
            settings += 'ROOT_URLCONF = "attack_urls"\n'
        (folder / "attack_settings.py").write_text(settings)
        env = run_env(folder, "attack_settings", db)
        # Each worker's own cache, never a Redis that a test run shares: the same ids in two
        # databases would meet there.
        env.pop("REDIS_URL", None)
        setup_django(env, folder)
        from django.db import connection

        began = time.monotonic()
        world = prepare(password=secrets.token_urlsafe(12))
        print(f"Prepared {connection.vendor} in {time.monotonic() - began:.0f} s.", flush=True)
        routes = [r for r in walk() if not args.quick or r.name in QUICK]
        vendor = connection.vendor
        connection.close()
        port = free_port()
        log = folder / "gunicorn.log"
        server = start_server(env, port, args.workers, log)
        warm_up(port, args.workers)
        load_before = os.getloadavg()[0]  # what else the machine is doing
        began = time.monotonic()
        try:
            results, problems = attack(world, routes, port, args)
        finally:
            stop_server(server)
        load = (load_before, os.getloadavg()[0])
        block = report(results, vendor, time.monotonic() - began, args.quick, load)
        failed = [r for r in results if r.problems]
        result = "passed" if not (failed or problems) else "FAILED"
        block += f"\n\nResult: {result}."
        print(block)
        for problem in problems:
            print(f"\nProblem: {problem}")
        if failed:
            print(f"\n{len(failed)} requests with a problem:")
        for r in failed:
            print(f"  {r.role}, {r.case}: {r.method} {r.path[:100]} {r.status}: {r.problems}")
        if any(r.status >= 500 for r in results):
            print("\nThe server's log ends with:\n" + log.read_text()[-3000:])
        if args.doc:
            write_doc(
                args.doc, block, f"<!-- attack-{vendor}:begin -->", f"<!-- attack-{vendor}:end -->"
            )
            print(f"\nWrote the figures to {args.doc}.")
    return 1 if failed or problems else 0


# --- the report --------------------------------------------------------------------------------


def counted(results: list[Result], key) -> str:
    groups: dict[str, list[Result]] = {}
    for result in results:
        groups.setdefault(key(result), []).append(result)
    statuses = sorted({r.status for r in results})
    head = " | ".join(str(s) for s in statuses)
    rows = [
        f"| | requests | {head} | problems |",
        "|---|--:|" + "--:|" * len(statuses) + "--:|",
    ]
    for name, group in groups.items():
        by_status = Counter(r.status for r in group)
        cells = " | ".join(str(by_status.get(s, "")) for s in statuses)
        rows.append(f"| {name} | {len(group)} | {cells} | {sum(bool(r.problems) for r in group)} |")
    return "\n".join(rows)


def report(results: list[Result], vendor: str, seconds: float, quick: bool, load) -> str:
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    slowest = sorted(results, key=lambda r: r.seconds, reverse=True)[:5]
    by_status = Counter(r.status for r in results)
    failed = [r for r in results if r.problems]
    return "\n".join(
        [
            f"Last run: {when}, code at {code_version()}; {vendor}"
            f"{', quick mode' if quick else ''}; gunicorn on 127.0.0.1; {len(results)} requests "
            f"in {seconds:.0f} s.",
            "",
            f"Machine: {machine(vendor)}; the client runs on it too. Load average (1 min): "
            f"{load[0]:.1f} before the run, {load[1]:.1f} after.",
            "",
            "By status: " + ", ".join(f"{s}: {n}" for s, n in sorted(by_status.items())),
            f"- 5xx responses: {sum(n for s, n in by_status.items() if s >= 500)}",
            f"- requests with a problem: {len(failed)}",
            "",
            "By role:",
            "",
            counted(results, lambda r: r.role),
            "",
            "By case:",
            "",
            counted(results, lambda r: r.case),
            "",
            "Slowest: "
            + "; ".join(f"{r.method} {r.path} ({r.role}) {r.seconds:.2f} s" for r in slowest),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
