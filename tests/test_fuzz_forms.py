"""Every form, fed junk by hypothesis: never a server error, never half a save.

Each entry of `PAGES` is one form (signup, log-in, password change, child add and edit, daily
entry plain and htmx, trigger add and edit, treatment add and edit with its dose-change rows and
management form, invitation, role, share link, extra item add and edit, the possible-relapse rule,
account deletion). Its page is opened once, and what its form holds (hidden fields included) is
the base of every POST; hypothesis then draws each POST in one of three moods:

- `valid`: every field plausible (the save path runs, with its checks against the database);
- `one_bad`: plausible but for one or two fields;
- `chaos`: every field anything: missing, empty, unicode with control characters, up to 10,000
  characters, 1e308, NaN, 10**30, impossible dates, several values for one name;

always with, maybe, unknown fields and forged ids (another family's child, dose change, item,
membership...), sent as a browser would (urlencoded) or as multipart.

Every example runs in a savepoint that is rolled back, so each starts from the same `family`, and
checks:

- the status is below 500, and a redirect stays on this site;
- the database, compared before and after: either nothing changed, or every row written passes
  `full_clean()` (a whole, valid object, not half of one); rows of other apps' tables (such as
  django-axes' record of a failed log-in) fit their columns, which PostgreSQL enforces and SQLite
  doesn't; the other family's rows never change; nobody becomes staff;
- a form sent back with errors wrote nothing, and shows each error beside its field (or, for a
  hidden field or the whole form, in the page's summary).
"""

import datetime
import os
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.test import Client
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from journal.analysis import RULE_FIELDS
from journal.models import (
    RULE_RANGES,
    Child,
    Drug,
    Role,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
)
from tests.factories import (
    PASSWORD,
    DailyEntryFactory,
    DoseChangeFactory,
    InvitationFactory,
    MembershipFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
    UserFactory,
)
from tests.view_helpers import HTMX, error_beside, form_values, text_of

pytestmark = pytest.mark.django_db

User = get_user_model()
DAY = datetime.timedelta(days=1)
NEW_PASSWORD = "a-brand-new-passphrase"


