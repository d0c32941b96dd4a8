"""Who may open which URL: every pattern in journal/urls.py, table-driven.

The table `CASES` has one row per URL name. A test walks `journal.urls.urlpatterns` and fails if
a pattern has no row (or a row no pattern), so a new URL can't be added without saying who may
use it. From the table:

- a stranger (in another family) gets 404 for GET and POST on every URL of `child`, and the page
  doesn't name the child; nothing is written;
- an id of the stranger's own event, treatment, invitation or membership, used under the owner's
  child URL (a forged id), is a 404 for the owner;
- an anonymous visitor is sent to the log-in page, with ?next= back;
- each role gets the page or the refusal the table says, with access.py's message, and a refused
  write changes nothing.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, reverse

from journal import urls as journal_urls
from journal.access import OWNER_REFUSAL, VIEWER_REFUSAL
from journal.models import Role, TrackedItem
from tests.factories import (
    ChildFactory,
    DailyEntryFactory,
    InvitationFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
)
from tests.view_helpers import snapshot, text_of

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
GET, POST = "GET", "POST"
TOKEN = "a-known-invitation-token"


@dataclass(frozen=True)
class Case:
    """One URL name: what it takes, what it accepts, and who is refused what.

    `takes`: the URL's parameters. `obj`: for a `pk`, the kind of object it names.
    `login`: whether an anonymous visitor is sent to log in.
    `owner_get`: the status the owner gets for a GET (405 for POST-only views).
    `refused`: (role, method) -> the message of the 403 that role gets.
    """

    takes: tuple[str, ...] = ()
    methods: tuple[str, ...] = (GET,)
    obj: str | None = None
    login: bool = True
    owner_get: int = 200
    refused: dict[tuple[str, str], str] = field(default_factory=dict)


def viewer_refused(*methods: str) -> dict[tuple[str, str], str]:
    return {("viewer", method): VIEWER_REFUSAL for method in methods}


def non_owner_refused(*methods: str) -> dict[tuple[str, str], str]:
    return {(role, method): OWNER_REFUSAL for role in ("caregiver", "viewer") for method in methods}


CHILD = ("child_id",)
CHILD_PK = ("child_id", "pk")

CASES: dict[str, Case] = {
    "home": Case(),
    "signup": Case(methods=(GET, POST), login=False, owner_get=302),  # signed up already
    "profile": Case(),
    "child_add": Case(methods=(GET, POST)),
    "child_detail": Case(takes=CHILD),
    "child_edit": Case(takes=CHILD, methods=(GET, POST), refused=non_owner_refused(GET, POST)),
    "entry_today": Case(takes=CHILD, owner_get=302),
    "entry_list": Case(takes=CHILD),
    "entry_form": Case(
        takes=("child_id", "day"), methods=(GET, POST), refused=viewer_refused(POST)
    ),
    "event_list": Case(takes=CHILD),
    "event_add": Case(takes=CHILD, methods=(GET, POST), refused=viewer_refused(GET, POST)),
    "event_edit": Case(
        takes=CHILD_PK, obj="event", methods=(GET, POST), refused=viewer_refused(GET, POST)
    ),
    "event_delete": Case(
        takes=CHILD_PK, obj="event", methods=(GET, POST), refused=viewer_refused(GET, POST)
    ),
    "treatment_list": Case(takes=CHILD),
    "treatment_add": Case(takes=CHILD, methods=(GET, POST), refused=viewer_refused(GET, POST)),
    "treatment_edit": Case(
        takes=CHILD_PK, obj="treatment", methods=(GET, POST), refused=viewer_refused(GET, POST)
    ),
    "treatment_delete": Case(
        takes=CHILD_PK, obj="treatment", methods=(GET, POST), refused=viewer_refused(GET, POST)
    ),
    "team": Case(takes=CHILD, methods=(GET, POST), refused=non_owner_refused(POST)),
    "invitation_revoke": Case(
        takes=CHILD_PK,
        obj="invitation",
        methods=(POST,),
        owner_get=405,
        refused=non_owner_refused(POST),
    ),
    "membership_role": Case(
        takes=CHILD_PK,
        obj="membership",
        methods=(POST,),
        owner_get=405,
        refused=non_owner_refused(POST),
    ),
    # The membership in the table is the owner's: someone else's for the caregiver and viewer.
    "membership_remove": Case(
        takes=CHILD_PK,
        obj="membership",
        methods=(POST,),
        owner_get=405,
        refused=non_owner_refused(POST),
    ),
    "item_list": Case(takes=CHILD, methods=(GET, POST), refused=non_owner_refused(POST)),
    "item_edit": Case(
        takes=CHILD_PK, obj="item", methods=(GET, POST), refused=non_owner_refused(GET, POST)
    ),
    # Anyone with the link may open it, strangers included: that is what an invitation is for.
    "invitation_accept": Case(takes=("token",), methods=(GET, POST), login=False),
}

CHILD_URLS = sorted(name for name, case in CASES.items() if "child_id" in case.takes)
OBJECT_URLS = sorted(name for name, case in CASES.items() if case.obj)
LOGIN_URLS = sorted(name for name, case in CASES.items() if case.login)
# The pages a caregiver or viewer may GET: every page of a child not in their refusals.
OPEN_TO_ROLES = [
    (name, role)
    for name in CHILD_URLS
    for role in ("caregiver", "viewer")
    if (role, GET) not in CASES[name].refused
]
REFUSALS = sorted(
    (name, role, method, message)
    for name, case in CASES.items()
    for (role, method), message in case.refused.items()
)


def journal_patterns() -> list[URLPattern]:
    return [p for p in journal_urls.urlpatterns if isinstance(p, URLPattern)]


def test_every_url_pattern_has_a_case():
    names = {p.name for p in journal_patterns()}
    assert len(names) == len(journal_urls.urlpatterns), "every pattern has its own name"
    assert names - CASES.keys() == set(), "add these URLs to CASES in tests/test_access.py"
    assert CASES.keys() - names == set(), "CASES names URLs that no longer exist"


@pytest.mark.parametrize("pattern", journal_patterns(), ids=lambda p: p.name)
def test_each_case_takes_what_its_pattern_takes(pattern):
    case = CASES[pattern.name]
    assert tuple(pattern.pattern.converters) == case.takes
    assert ("pk" in case.takes) == (case.obj is not None)


# --- the objects the URLs name -----------------------------------------------------------------


def objects_of(child, token: str = "") -> dict:
    """One object of each kind a URL can name, all belonging to `child`."""
    return {
        "event": TriggerEventFactory(child=child),
        "treatment": TreatmentCourseFactory(child=child),
        "invitation": InvitationFactory(child=child, **({"token": token} if token else {})),
        "membership": child.memberships.get(role=Role.OWNER),
        "item": TrackedItem.objects.create(
            child=child,
            name="Hands",
            anchor_0="Usual",
            anchor_1="Clumsy",
            anchor_2="Hard to hold a spoon",
            anchor_3="Can't use hands",
        ),
    }


@pytest.fixture
def family(child, caregiver, viewer):
    """The owner's child with an entry, an event, a course, an invitation and a full team."""
    DailyEntryFactory(child=child)
    return objects_of(child, token=TOKEN)


