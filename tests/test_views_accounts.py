"""Accounts: signing up, logging in and out, changing and resetting a password, the profile."""

import re

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, ChildFactory, MembershipFactory, UserFactory
from tests.view_helpers import (
    error_beside,
    errors_shown,
    form_values,
    html_of,
    snapshot,
    text_of,
    value_of,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "a-brand-new-passphrase"


def signup_data(**values) -> dict[str, str]:
    data = {
        "username": "dana",
        "email": "dana@example.org",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(values)
    return data


def logged_in_as(client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


# --- signing up ----------------------------------------------------------------------------------


def test_the_signup_page_opens(anon_client):
    response = anon_client.get(reverse("signup"))
    assert response.status_code == 200
    assert "Create an account" in text_of(response)
    assert {"username", "email", "password1", "password2"} <= form_values(response).keys()
    # The sign-up form has no `next` (form_values leaves out the language picker's own form).
    assert "next" not in form_values(response)
    assert f'name="next" value="{reverse("signup")}"' in html_of(response)  # the picker's


def test_signing_up_logs_in_and_goes_home(anon_client):
    response = anon_client.post(reverse("signup"), signup_data())

    assert response.status_code == 302
    assert response.url == reverse("home")
    dana = User.objects.get(username="dana")
    assert dana.email == "dana@example.org"
    assert dana.check_password(NEW_PASSWORD)
    assert logged_in_as(anon_client) == dana
    assert "Welcome" in text_of(anon_client.get(response.url))


def test_a_logged_in_user_is_sent_home_from_signup(owner_client):
    response = owner_client.get(reverse("signup"))
    assert response.status_code == 302
    assert response.url == reverse("home")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_signup_never_sends_someone_off_site(anon_client, target):
    response = anon_client.post(reverse("signup"), signup_data(next=target))
    assert response.status_code == 302
    assert response.url == reverse("home")


BAD_SIGNUPS = [
    # (id, what is posted, the field with the message, part of the message)
    (
        "passwords differ",
        {"password2": "something-else-entirely"},
        "password2",
        "fields didn\u2019t match",
    ),
    (
        "common password",
        {"password1": "password123", "password2": "password123"},
        "password2",
        "too common",
    ),
    ("short password", {"password1": "k9!x", "password2": "k9!x"}, "password2", "too short"),
    (
        "numeric password",
        {"password1": "8302749561", "password2": "8302749561"},
        "password2",
        "entirely numeric",
    ),
    (
        "password like the username",
        {"username": "margaretha", "password1": "margaretha1", "password2": "margaretha1"},
        "password2",
        "too similar",
    ),
    (
        "duplicate email",
        {"email": "OLIVIA@example.org"},
        "email",
        "An account already uses this email",
    ),
    ("not an email", {"email": "dana-at-home"}, "email", "Enter a valid email address"),
    ("no email", {"email": ""}, "email", "This field is required"),
    ("duplicate username", {"username": "olivia"}, "username", "already exists"),
    ("no username", {"username": ""}, "username", "This field is required"),
    ("bad username", {"username": "dana smith!"}, "username", "Enter a valid username"),
]


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [case[1:] for case in BAD_SIGNUPS],
    ids=[case[0] for case in BAD_SIGNUPS],
)
def test_a_bad_signup_is_refused_beside_the_field_with_the_input_kept(
    anon_client, owner, posted, field, message
):
    data = signup_data(**posted)
    before = snapshot()

    response = anon_client.post(reverse("signup"), data)

    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert list(errors_shown(response)) == [field]
    assert "Please check the fields marked below." in text_of(response)
    assert value_of(response, "username") == data["username"]
    assert value_of(response, "email") == data["email"]
    assert NEW_PASSWORD not in html_of(response)  # passwords are never sent back
    assert logged_in_as(anon_client) is None
    assert snapshot() == before


# --- logging in and out --------------------------------------------------------------------------


def test_the_login_page_opens(anon_client):
    response = anon_client.get(reverse("login"))
    assert response.status_code == 200
    assert "Log in" in text_of(response)
    assert reverse("password_reset") in html_of(response)
    assert reverse("signup") in html_of(response)


def test_logging_in_goes_home(anon_client, owner):
    response = anon_client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert logged_in_as(anon_client) == owner


def test_a_wrong_password_is_refused_with_the_username_kept(anon_client, owner):
    response = anon_client.post(reverse("login"), {"username": "olivia", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in text_of(response)
    assert value_of(response, "username") == "olivia"
    assert logged_in_as(anon_client) is None


def test_logging_out_takes_a_post(owner_client):
    assert owner_client.get(reverse("logout")).status_code == 405
    response = owner_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert logged_in_as(owner_client) is None
    assert owner_client.get(reverse("home")).status_code == 302


def test_every_page_offers_log_out_as_a_form(owner_client):
    html = html_of(owner_client.get(reverse("home")))
    assert f'<form method="post" action="{reverse("logout")}" data-logout>' in html


# --- passwords -----------------------------------------------------------------------------------


def test_changing_the_password(owner, owner_client, client):
    page = owner_client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Change your password" in text_of(page)

    response = owner_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert "Password changed" in text_of(owner_client.get(response.url))
    assert logged_in_as(owner_client) == owner  # still logged in here
    # Through the login page: django-axes refuses client.login(), which gives it no request.
    again = client.post(reverse("login"), {"username": "olivia", "password": NEW_PASSWORD})
    assert again.status_code == 302


def test_a_wrong_old_password_is_refused_beside_it(owner, owner_client):
    response = owner_client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in error_beside(response, "old_password")
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def reset_link(message) -> str:
    match = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body)
    assert match, message.body
    return match[1]


def test_resetting_a_forgotten_password_by_email(anon_client, owner):
    page = anon_client.get(reverse("password_reset"))
    assert "Reset your password" in text_of(page)

    response = anon_client.post(reverse("password_reset"), {"email": "olivia@example.org"})

    assert response.status_code == 302
    assert "Check your email" in text_of(anon_client.get(response.url))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["olivia@example.org"]
    assert message.subject == "Choose a new password for OMS Journal"
    assert "Hello olivia" in message.body

    opened = anon_client.get(reset_link(message), follow=True)
    assert opened.status_code == 200
    assert "Choose a new password" in text_of(opened)
    set_password_url = opened.redirect_chain[-1][0]
    done = anon_client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert "Password set" in text_of(anon_client.get(done.url))
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)

    # The link works once.
    again = anon_client.get(reset_link(message), follow=True)
    assert "This link no longer works" in text_of(again)


def test_a_reset_for_an_unknown_email_sends_nothing_and_says_the_same(anon_client, owner):
    response = anon_client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_made_up_reset_link_says_it_no_longer_works(anon_client, owner):
    response = anon_client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "made-up"})
    )
    assert response.status_code == 200
    assert "This link no longer works" in text_of(response)