class Missing:
    """A field left out of the POST altogether."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()
EXAMPLES = 40  # per form page: about 20 s for the file
# Shrinking a failure to its smallest POST replays hundreds of requests (minutes, not seconds), so
# it is left out unless asked for: FUZZ_SHRINK=1 .venv/bin/pytest tests/test_fuzz_forms.py -k ...
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]
if os.environ.get("FUZZ_SHRINK"):
    PHASES.append(Phase.shrink)
FORM_URLENCODED = "application/x-www-form-urlencoded"

# --- junk --------------------------------------------------------------------------------------

ODD_NUMBERS = [
    "1e308",
    "-1e308",
    "1e309",
    "-1",
    "-0",
    str(10**30),
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1e5",
    "1E-400",
    "0.0000001",
    "9.999",
    "1,5",
    "\uff11\uff12",  # full-width digits
    "٣",  # an Arabic-Indic three
    " 3 ",
    "3.",
    ".5",
    "0x10",
    "99999999999999999999",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
]
ODD_DATES = [
    "0000-00-00",
    "9999-12-31",
    "2024-02-30",
    "2023-02-29",
    "1900-01-01",
    "0001-01-01",
    "2024-01-01T10:00:00",
    "2024-01-01 10:00",
    "2024-01-01T10:00:00+14:00",
    "2024-13-01",
    "31/12/2023",
    "12/31/2023",
    "2024-1-1",
    "20240101",
    "yesterday",
    "",
]
ODD_TIMES = ["24:00", "25:00", "12:60", "10:00:61", "-1:00", "noon", "10", "10:00 PM", ""]

text = st.text(max_size=40)  # any unicode but surrogates: control characters, NUL, emoji...
# A browser sends UTF-8, which cannot hold a lone surrogate: the test client could not send one.
long_text = st.builds(
    lambda char, n: char * n, st.characters(codec="utf-8"), st.integers(1, 10_000)
)
numbers = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.integers().map(str),
    st.floats().map(str),
    st.decimals().map(str),
)
odd_dates = st.one_of(
    st.sampled_from(ODD_DATES),
    st.dates().map(datetime.date.isoformat),
    st.datetimes().map(datetime.datetime.isoformat),
)
scalar = st.one_of(text, long_text, numbers, odd_dates, st.sampled_from(ODD_TIMES))
junk = st.one_of(
    st.just(MISSING),
    st.just(""),
    scalar,
    st.lists(scalar, min_size=2, max_size=3),  # several values for one name
)

# Names a form must never take from the POST, and values that point at someone else's rows.
FORGED_NAMES = [
    "child",
    "child_id",
    "user",
    "owner",
    "created_by",
    "updated_by",
    "id",
    "pk",
    "is_staff",
    "is_superuser",
    "token_hash",
    "accepted_by",
    "expires_at",
    "role",
    "version",
    "course",
    "changes-0-id",
    "changes-0-course",
    "changes-2-id",
]


@dataclass
class Family:
    """Mia's team (Olivia owns, Dora is a caregiver) and records; Noah's, another family's."""

    owner: User
    dora: User
    child: Child
    stranger: User  # Noah's owner
    other_child: Child
    mine: dict
    theirs: dict
    pages: dict = field(default_factory=dict)  # the values each form page holds, by URL

    @property
    def today(self) -> datetime.date:
        return self.child.today()

    def days(self, back: int, ahead: int = 0, *, start: int = 0) -> st.SearchStrategy[str]:
        """A day from `back` days ago to `ahead` days on (skipping the `start` last days)."""
        return st.integers(start - ahead, back).map(lambda n: (self.today - n * DAY).isoformat())

    def forged(self) -> st.SearchStrategy[str]:
        """Ids of the other family's rows, and a few made-up ones."""
        ids = [obj.pk for obj in self.theirs.values()] + [self.other_child.pk, 0, -1, 1]
        return st.sampled_from([str(pk) for pk in ids] + ["true", "on", "owner"])

    def forged_names(self) -> list[str]:
        """Field names that point at the other family's rows: their item, their member."""
        theirs = self.theirs
        return [f"item_{theirs['item'].pk}", f"m{theirs['membership'].pk}-role", *FORGED_NAMES]


def records_of(child: Child, member=None) -> dict:
    """One row of each kind for `child`."""
    course = TreatmentCourseFactory(child=child)
    return {
        "membership": member or MembershipFactory(child=child, role=Role.CAREGIVER),
        "entry": DailyEntryFactory(child=child),
        "event": TriggerEventFactory(child=child),
        "course": course,
        "dose_change": DoseChangeFactory(course=course),
        "item": TrackedItem.objects.create(
            child=child,
            name="Hands",
            anchor_0="Usual",
            anchor_1="Clumsy",
            anchor_2="Hard to hold a spoon",
            anchor_3="Can't use hands",
        ),
        "invitation": InvitationFactory(child=child),
    }


@pytest.fixture
def family(owner, child, stranger, stranger_child) -> Family:
    dora = UserFactory(username="dora", email="dora@example.org")
    member = MembershipFactory(child=child, user=dora, role=Role.CAREGIVER)
    return Family(
        owner=owner,
        dora=dora,
        child=child,
        stranger=stranger,
        other_child=stranger_child,
        mine=records_of(child, member),
        theirs=records_of(stranger_child),
    )


# --- the form pages ----------------------------------------------------------------------------