@pytest.fixture
def other_family(stranger_child):
    return objects_of(stranger_child)


def url_of(name: str, child, objects: dict) -> str:
    case = CASES[name]
    values = {
        "child_id": child.pk if child else None,
        "day": child.today() if child else None,
        "pk": objects[case.obj].pk if case.obj else None,
        "token": TOKEN,
    }
    return reverse(name, kwargs={param: values[param] for param in case.takes})


def valid_data(name: str, child, objects: dict) -> dict:
    """A POST that would change something if it were let through."""
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
    data = {
        "signup": {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "password1": "a-long-new-password",
            "password2": "a-long-new-password",
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
        "event_add": {"type": "stress", "start_date": yesterday, "notes": "Moved house"},
        "event_edit": {"type": "stress", "start_date": yesterday, "notes": "Moved house"},
        "treatment_add": course,
        "treatment_edit": course,
        "team": {"note": "Grandpa", "role": "owner"},
        "item_list": {
            "name": "Drooling",
            "anchor_0": "Dry",
            "anchor_1": "Some",
            "anchor_2": "Often",
            "anchor_3": "Constant",
        },
        "item_edit": {
            "name": "Hand use",
            "anchor_0": "Usual",
            "anchor_1": "Clumsy",
            "anchor_2": "Hard",
            "anchor_3": "Can't",
        },
        "membership_role": {f"m{objects['membership'].pk}-role": "viewer"},
    }
    return data.get(name, {})


# --- strangers and forged ids ------------------------------------------------------------------


@pytest.mark.parametrize("name", CHILD_URLS)
@pytest.mark.parametrize("method", [GET, POST])
def test_a_stranger_gets_404_for_another_familys_child(
    stranger_client, child, family, other_family, name, method
):
    case = CASES[name]
    url = url_of(name, child, family)
    before = snapshot()

    if method == GET:
        response = stranger_client.get(url)
    else:
        response = stranger_client.post(url, valid_data(name, child, family))

    if method in case.methods:
        assert response.status_code == 404
        assert "Not found" in text_of(response)
    else:
        assert response.status_code == 405  # refused before anything is looked up
    assert child.name not in text_of(response)
    assert snapshot() == before


@pytest.mark.parametrize("name", CHILD_URLS)
def test_a_child_that_does_not_exist_is_404(owner_client, child, family, name):
    case = CASES[name]
    url = url_of(name, child, family).replace(f"/children/{child.pk}/", "/children/999999/")
    response = owner_client.generic(case.methods[0], url)
    assert response.status_code == 404


@pytest.mark.parametrize("name", OBJECT_URLS)
@pytest.mark.parametrize("method", [GET, POST])
def test_an_id_from_another_family_under_my_childs_url_is_404(
    owner_client, child, family, other_family, name, method
):
    """A forged id: the owner's own child in the URL, the stranger's event/course/... as pk."""
    case = CASES[name]
    url = url_of(name, child, other_family)
    before = snapshot()

    if method == GET:
        response = owner_client.get(url)
    else:
        response = owner_client.post(url, valid_data(name, child, other_family))

    assert response.status_code == (404 if method in case.methods else 405)
    assert snapshot() == before


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_an_id_of_my_other_child_under_this_childs_url_is_404(
    owner, owner_client, child, family, name
):
    """Scoping is by child, not only by family: my other child's objects don't leak across."""
    second = ChildFactory(name="Zoe", owner=owner)
    url = url_of(name, child, objects_of(second))
    before = snapshot()
    response = owner_client.post(url, valid_data(name, child, family))
    assert response.status_code == 404
    assert snapshot() == before


# --- anonymous visitors ------------------------------------------------------------------------


@pytest.mark.parametrize("name", LOGIN_URLS)
@pytest.mark.parametrize("method", [GET, POST])
def test_anonymous_visitors_are_sent_to_log_in(anon_client, child, family, name, method):
    url = url_of(name, child, family)
    before = snapshot()
    response = anon_client.generic(method, url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")
    assert url in response.url.replace("%2F", "/")
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(set(CASES) - set(LOGIN_URLS)))
def test_public_pages_open_without_logging_in(anon_client, child, family, name):
    response = anon_client.get(url_of(name, child, family))
    assert response.status_code == 200
    assert "<html" in response.content.decode()


# --- roles -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_owner_can_open_every_page(owner_client, child, family, name):
    response = owner_client.get(url_of(name, child, family))
    assert response.status_code == CASES[name].owner_get
    if response.status_code == 200:
        assert "<html" in response.content.decode()


@pytest.mark.parametrize(("name", "role", "method", "message"), REFUSALS)
def test_roles_are_refused_with_a_clear_message(
    client_for, child, caregiver, viewer, family, name, role, method, message
):
    client = client_for({"caregiver": caregiver, "viewer": viewer}[role])
    url = url_of(name, child, family)
    before = snapshot()

    if method == GET:
        response = client.get(url)
    else:
        response = client.post(url, valid_data(name, child, family))

    assert response.status_code == 403
    assert message in text_of(response)
    assert "<html" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(("name", "role"), OPEN_TO_ROLES)
def test_every_page_not_refused_opens_for_each_role(
    client_for, child, caregiver, viewer, family, name, role
):
    case = CASES[name]
    client = client_for({"caregiver": caregiver, "viewer": viewer}[role])
    response = client.get(url_of(name, child, family))
    assert response.status_code == case.owner_get
