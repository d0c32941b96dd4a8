"""The care team: invitations, joining by link, roles, removing someone and leaving."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from journal.access import OWNER_REFUSAL
from journal.models import Invitation, Membership, Role
from tests.factories import InvitationFactory, MembershipFactory, UserFactory
from tests.view_helpers import (
    error_beside,
    errors_shown,
    html_of,
    snapshot,
    text_of,
    value_of,
)

pytestmark = pytest.mark.django_db

LAST_OWNER = "A care team needs at least one owner: make someone else owner first."
LINK = re.compile(r'value="http://testserver(/invitations/[\w-]+/)"')


def team_url(child) -> str:
    return reverse("team", kwargs={"child_id": child.pk})


def role_url(membership) -> str:
    return reverse("membership_role", kwargs={"child_id": membership.child_id, "pk": membership.pk})


def remove_url(membership) -> str:
    return reverse(
        "membership_remove", kwargs={"child_id": membership.child_id, "pk": membership.pk}
    )


def revoke_url(invitation) -> str:
    return reverse(
        "invitation_revoke", kwargs={"child_id": invitation.child_id, "pk": invitation.pk}
    )


def accept_url(token: str) -> str:
    return reverse("invitation_accept", kwargs={"token": token})


def membership_of(user, child) -> Membership:
    return Membership.objects.get(user=user, child=child)


# --- the team page -------------------------------------------------------------------------------


def test_the_owner_sees_the_team_the_invitation_form_and_the_invitations(
    owner_client, child, caregiver, viewer
):
    InvitationFactory(child=child, note="Grandma")
    response = owner_client.get(team_url(child))
    text = text_of(response)
    assert response.status_code == 200
    assert "<html" in html_of(response)
    for name in ("Olivia (you)", "Carl", "Vera"):
        assert name in text
    assert "Invite a caregiver" in text
    assert "Grandma" in text
    assert "Waiting, until" in text
    assert role_url(membership_of(caregiver, child)) in html_of(response)


def test_a_caregiver_sees_the_team_but_cannot_manage_it(caregiver_client, child, caregiver):
    InvitationFactory(child=child, note="Grandma")
    response = caregiver_client.get(team_url(child))
    text = text_of(response)
    assert response.status_code == 200
    assert "Olivia" in text
    assert "Carl (you)" in text
    assert "Invite a caregiver" not in text
    assert "Grandma" not in text  # invitations are the owners' business
    forms = set(re.findall(r'<form method="post" action="([^"]+)"', html_of(response)))
    assert forms == {reverse("logout"), remove_url(membership_of(caregiver, child))}
    assert "Leave" in text


def test_the_only_owner_is_not_offered_to_leave(owner_client, child, owner, caregiver):
    own_remove = remove_url(membership_of(owner, child))
    assert own_remove not in html_of(owner_client.get(team_url(child)))

    membership = membership_of(caregiver, child)
    membership.role = "owner"
    membership.save()
    assert own_remove in html_of(owner_client.get(team_url(child)))


# --- invitations ---------------------------------------------------------------------------------


def make_invitation(client, child, role="caregiver", note="Dad") -> str:
    """The owner makes an invitation; returns the link's path, shown once on the next page."""
    response = client.post(team_url(child), {"note": note, "role": role})
    assert response.status_code == 302
    assert response.url == team_url(child)
    page = client.get(response.url)
    match = LINK.search(html_of(page))
    assert match, "the new link is shown"
    assert "It is shown only now." in text_of(page)
    return match[1]


def test_an_invitation_link_is_shown_once(owner_client, child):
    link = make_invitation(owner_client, child, role="viewer", note="Grandpa")

    invitation = Invitation.objects.get(child=child)
    assert (invitation.role, invitation.note, invitation.status) == ("viewer", "Grandpa", "pending")
    again = owner_client.get(team_url(child))
    assert link not in html_of(again)
    assert "It is shown only now." not in text_of(again)
    assert "Grandpa" in text_of(again)  # the invitation is still listed, without its link
    # Only the token's hash is stored.
    token = link.split("/")[2]
    assert token not in str(list(Invitation.objects.values()))