words = st.text(st.characters(categories=("L", "Zs")), min_size=1, max_size=30).filter(str.strip)
NEXTS = ["", "/", "/children/1/", "//evil.example/", "https://evil.example/", "/\\evil.example"]
ZONES = ["Europe/London", "Europe/Paris", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12"]
RATINGS = st.sampled_from(["", "0", "1", "2", "3"])


@dataclass(frozen=True)
class Page:
    """One form: the page that shows it, where it posts, and plausible values for its fields.

    `fields`: regular expressions naming the page's fields this form sends (None: all of them).
    `plausible`: by regular expression, the values a caregiver could type; a field without one
    is sent as the page has it. `together`: plausible values of fields that must agree (the
    rows of a formset), drawn as one dict from the values the page shows.
    """

    page: Callable[[Family, datetime.date], str]
    plausible: Callable[[Family], dict[str, st.SearchStrategy]]
    together: Callable[[Family, dict], st.SearchStrategy[dict]] | None = None
    post: Callable[[Family, datetime.date], str] | None = None
    fields: tuple[str, ...] | None = None
    user: str = "owner"
    htmx: bool = False


def child_url(name: str, **kwargs) -> Callable[[Family, datetime.date], str]:
    def url(family: Family, day: datetime.date) -> str:
        values = {key: getter(family) for key, getter in kwargs.items()}
        if name == "entry_form":
            values["day"] = day
        return reverse(name, kwargs={"child_id": family.child.pk, **values})

    return url


def plain_url(name: str) -> Callable[[Family, datetime.date], str]:
    return lambda family, day: reverse(name)


def choices(kind) -> st.SearchStrategy[str]:
    return st.sampled_from([choice.value for choice in kind])


def child_fields(family: Family, birth_back: tuple[int, int]) -> dict:
    return {
        "name": words,
        "birth_date": family.days(birth_back[1], start=birth_back[0]),
        "diagnosis_date": st.one_of(st.just(""), family.days(300)),
        "tumour_found": choices(Child.Tumour),
        "time_zone": st.sampled_from(ZONES),
    }


def entry_fields(family: Family) -> dict:
    return {
        r"opsoclonus|myoclonus|ataxia|sleep|rage|item_\d+": RATINGS,
        "sleep_hours": st.sampled_from(["", "0", "9", "9.25", "10.5", "24"]),
        "night_wakings": st.sampled_from(["", "0", "2", "20"]),
        "rage_episodes": st.sampled_from(["", "0", "3", "50"]),
        "rage_longest_minutes": st.sampled_from(["", "5", "1440"]),
        "max_temperature_c": st.sampled_from(["", "36.6", "38.5", "43"]),
        "doses": st.sampled_from(["", "yes", "partly", "no"]),
        "notes|question": text,
        "date": family.days(3),
    }


def event_fields(family: Family) -> dict:
    return {
        "type": choices(TriggerEvent.Type),
        "start_date": family.days(20),
        "start_time": st.sampled_from(["", "08:30", "23:59"]),
        "end_date": st.one_of(st.just(""), family.days(2)),
        "temperature_c": st.sampled_from(["", "37.5", "38.5", "40.1"]),
        "illness_kind": choices(TriggerEvent.Illness),
        "live_vaccine": st.sampled_from(["unknown", "true", "false"]),
        "change": choices(TriggerEvent.Change),
        "pathogen|vaccine|procedure|drug|notes": text,
    }


def treatment_fields(family: Family) -> dict:
    return {
        "drug": choices(Drug),
        "drug_other|notes": text,
        "purpose": choices(TreatmentCourse.Purpose),
        "regimen": choices(TreatmentCourse.Regimen),
        "unit": choices(TreatmentCourse.Unit),
        "route": choices(TreatmentCourse.Route),
        "dose": st.sampled_from(["2", "0.5", "0", "1000"]),
        "start_date": family.days(60, start=31),
        "end_date": st.one_of(st.just(""), family.days(10)),
    }


def dose_change_rows(family: Family, shown: dict) -> st.SearchStrategy[dict]:
    """The formset's rows, each kept (a saved one), filled in, or left empty, on distinct days
    within the course; the management form as the page has it."""
    total = int(shown["changes-TOTAL_FORMS"][0])
    saved = int(shown["changes-INITIAL_FORMS"][0])

    @st.composite
    def rows(draw) -> dict:
        days = draw(st.lists(st.integers(0, 29), min_size=total, max_size=total, unique=True))
        values = {}
        for index, back in enumerate(days):
            prefix = f"changes-{index}-"
            if index < saved or draw(st.booleans()):
                values[prefix + "date"] = (family.today - back * DAY).isoformat()
                values[prefix + "dose"] = draw(st.sampled_from(["1.5", "1", "0.25"]))
                values[prefix + "note"] = draw(text)
            else:
                values.update({prefix + "date": "", prefix + "dose": "", prefix + "note": ""})
            if index < saved:
                values[prefix + "DELETE"] = draw(st.sampled_from([MISSING, "on"]))
        return values

    return rows()


def item_fields(family: Family) -> dict:
    return {
        "preset": st.sampled_from(["", "Speech", "Mood", "Hands"]),
        "name": words,
        r"anchor_\d": words,
        "active": st.sampled_from(["on", MISSING]),
    }


def rule_fields(family: Family) -> dict:
    """Each number of the possible-relapse rule, anywhere in its range (so that the days
    needed for a usual level may be more than the days looked back: refused, beside it)."""
    return {name: st.integers(low, high).map(str) for name, (low, high) in RULE_RANGES.items()}


def dora_membership(family: Family) -> int:
    return family.mine["membership"].pk


PAGES: dict[str, Page] = {
    "signup": Page(
        plain_url("signup"),
        lambda family: {
            "username": st.from_regex(r"\A[a-z]{3,12}\Z"),
            "email": st.from_regex(r"\A[a-z]{3,10}@example\.org\Z"),
            "password1|password2": st.just(NEW_PASSWORD),
            "next": st.sampled_from(NEXTS),
        },
        user="anonymous",
    ),
    "login": Page(
        plain_url("login"),
        lambda family: {
            "username": st.sampled_from(["olivia", "dora", "sam", "nobody"]),
            "password": st.just(PASSWORD),
            "next": st.sampled_from(NEXTS),
        },
        user="anonymous",
    ),
    "password_change": Page(
        plain_url("password_change"),
        lambda family: {
            "old_password": st.just(PASSWORD),
            "new_password1|new_password2": st.just(NEW_PASSWORD),
        },
    ),
    "child_add": Page(plain_url("child_add"), lambda family: child_fields(family, (0, 4000))),
    "child_edit": Page(child_url("child_edit"), lambda family: child_fields(family, (40, 4000))),
    "entry_form": Page(child_url("entry_form"), entry_fields),
    "entry_form_htmx": Page(child_url("entry_form"), entry_fields, htmx=True),
    "event_add": Page(child_url("event_add"), event_fields),
    "event_edit": Page(child_url("event_edit", pk=lambda f: f.mine["event"].pk), event_fields),
    "treatment_add": Page(child_url("treatment_add"), treatment_fields, dose_change_rows),
    "treatment_edit": Page(
        child_url("treatment_edit", pk=lambda f: f.mine["course"].pk),
        treatment_fields,
        dose_change_rows,
    ),
    "team_invite": Page(
        child_url("team"),
        lambda family: {"note": text, "role": choices(Role)},
        fields=("note", "role"),
    ),
    "role_change": Page(
        child_url("team"),
        lambda family: {r"m\d+-role": choices(Role)},
        post=child_url("membership_role", pk=dora_membership),
        fields=(r"m\d+-role",),
    ),
    "share_link": Page(
        child_url("share_links"),
        lambda family: {
            "note": text,
            "first": family.days(200),
            "last": st.one_of(st.just(""), family.days(100)),
            "days": st.sampled_from(["7", "30", "90"]),
        },
    ),
    "item_add": Page(child_url("item_list"), item_fields),
    "item_edit": Page(child_url("item_edit", pk=lambda f: f.mine["item"].pk), item_fields),
    "relapse_settings": Page(child_url("relapse_settings"), rule_fields, fields=RULE_FIELDS),
    "account_delete": Page(
        plain_url("account_delete"), lambda family: {"password": st.just(PASSWORD)}
    ),
}


# --- drawing a POST ----------------------------------------------------------------------------

MOODS = ("valid", "one_bad", "chaos")


def strategy_for(name: str, plausible: dict[str, st.SearchStrategy], shown: list[str]):
    """What a caregiver could send for `name`: a plausible value, or what the page holds."""
    for pattern, strategy in plausible.items():
        if re.fullmatch(pattern, name):
            return strategy
    return st.just(shown if len(shown) > 1 else shown[0])


def draw_post(data: st.DataObject, family: Family, page: Page, shown: dict) -> dict:
    """A POST for `page`, whose form holds `shown`: plausible, half plausible, or chaos."""
    plausible = page.plausible(family)
    names = [
        name
        for name in shown
        if name != "csrfmiddlewaretoken"
        and (page.fields is None or any(re.fullmatch(f, name) for f in page.fields))
    ]
    # Fields the page shows no value for (an unticked box, an unchosen radio), named outright.
    names += [
        alternative
        for key in plausible
        if re.fullmatch(r"[\w|-]+", key)
        for alternative in key.split("|")
        if alternative not in names
    ]
    together = data.draw(page.together(family, shown), label="together") if page.together else {}
    names += [name for name in together if name not in names]
    mood = data.draw(st.sampled_from(MOODS), label="mood")
    if mood == "valid":
        bad = set()
    elif mood == "one_bad":
        bad = set(data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=2)))
    else:
        bad = set(names)
    post = {}
    for name in names:
        if name in bad:
            value = data.draw(junk, label=name)
        elif name in together:
            value = together[name]
        else:
            value = data.draw(strategy_for(name, plausible, shown.get(name, [""])), label=name)
        if value is not MISSING:
            post[name] = value
    extra = data.draw(
        st.dictionaries(
            st.one_of(
                st.sampled_from(family.forged_names()), st.from_regex(r"\A[\w\-\[\]. ]{1,20}\Z")
            ),
            st.one_of(family.forged(), scalar),
            max_size=2,
        ),
        label="extra fields",
    )
    post.update(extra)
    return post