# --- the profile ---------------------------------------------------------------------------------


def test_the_profile_lists_my_journals_with_my_role(owner, owner_client, child, stranger_child):
    other = ChildFactory(name="Theo")
    MembershipFactory(child=other, user=owner, role="viewer")

    response = owner_client.get(reverse("profile"))
    text = text_of(response)

    assert response.status_code == 200
    assert "olivia" in text
    assert "olivia@example.org" in text
    assert "Mia · Owner" in text
    assert "Theo · Viewer" in text
    assert "Noah" not in text  # the stranger's child
    assert reverse("child_detail", kwargs={"child_id": child.pk}) in html_of(response)
    assert reverse("password_change") in html_of(response)


def test_the_profile_of_someone_without_a_journal(client_for):
    response = client_for(UserFactory()).get(reverse("profile"))
    assert "None yet." in text_of(response)


# --- the name the care team sees -----------------------------------------------------------------


def test_a_caregiver_gives_the_name_the_team_sees(client_for, child, caregiver, owner_client):
    client = client_for(caregiver)
    page = client.get(reverse("profile"))
    assert value_of(page, "first_name") == "Carl"
    team_before = text_of(owner_client.get(reverse("team", args=[child.pk])))
    assert "Carl" in team_before

    response = client.post(reverse("profile"), {"first_name": "  Carl   (Mia's dad) "})

    assert response.status_code == 302
    caregiver.refresh_from_db()
    assert caregiver.first_name == "Carl (Mia's dad)"
    assert "Saved: the name your care team sees." in text_of(client.get(reverse("profile")))
    team = text_of(owner_client.get(reverse("team", args=[child.pk])))
    assert "Carl (Mia's dad)" in team


def test_without_a_name_the_team_sees_the_username(client_for, child, caregiver, owner_client):
    client_for(caregiver).post(reverse("profile"), {"first_name": ""})
    team = text_of(owner_client.get(reverse("team", args=[child.pk])))
    assert "carl" in team.split()


def test_a_new_name_shows_at_once_on_a_page_drawn_before(client_for, child, caregiver):
    from tests.factories import DailyEntryFactory

    DailyEntryFactory(child=child, date=child.today(), created_by=caregiver, updated_by=caregiver)
    client = client_for(caregiver)
    today = reverse("entry_form", args=[child.pk, child.today()])
    assert "Last changed by Carl," in text_of(client.get(today))  # drawn and cached

    client.post(reverse("profile"), {"first_name": "Dad"})

    assert "Last changed by Dad," in text_of(client.get(today))


def test_a_name_too_long_is_refused_beside_the_field(owner_client, owner):
    response = owner_client.post(reverse("profile"), {"first_name": "x" * 151})
    assert response.status_code == 200
    assert "at most 150 characters" in error_beside(response, "first_name")
    assert value_of(response, "first_name") == "x" * 151
    owner.refresh_from_db()
    assert owner.first_name == "Olivia"