def test_someone_accepts_an_invitation_and_joins_with_its_role(owner_client, child, client_for):
    link = make_invitation(owner_client, child, role="viewer")
    grandpa = UserFactory(username="grandpa", first_name="Grandpa")
    client = client_for(grandpa)

    page = client.get(link)
    assert page.status_code == 200
    assert "Join Mia's care team" in text_of(page)
    assert "You are invited as viewer by Olivia" in text_of(page)
    assert "Join as grandpa" in text_of(page)
    assert not Membership.objects.filter(user=grandpa).exists()  # opening it joins nothing

    response = client.post(link)
    assert response.status_code == 302
    assert response.url == reverse("child_detail", kwargs={"child_id": child.pk})
    assert membership_of(grandpa, child).role == Role.VIEWER
    invitation = Invitation.objects.get(child=child)
    assert invitation.accepted_by == grandpa
    assert invitation.status == "accepted"
    assert "You are on Mia's care team as viewer." in text_of(client.get(response.url))
    assert "Accepted by Grandpa" in text_of(owner_client.get(team_url(child)))


def test_a_used_link_no_longer_works(owner_client, child, client_for):
    link = make_invitation(owner_client, child)
    client_for(UserFactory()).post(link)
    latecomer = client_for(UserFactory())
    before = snapshot()

    for method in ("get", "post"):
        response = getattr(latecomer, method)(link)
        assert response.status_code == 404
        assert "This invitation link no longer works" in text_of(response)
    assert snapshot() == before


def test_a_revoked_link_no_longer_works(owner_client, child, client_for):
    link = make_invitation(owner_client, child)
    invitation = Invitation.objects.get(child=child)

    response = owner_client.post(revoke_url(invitation))
    assert response.status_code == 302
    assert "The invitation link no longer works." in text_of(owner_client.get(team_url(child)))
    invitation.refresh_from_db()
    assert invitation.status == "revoked"

    someone = client_for(UserFactory())
    assert someone.get(link).status_code == 404
    assert someone.post(link).status_code == 404
    assert Membership.objects.filter(child=child).count() == 1