# --- what must hold after every POST ------------------------------------------------------------


def every_row() -> dict[str, list[dict]]:
    """Every row of every table: the journal's, and those of the apps it uses (django-axes'
    login records, sessions...), which must fit their columns too."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
    }


def journal_rows(snapshot: dict) -> dict:
    """The rows `full_snapshot()` covers: the journal's tables and the users."""
    tables = [User, *apps.get_app_config("journal").get_models()]
    return {model._meta.label: snapshot[model._meta.label] for model in tables}


def written_rows(before: dict, after: dict) -> list:
    """Every row the request added or changed, as a model instance."""
    rows = []
    for label, new_rows in after.items():
        model = apps.get_model(label)
        key = model._meta.pk.attname
        old = {row[key]: row for row in before[label]}
        rows += [
            model._default_manager.get(pk=row[key]) for row in new_rows if old.get(row[key]) != row
        ]
    return rows


def assert_fits_columns(row) -> None:
    """What PostgreSQL would refuse (SQLite doesn't): a string longer than its column."""
    for column in row._meta.concrete_fields:
        value = getattr(row, column.attname)
        if column.max_length and isinstance(value, str):
            assert len(value) <= column.max_length, (
                f"{row._meta.label}.{column.name}: {len(value)} characters in a column of "
                f"{column.max_length}: a server error on PostgreSQL"
            )


