"""The care team in the browser: an owner makes an invitation link, another person opens it on
their own phone, signs up from there and joins as a caregiver."""

import re

from playwright.sync_api import Page, expect

from journal.models import Membership, Role


def test_an_invited_caregiver_signs_up_from_the_link_and_joins(
    page: Page, login, owner, child, phone, live_server, shot, axe
):
    login(owner)
    page.goto(f"/children/{child.pk}/team/")
    page.get_by_label("Who it is for").fill("Grandma")
    page.locator("label.choice").filter(has_text=re.compile(r"^Caregiver$")).tap()
    page.get_by_role("button", name="Make an invitation link").tap()

    link_field = page.get_by_role("textbox", name="Invitation link")
    expect(link_field).to_have_value(re.compile(rf"^{re.escape(live_server.url)}/invitations/"))
    link = link_field.input_value()
    expect(page.locator(".row").filter(has_text="Grandma")).to_contain_text("Waiting")
    shot(page, "team-new-link")
    axe(page)

    # Grandma, on her own phone, has no account yet.
    grandma = phone()
    grandma.goto(link)
    expect(grandma.get_by_role("heading", name="Join Mia's care team")).to_be_visible()
    expect(grandma.get_by_text("You are invited as caregiver by Olivia.")).to_be_visible()
    shot(grandma, "invitation")
    axe(grandma)
    grandma.get_by_role("link", name="Create an account").tap()
    grandma.get_by_label("Username").fill("grandma")
    grandma.get_by_label("Email").fill("grandma@example.org")
    grandma.get_by_label(re.compile(r"^Password\W*$")).fill("knitting-by-the-fire-7")
    grandma.get_by_label("Password confirmation").fill("knitting-by-the-fire-7")
    grandma.get_by_role("button", name="Create my account").tap()

    # Back on the invitation, now signed in: one tap to join.
    expect(grandma).to_have_url(link)
    grandma.get_by_role("button", name="Join as grandma").tap()
    expect(grandma).to_have_url(f"{live_server.url}/children/{child.pk}/")
    expect(grandma.get_by_role("status")).to_contain_text(
        "You are on Mia's care team as caregiver."
    )
    expect(grandma.get_by_role("link", name="Log today")).to_be_visible()
    expect(grandma.locator(".facts")).to_contain_text("Your role")
    expect(grandma.locator(".facts dd").last).to_have_text("Caregiver")
    shot(grandma, "child-page-as-new-caregiver")
    joined = Membership.objects.get(child=child, user__username="grandma")
    assert joined.role == Role.CAREGIVER

    # The owner sees who accepted; the link no longer works for anyone else.
    page.reload()
    members = page.locator("section").filter(has=page.get_by_role("heading", name="Members"))
    expect(members.locator(".row").filter(has_text="grandma")).to_contain_text("Caregiver since")
    invitations = page.locator("section").filter(
        has=page.get_by_role("heading", name="Invitations")
    )
    expect(invitations.locator(".row")).to_contain_text("Accepted by grandma")
    stranger = phone()
    stranger.goto(link)
    expect(stranger.get_by_role("heading", level=1)).to_have_text(
        "This invitation link no longer works"
    )