def test_an_expired_link_no_longer_works(child, client_for):
    InvitationFactory(
        child=child, token="old-token", expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    someone = UserFactory()
    response = client_for(someone).post(accept_url("old-token"))
    assert response.status_code == 404
    assert "This invitation link no longer works" in text_of(response)
    assert not Membership.objects.filter(user=someone).exists()


def test_a_made_up_link_is_404(anon_client, db):
    response = anon_client.get(accept_url("made-up"))
    assert response.status_code == 404
    assert "This invitation link no longer works" in text_of(response)


def test_a_member_opening_a_link_is_told_they_are_on_the_team(caregiver_client, child):
    InvitationFactory(child=child, token="for-someone")
    response = caregiver_client.get(accept_url("for-someone"))
    assert response.status_code == 200
    assert "You are already on this care team." in text_of(response)


def test_accepting_as_a_member_keeps_the_role(caregiver, caregiver_client, child):
    InvitationFactory(child=child, token="for-someone", role=Role.OWNER)
    caregiver_client.post(accept_url("for-someone"))
    assert membership_of(caregiver, child).role == Role.CAREGIVER


def test_an_anonymous_visitor_is_offered_to_log_in_or_sign_up_and_come_back(anon_client, child):
    InvitationFactory(child=child, token="for-dad")
    link = accept_url("for-dad")

    response = anon_client.get(link)

    assert response.status_code == 200
    assert "Join Mia's care team" in text_of(response)
    assert f'href="{reverse("signup")}?next={link}"' in html_of(response)
    assert f'href="{reverse("login")}?next={link}"' in html_of(response)
    # A POST without logging in joins no one.
    assert anon_client.post(link).status_code == 200
    assert Invitation.objects.get().status == "pending"


def test_signing_up_from_an_invitation_comes_back_to_it(anon_client, child):
    InvitationFactory(child=child, token="for-dad", role=Role.CAREGIVER)
    link = accept_url("for-dad")

    form = anon_client.get(f"{reverse('signup')}?next={link}")
    assert value_of(form, "next") == link
    response = anon_client.post(
        reverse("signup"),
        {
            "username": "dad",
            "email": "dad@example.org",
            "password1": "a-long-new-password",
            "password2": "a-long-new-password",
            "next": link,
        },
    )
    assert response.status_code == 302
    assert response.url == link

    assert "Join as dad" in text_of(anon_client.get(link))
    anon_client.post(link)
    assert Membership.objects.get(child=child, user__username="dad").role == Role.CAREGIVER


def test_logging_in_from_an_invitation_comes_back_to_it(anon_client, child):
    InvitationFactory(child=child, token="for-dad")
    UserFactory(username="dad")
    link = accept_url("for-dad")

    page = anon_client.get(f"{reverse('login')}?next={link}")
    assert value_of(page, "next") == link
    assert f"{reverse('signup')}?next={link}" in html_of(page).replace("%2F", "/")
    response = anon_client.post(
        reverse("login"), {"username": "dad", "password": "a-long-test-password", "next": link}
    )
    assert response.status_code == 302
    assert response.url == link


BAD_INVITATIONS = [
    ("unknown role", {"role": "boss"}, "role", "Select a valid choice"),
    ("no role", {"role": ""}, "role", "This field is required"),
    ("note too long", {"note": "G" * 81}, "note", "at most 80 characters"),
]


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [case[1:] for case in BAD_INVITATIONS],
    ids=[case[0] for case in BAD_INVITATIONS],
)
def test_a_bad_invitation_is_refused_beside_the_field(owner_client, child, posted, field, message):
    data = {"note": "Grandma", "role": "viewer"} | posted
    before = snapshot()
    response = owner_client.post(team_url(child), data)
    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert list(errors_shown(response)) == [field]
    if field != "role":
        assert value_of(response, "note") == data["note"]
        assert value_of(response, "role") == "viewer"
    else:
        assert value_of(response, "note") == "Grandma"
    assert snapshot() == before


@pytest.mark.parametrize("role", ["caregiver", "viewer"])
def test_only_an_owner_invites_or_revokes(client_for, child, caregiver, viewer, role):
    client = client_for({"caregiver": caregiver, "viewer": viewer}[role])
    invitation = InvitationFactory(child=child)
    before = snapshot()
    for response in (
        client.post(team_url(child), {"note": "Friend", "role": "owner"}),
        client.post(revoke_url(invitation)),
    ):
        assert response.status_code == 403
        assert OWNER_REFUSAL in text_of(response)
    assert snapshot() == before


# --- roles ---------------------------------------------------------------------------------------


def test_the_owner_changes_someones_role(owner_client, child, caregiver):
    member = membership_of(caregiver, child)
    response = owner_client.post(role_url(member), {f"m{member.pk}-role": "viewer"})
    assert response.status_code == 302
    assert response.url == team_url(child)
    member.refresh_from_db()
    assert member.role == Role.VIEWER
    assert "Carl is now Viewer." in text_of(owner_client.get(team_url(child)))


def test_an_unknown_role_is_refused_with_a_message(owner_client, child, caregiver):
    member = membership_of(caregiver, child)
    before = snapshot()
    response = owner_client.post(role_url(member), {f"m{member.pk}-role": "boss"}, follow=True)
    assert "Choose owner, caregiver or viewer." in text_of(response)
    assert snapshot() == before