def family_rows(snapshot: dict, family: Family) -> dict:
    """The other family's rows: their child's, and the rows hanging from those."""
    child = family.other_child.pk
    rows = {
        label: [r for r in table if r.get("child_id") == child] for label, table in snapshot.items()
    }
    # (A RelapseSettings row has no "id": its key is the child's.)
    ids = {label: {r.get("id") for r in table} for label, table in rows.items()}
    rows["journal.Child"] = [r for r in snapshot["journal.Child"] if r["id"] == child]
    # Their account, but for last_login: the log-in form may log in as them.
    rows[User._meta.label] = [
        {**r, "last_login": None}
        for r in snapshot[User._meta.label]
        if r["id"] == family.stranger.pk
    ]
    rows["journal.DoseChange"] = [
        r
        for r in snapshot["journal.DoseChange"]
        if r["course_id"] in ids["journal.TreatmentCourse"]
    ]
    rows["journal.ItemRating"] = [
        r
        for r in snapshot["journal.ItemRating"]
        if r["entry_id"] in ids["journal.DailyEntry"] or r["item_id"] in ids["journal.TrackedItem"]
    ]
    return rows


def forms_in(response) -> tuple[list[BaseForm], list[str]]:
    """The bound forms the page was rendered with, and its formsets' own errors."""
    forms, errors = [], []
    for key in ("form", "changes"):
        try:
            obj = response.context[key]
        except (KeyError, TypeError):  # TypeError: no context at all (a redirect)
            continue
        if isinstance(obj, BaseFormSet) and obj.is_bound:
            forms += obj.forms
            errors += obj.non_form_errors()
        elif isinstance(obj, BaseForm) and obj.is_bound:
            forms.append(obj)
    return forms, errors


