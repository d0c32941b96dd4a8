"""axe-core finds nothing wrong on any page a family uses, on a phone, in the states they see:
empty and full, with and without errors; and no page is wider than the phone. Each page is also
saved as a screenshot to look at."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from journal.models import Role, ShareOpening, TrackedItem
from journal.scales import CORE_FIELDS
from tests.browser.conftest import small_targets
from tests.browser.test_data_import import upload_bad_file, upload_good_files
from tests.factories import (
    DailyEntryFactory,
    DoseChangeFactory,
    InvitationFactory,
    ShareLinkFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
)


@dataclass
class Family:
    child: object
    owner: object
    caregiver: object
    fever: object
    course: object
    item: object
    share_link: object


@pytest.fixture
def family(owner, child, caregiver, viewer) -> Family:
    """Mia's journal a few weeks in: days logged with gaps, a fever, a taper, an extra item, a
    pending invitation, and a care team of three."""
    today = child.today()
    for days_ago, ratings in [(1, (1, 1, 2, 0, 1)), (2, (2, 2, 2, 1, 2)), (4, (0, 0, 1, 0, 0))]:
        DailyEntryFactory(
            child=child,
            date=today - datetime.timedelta(days=days_ago),
            **dict(zip(CORE_FIELDS, ratings, strict=True)),
            notes="Tired after nursery." if days_ago == 2 else "",
            question="Is the taper too fast?" if days_ago == 1 else "",
        )
    DailyEntryFactory(child=child, date=today - datetime.timedelta(days=6), opsoclonus=3)
    fever = TriggerEventFactory(child=child, temperature_c=Decimal("38.9"))
    TriggerEventFactory(
        child=child,
        type="vaccination",
        temperature_c=None,
        vaccine="MMR",
        live_vaccine=True,
        start_date=today - datetime.timedelta(days=10),
    )
    course = TreatmentCourseFactory(child=child)
    DoseChangeFactory(course=course, note="first step")
    item = TrackedItem.objects.create(
        child=child,
        name="Hands",
        **{f"anchor_{n}": a for n, a in enumerate(TrackedItem.PRESETS["Hands"])},
    )
    InvitationFactory(child=child, note="Dad", role=Role.CAREGIVER)
    return Family(child, owner, caregiver, fever, course, item, share_links_of(child))


SHARE_TOKEN = "a-share-token-for-the-clinician"


def share_links_of(child) -> object:
    """A link to the visit summary opened seven times, one expired and one revoked."""
    now = timezone.now()
    link = ShareLinkFactory(child=child, token=SHARE_TOKEN, note="Dr Rivera, neurology")
    for _ in range(7):
        ShareOpening.objects.create(link=link, kind=ShareOpening.Kind.PAGE)
    ShareLinkFactory(child=child, note="Dr Old", expires_at=now - datetime.timedelta(days=1))
    ShareLinkFactory(child=child, note="", revoked_at=now)
    return link


def fill_entry_with_errors(page: Page) -> None:
    page.get_by_role("group", name="Eyes", exact=True).locator("label").filter(has_text="2:").tap()
    page.get_by_text("Details: sleep, rage, temperature, doses").tap()
    page.get_by_label("Hours slept").fill("10.3")
    page.get_by_label("Night wakings").fill("lots")
    page.get_by_label("Temperature (°C)").fill("52")
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.locator(".field .error")).to_have_count(3)


def submit_empty(button: str):
    def submit(page: Page) -> None:
        page.get_by_role("button", name=button).tap()
        expect(page.get_by_role("alert")).to_be_visible()

    return submit


def choose_fever(page: Page) -> None:
    page.locator("label.choice").filter(has_text="Fever").tap()
    expect(page.get_by_label("Highest temperature (°C)")).to_be_visible()


def save_rule(page: Page) -> None:
    """The family's own rule, with its button back to the defaults. (Reloaded: the "Saved"
    message is left out, as on every page here.)"""
    page.get_by_label("Days looked back for the usual level").fill("21")
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.get_by_role("button", name="Back to the defaults")).to_be_visible()
    page.reload()


def fill_rule_with_errors(page: Page) -> None:
    page.get_by_label("Days looked back for the usual level").fill("5")
    page.get_by_label("Rise in the daily score that makes a day raised").fill("three")
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.locator(".field .error")).to_have_count(2)


def submit_share_with_errors(page: Page) -> None:
    page.get_by_label("From").fill("")
    page.get_by_role("button", name="Make a link").tap()
    expect(page.locator(".field .error")).to_have_count(1)


def show_tables(page: Page) -> None:
    """Open each chart's words and its table, in place."""
    for summary in page.locator(".chart summary").all():
        summary.tap()
    for link in page.get_by_role("link", name="Show as table").all():
        link.tap()
    expect(page.locator(".charts table.numbers")).to_have_count(4)


PHONE_WIDTHS = (390, 320)
# The deepest elements that reach past the screen's right edge, to say what widens a page.
PAST_THE_EDGE_JS = """
(width) => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > width + 0.5)
  .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > width + 0.5))
  .slice(0, 5)
  .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}"> ${e.textContent.slice(0, 40)}`)
"""

