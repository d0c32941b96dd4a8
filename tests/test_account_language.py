"""The account's language: chosen on its page (blank: the browser's), applied on log-in and on
every page, and the language picker of the log-in and sign-up pages."""

import re
from html import unescape

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from journal.languages import email_language
from journal.models import Profile
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME
OWN_NAMES = [
    "English",
    "español",
    "français",
    "Deutsch",
    "italiano",
    "Português Brasileiro",
    "Nederlands",
]


def language_of(response) -> str:
    return response["Content-Language"]


def options(html: str, select_name: str) -> list[str]:
    select = re.search(rf'<select name="{select_name}"[^>]*>(.*?)</select>', html, re.S)
    return [unescape(o) for o in re.findall(r"<option[^>]*>([^<]*)</option>", select[1])]


def test_the_account_page_offers_each_language_by_its_own_name(owner_client):
    html = owner_client.get(reverse("profile")).content.decode()
    assert f'action="{reverse("account_language")}"' in html
    assert options(html, "language") == ["The browser's language", *OWN_NAMES]


def test_a_chosen_language_wins_over_the_browsers_on_every_page(owner, client_for):
    client = client_for(owner)
    response = client.post(reverse("account_language"), {"language": "de"})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "de"
    assert Profile.objects.get(user=owner).language == "de"
    client.cookies.pop(COOKIE)  # another device: only the account says German
    for path in (reverse("home"), reverse("profile")):
        assert language_of(client.get(path, headers={"accept-language": "es"})) == "de"


def test_blank_is_the_browsers_language_again(owner, client_for):
    Profile.objects.update_or_create(user=owner, defaults={"language": "it"})
    client = client_for(owner)
    response = client.post(reverse("account_language"), {"language": ""})
    assert response.cookies[COOKIE].value == ""  # the earlier choice's cookie removed
    assert Profile.objects.get(user=owner).language == ""
    assert language_of(client.get(reverse("home"), headers={"accept-language": "nl"})) == "nl"


def test_a_language_not_shipped_is_refused_beside_the_field(owner, owner_client):
    Profile.objects.update_or_create(user=owner, defaults={"language": "fr"})
    response = owner_client.post(reverse("account_language"), {"language": "xx"})
    assert response.status_code == 200
    # In the account's language still, French: Django's own message, translated by Django.
    assert language_of(response) == "fr"
    error = re.search(
        r'<p class="error" id="id_language_error">([^<]*)</p>', response.content.decode()
    )
    assert "xx" in error[1]
    assert "Sélectionnez un choix valide" in unescape(error[1])
    assert Profile.objects.get(user=owner).language == "fr"


def test_logging_in_applies_the_accounts_language(owner):
    Profile.objects.update_or_create(user=owner, defaults={"language": "it"})
    client = Client(headers={"accept-language": "en"})
    response = client.post(reverse("login"), {"username": owner.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "it"
    assert language_of(client.get(reverse("home"))) == "it"
    # Logged out, the log-in page stays in the account's language.
    client.post(reverse("logout"))
    assert language_of(client.get(reverse("login"))) == "it"


def test_logging_in_remembers_the_browsers_language_for_emails(owner):
    client = Client(headers={"accept-language": "pt-BR,pt;q=0.9"})
    client.post(reverse("login"), {"username": owner.username, "password": PASSWORD})
    assert Profile.objects.get(user=owner).browser_language == "pt-br"
    assert email_language(User.objects.get(pk=owner.pk)) == "pt-br"
    Profile.objects.filter(user=owner).update(language="nl")
    assert email_language(User.objects.get(pk=owner.pk)) == "nl"


def test_an_account_never_logged_in_gets_emails_in_the_sites_language(owner):
    assert email_language(owner) == settings.LANGUAGE_CODE


def test_the_accounts_language_costs_no_query(owner, client_for):
    client = client_for(owner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("profile")).status_code == 200
        return len(captured)

    without = queries()
    Profile.objects.update_or_create(user=owner, defaults={"language": "fr"})
    assert language_of(client.get(reverse("profile"))) == "fr"
    assert queries() == without


@pytest.mark.parametrize("page", ["login", "signup"])
def test_the_log_in_and_sign_up_pages_have_the_language_picker(page):
    client = Client(headers={"accept-language": "fr"})
    html = client.get(reverse(page) + "?next=/children/1/").content.decode()
    picker = re.search(r'<form class="language-picker"[^>]*>.*?</form>', html, re.S)[0]
    assert f'action="{reverse("set_language")}"' in picker
    assert f'name="next" value="{reverse(page)}?next=/children/1/"' in picker
    assert options(html.replace('id="language-picker" ', ""), "language") == OWN_NAMES
    assert '<option value="fr" lang="fr" selected>' in picker


def test_the_picker_stays_on_the_page_after_a_failed_log_in(owner):
    client = Client()
    client.post(reverse("set_language"), {"language": "es", "next": reverse("login")})
    response = client.post(reverse("login"), {"username": owner.username, "password": "wrong"})
    assert response.status_code == 200
    assert language_of(response) == "es"
    assert '<form class="language-picker"' in response.content.decode()
    assert '<option value="es" lang="es" selected>' in response.content.decode()