def squeezed(message: str) -> str:
    return " ".join(str(message).split())


def assert_errors_shown(response, forms: list[BaseForm], errors: list[str]) -> None:
    """Each error beside its field; a hidden field's or the whole form's, in the page's text."""
    page = text_of(response)
    for form in forms:
        for name, messages in form.errors.items():
            hidden = name == NON_FIELD_ERRORS or form[name].is_hidden
            shown = page if hidden else error_beside(response, form.add_prefix(name))
            for message in messages:
                assert squeezed(message) in shown, f"{form.add_prefix(name)}: {message!r} not shown"
    for message in errors:
        assert squeezed(message) in page, f"{message!r} not shown"


def stays_here(location: str) -> bool:
    return url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"})


def check(response, family: Family, before: dict, after: dict) -> None:
    assert response.status_code < 500
    for header in ("Location", "HX-Redirect"):
        if header in response:
            assert stays_here(response[header]), f"{header}: {response[header]}"

    journal = journal_rows(after).keys()
    for row in written_rows(before, after):
        if row._meta.label in journal:
            row.full_clean()  # a whole, valid object: not half of one
        else:
            assert_fits_columns(row)
    assert family_rows(after, family) == family_rows(before, family)
    assert not any(user["is_staff"] or user["is_superuser"] for user in after[User._meta.label])

    forms, errors = forms_in(response)
    if errors or any(form.errors for form in forms):
        # (A refused log-in is written down, by django-axes: not in the journal's tables.)
        assert journal_rows(after) == journal_rows(before), "a form with errors wrote something"
        assert_errors_shown(response, forms, errors)


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def client_for(family: Family, page: Page) -> Client:
    client = Client()
    if page.user == "owner":
        client.force_login(family.owner)
    return client


# --- the test ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
@settings(
    max_examples=EXAMPLES,
    phases=PHASES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_form_never_fails_and_never_half_saves(family, name, data):
    page = PAGES[name]
    day = data.draw(st.sampled_from([family.today, family.mine["entry"].date]), label="day")
    with rolled_back():
        client = client_for(family, page)
        url = page.page(family, day)
        if url not in family.pages:
            response = client.get(url)
            assert response.status_code == 200, url
            family.pages[url] = form_values(response)
        post = draw_post(data, family, page, family.pages[url])
        target = page.post(family, day) if page.post else url
        urlencoded = data.draw(st.booleans(), label="urlencoded")
        headers = HTMX if page.htmx else {}
        before = every_row()

        if urlencoded:
            body = urlencode(post, doseq=True)
            response = client.post(target, body, content_type=FORM_URLENCODED, headers=headers)
        else:
            response = client.post(target, post, headers=headers)

        after = every_row()
        wrote = journal_rows(after) != journal_rows(before)
        event(f"{name}: {response.status_code}{', wrote' if wrote else ''}")
        check(response, family, before, after)


# --- what the fuzzing found, kept as plain tests --------------------------------------------------

FOUND = {
    # next=0 went to redirect(), which took it for a view's name: NoReverseMatch, a 500.
    "signup": {
        "username": "newcomer",
        "email": "newcomer@example.org",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "next": "0",
    },
    # A preset posted to the edit form left its fields optional: blank ones reached the
    # service's full_clean(), a ValidationError, a 500.
    "item_edit": {"preset": "0"},
    # django-axes writes the username of a refused log-in to a column of 255: DataError on
    # PostgreSQL (the log-in form doesn't check the length it advertises).
    "login": {"username": "0" * 256, "password": PASSWORD},
    # The hidden version's error was nowhere on the page: "check the fields marked below", and
    # none marked.
    "entry_form": {"opsoclonus": "2", "version": "abc"},
}


@pytest.mark.parametrize(("name", "post"), FOUND.items(), ids=FOUND)
def test_the_posts_the_fuzzing_found(family, name, post):
    page = PAGES[name]
    client = client_for(family, page)
    url = page.page(family, family.today)
    post = {"date": family.today.isoformat(), **post} if name == "entry_form" else post
    before = every_row()

    response = client.post(url, post)

    check(response, family, before, every_row())