# (screenshot name, who looks: None or a Family attribute, path, what they do before axe looks)
PAGES = [
    ("login", None, "/accounts/login/", None),
    ("login-errors", None, "/accounts/login/", submit_empty("Log in")),
    ("signup-errors", None, "/accounts/signup/", submit_empty("Create my account")),
    ("password-reset", None, "/accounts/password_reset/", None),
    ("home", "owner", "/", None),
    ("home-caregiver", "caregiver", "/", None),
    ("profile", "owner", "/accounts/profile/", None),
    ("child-add", "owner", "/children/add/", None),
    ("child-add-errors", "owner", "/children/add/", submit_empty("Start the journal")),
    ("child-page", "owner", "/children/{child}/", None),
    ("child-edit", "owner", "/children/{child}/edit/", None),
    ("entry-form-empty", "owner", "/children/{child}/entries/{today}/", None),
    ("entry-form-filled", "owner", "/children/{child}/entries/{yesterday}/", None),
    ("entry-form-errors", "owner", "/children/{child}/entries/{today}/", fill_entry_with_errors),
    ("history", "owner", "/children/{child}/entries/", None),
    ("summary", "owner", "/children/{child}/summary/", None),
    ("summary-errors", "owner", "/children/{child}/summary/?start=2000-01-01&end=2999-01-01", None),
    ("triggers", "owner", "/children/{child}/events/", None),
    ("trigger-form", "owner", "/children/{child}/events/add/", None),
    ("trigger-form-fever", "owner", "/children/{child}/events/add/", choose_fever),
    ("trigger-form-errors", "owner", "/children/{child}/events/add/", submit_empty("Save")),
    ("trigger-edit", "owner", "/children/{child}/events/{fever}/edit/", None),
    ("trigger-delete", "owner", "/children/{child}/events/{fever}/delete/", None),
    ("treatments", "owner", "/children/{child}/treatments/", None),
    ("treatment-form", "owner", "/children/{child}/treatments/add/", None),
    ("treatment-form-errors", "owner", "/children/{child}/treatments/add/", submit_empty("Save")),
    ("treatment-edit", "owner", "/children/{child}/treatments/{course}/edit/", None),
    ("items", "owner", "/children/{child}/items/", None),
    ("item-edit", "owner", "/children/{child}/items/{item}/edit/", None),
    ("team", "owner", "/children/{child}/team/", None),
    ("team-caregiver", "caregiver", "/children/{child}/team/", None),
    ("changes", "owner", "/children/{child}/changes/", None),
    ("share-links", "owner", "/children/{child}/share/", None),
    ("share-links-errors", "owner", "/children/{child}/share/", submit_share_with_errors),
    ("share-links-caregiver", "caregiver", "/children/{child}/share/", None),
    ("share-link-openings", "owner", "/children/{child}/share/{share_link}/openings/", None),
    ("share-link-revoke", "owner", "/children/{child}/share/{share_link}/revoke/", None),
    ("shared-summary", None, f"/shared/{SHARE_TOKEN}/", None),
    ("shared-summary-not-found", None, "/shared/no-such-token/", None),
    ("data", "owner", "/children/{child}/data/", None),
    ("data-import-errors", "owner", "/children/{child}/data/", upload_bad_file),
    ("data-import-preview", "owner", "/children/{child}/data/", upload_good_files),
    ("relapse-rule", "owner", "/children/{child}/relapse-rule/", None),
    ("relapse-rule-saved", "owner", "/children/{child}/relapse-rule/", save_rule),
    ("relapse-rule-errors", "owner", "/children/{child}/relapse-rule/", fill_rule_with_errors),
    ("relapse-rule-caregiver", "caregiver", "/children/{child}/relapse-rule/", None),
    ("trends", "owner", "/children/{child}/trends/", None),
    ("trends-tables", "owner", "/children/{child}/trends/?range=4w", show_tables),
    ("trends-bad-dates", "owner", "/children/{child}/trends/?range=custom&start=x&end=", None),
    ("chart-table", "caregiver", "/children/{child}/trends/items/table/?range=4w", None),
    ("account-delete", "owner", "/accounts/delete/", None),
    ("not-found", "owner", "/children/999999/", None),
]


@pytest.mark.parametrize(("name", "who", "path", "action"), PAGES, ids=[p[0] for p in PAGES])
def test_no_accessibility_violations(page: Page, login, family, name, who, path, action, shot, axe):
    today = family.child.today()
    url = path.format(
        child=family.child.pk,
        today=today,
        yesterday=today - datetime.timedelta(days=1),
        fever=family.fever.pk,
        course=family.course.pk,
        item=family.item.pk,
        share_link=family.share_link.pk,
    )
    if who:
        login(getattr(family, who))
    page.goto(url)
    if action:
        action(page)
    shot(page, name)
    axe(page)
    assert small_targets(page) == []

    # Every disclosure open, on this phone and on a small one: nothing scrolls sideways.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    for width in PHONE_WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= width, (
            f"{page_width}px wide at {width}px: the phone scrolls sideways, past its edge: "
            f"{page.evaluate(PAST_THE_EDGE_JS, width)}"
        )

    # At night, in the dark scheme: still nothing axe finds.
    page.emulate_media(color_scheme="dark")
    shot(page, f"{name}-dark")
    axe(page)


def test_home_without_children_and_signup(page: Page, login, stranger, shot, axe):
    page.goto("/accounts/signup/")
    shot(page, "signup")
    axe(page)
    login(stranger)
    page.goto("/")
    expect(page.get_by_role("link", name="Add your child")).to_be_visible()
    shot(page, "home-empty")
    axe(page)
