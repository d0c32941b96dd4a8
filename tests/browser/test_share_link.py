"""The share link in the browser: an owner makes a link to the visit summary and copies it; the
clinician opens it on a phone of their own, without an account; the owner revokes it, and the
link then opens nothing."""

import re

from playwright.sync_api import Page, expect

from journal.models import ShareOpening
from tests.factories import DailyEntryFactory


def test_an_owner_shares_the_summary_then_revokes_the_link(
    page: Page, context, login, owner, child, phone, live_server, shot, axe
):
    DailyEntryFactory(child=child)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    login(owner)
    page.goto(f"/children/{child.pk}/")
    page.get_by_role("link", name="Share the visit summary with a clinician").tap()
    page.get_by_label("Who it is for").fill("Dr Rivera, neurology")
    page.locator("label.choice").filter(has_text=re.compile(r"^7 days$")).tap()
    page.get_by_role("button", name="Make a link").tap()

    link_field = page.get_by_role("textbox", name="Link for the clinician")
    expect(link_field).to_have_value(re.compile(rf"^{re.escape(live_server.url)}/shared/"))
    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    page.get_by_role("button", name="Copy the link").tap()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == link_field.input_value()
    row = page.locator(".share-link").filter(has_text="Dr Rivera, neurology")
    expect(row).to_contain_text("Works until")
    expect(row).to_contain_text("Not opened yet")
    shot(page, "share-new-link")
    axe(page)

    # The clinician, on their own phone, has no account.
    clinician = phone()
    opened = clinician.goto(link)
    assert opened.status == 200
    assert opened.headers["referrer-policy"] == "no-referrer"
    expect(clinician.get_by_role("heading", level=1)).to_contain_text("Mia")
    expect(clinician.get_by_role("link", name="Download the PDF")).to_be_visible()
    assert clinician.evaluate("document.documentElement.scrollWidth") <= 390
    shot(clinician, "shared-summary")
    axe(clinician)
    with clinician.expect_download() as download:
        clinician.get_by_role("link", name="Download the PDF").tap()
    assert download.value.suggested_filename.endswith(".pdf")
    assert [o.kind for o in ShareOpening.objects.order_by("at", "pk")] == ["page", "pdf"]

    # The owner sees both openings, then revokes the link.
    page.reload()
    expect(row).to_contain_text("Opened 2 times")
    expect(row).to_contain_text("summary page")
    row.get_by_role("link", name=re.compile("^Revoke")).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Revoke the link for Dr Rivera, neurology?"
    )
    axe(page)
    page.get_by_role("button", name="Revoke the link").tap()
    expect(page.get_by_role("status")).to_contain_text("no longer works")
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("link", name=re.compile("^Revoke"))).to_have_count(0)

    gone = clinician.goto(link)
    assert gone.status == 404
    expect(clinician.get_by_role("heading", level=1)).to_have_text("This link does not work")
    expect(clinician.get_by_text("Mia")).to_have_count(0)
    shot(clinician, "shared-summary-revoked")


def test_the_share_page_works_without_javascript(phone, owner, child):
    """The link is a read-only field to select and copy: no script needed to get it."""
    no_script = phone(owner, java_script_enabled=False)
    no_script.goto(f"/children/{child.pk}/share/")
    no_script.get_by_role("button", name="Make a link").tap()
    link_field = no_script.get_by_role("textbox", name="Link for the clinician")
    expect(link_field).to_have_attribute("readonly", "")
    expect(link_field).to_have_value(re.compile(r"/shared/[\w-]{43}/$"))