def test_the_last_owner_cannot_step_down(owner, owner_client, child):
    mine = membership_of(owner, child)
    before = snapshot()
    response = owner_client.post(role_url(mine), {f"m{mine.pk}-role": "caregiver"}, follow=True)
    assert response.status_code == 200
    assert LAST_OWNER in text_of(response)
    assert snapshot() == before


def test_an_owner_can_step_down_once_there_is_another(owner, owner_client, child, caregiver):
    member = membership_of(caregiver, child)
    owner_client.post(role_url(member), {f"m{member.pk}-role": "owner"})
    mine = membership_of(owner, child)
    owner_client.post(role_url(mine), {f"m{mine.pk}-role": "caregiver"})
    mine.refresh_from_db()
    assert mine.role == Role.CAREGIVER
    assert owner_client.post(team_url(child), {"role": "viewer"}).status_code == 403


@pytest.mark.parametrize("role", ["caregiver", "viewer"])
def test_only_an_owner_changes_roles_or_removes_others(
    client_for, owner, child, caregiver, viewer, role
):
    me = {"caregiver": caregiver, "viewer": viewer}[role]
    client = client_for(me)
    other = membership_of(viewer if role == "caregiver" else caregiver, child)
    mine = membership_of(me, child)
    owners = membership_of(owner, child)
    before = snapshot()
    for response in (
        client.post(role_url(other), {f"m{other.pk}-role": "owner"}),
        client.post(role_url(mine), {f"m{mine.pk}-role": "owner"}),  # promoting oneself
        client.post(role_url(owners), {f"m{owners.pk}-role": "viewer"}),
        client.post(remove_url(other)),
        client.post(remove_url(owners)),
    ):
        assert response.status_code == 403
        assert OWNER_REFUSAL in text_of(response)
    assert snapshot() == before


# --- removing and leaving ------------------------------------------------------------------------


def test_the_owner_removes_someone(owner_client, child, caregiver):
    response = owner_client.post(remove_url(membership_of(caregiver, child)))
    assert response.status_code == 302
    assert response.url == team_url(child)
    assert not Membership.objects.filter(user=caregiver).exists()
    assert "Carl was removed from the care team." in text_of(owner_client.get(team_url(child)))


def test_a_removed_member_loses_access(owner_client, client_for, child, caregiver):
    owner_client.post(remove_url(membership_of(caregiver, child)))
    response = client_for(caregiver).get(reverse("child_detail", kwargs={"child_id": child.pk}))
    assert response.status_code == 404


def test_the_last_owner_cannot_leave(owner, owner_client, child, caregiver):
    before = snapshot()
    response = owner_client.post(remove_url(membership_of(owner, child)), follow=True)
    assert response.status_code == 200
    assert LAST_OWNER in text_of(response)
    assert snapshot() == before


def test_an_owner_can_leave_when_another_owner_stays(owner, owner_client, child):
    MembershipFactory(child=child, role=Role.OWNER)
    response = owner_client.post(remove_url(membership_of(owner, child)))
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert not Membership.objects.filter(user=owner, child=child).exists()


@pytest.mark.parametrize("role", ["caregiver", "viewer"])
def test_a_member_can_leave(client_for, child, caregiver, viewer, role):
    me = {"caregiver": caregiver, "viewer": viewer}[role]
    client = client_for(me)
    response = client.post(remove_url(membership_of(me, child)))
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert not Membership.objects.filter(user=me, child=child).exists()
    home = client.get(response.url)
    assert "You have left Mia's care team." in text_of(home)
    assert "Welcome" in text_of(home)
    assert client.get(team_url(child)).status_code == 404


@pytest.mark.parametrize("url_of", [role_url, remove_url, revoke_url], ids=lambda f: f.__name__)
def test_team_actions_refuse_get(owner_client, child, url_of):
    target = InvitationFactory(child=child) if url_of is revoke_url else child.memberships.get()
    assert owner_client.get(url_of(target)).status_code == 405
