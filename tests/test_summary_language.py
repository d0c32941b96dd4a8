"""A visit summary's language: chosen when it is made (the page and its PDF) and when it is
shared (the link keeps it; its page and PDF are in it; the change history says it)."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from journal.models import Change, Profile, ShareLink
from tests.factories import DailyEntryFactory, ShareLinkFactory
from tests.view_helpers import error_beside, html_of, value_of

pytestmark = pytest.mark.django_db

TOKEN = "a-token-for-the-language-tests"


def summary_url(child, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("summary", args=[child.pk]) + (f"?{query}" if query else "")


def pdf_text(response) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_summary_page_offers_every_language(owner_client, child):
    html = owner_client.get(summary_url(child)).content.decode()
    select = re.search(r'<select name="language"[^>]*>(.*?)</select>', html, re.S)[1]
    assert re.findall(r'<option value="([^"]*)"', select) == [
        "",
        "en",
        "es",
        "fr",
        "de",
        "it",
        "pt-br",
        "nl",
    ]


def test_the_summary_is_in_the_language_asked_for_and_its_pdf_link_keeps_it(owner_client, child):
    response = owner_client.get(summary_url(child, language="de"))
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in html_of(response)
    # The PDF button sends the same form: the language goes with it.
    assert '<option value="de" selected>' in html_of(response)


def test_without_a_choice_the_summary_is_in_the_pages_language(client_for, owner, child):
    client = client_for(owner)
    response = client.get(summary_url(child), headers={"accept-language": "it"})
    assert response["Content-Language"] == "it"


def test_a_language_not_shipped_is_refused_beside_the_field(owner_client, child):
    response = owner_client.get(summary_url(child, language="xx"))
    assert response.status_code == 200
    assert "xx" in error_beside(response, "language")


# --- shared with a clinician ---------------------------------------------------------------------


def share(owner_client, child, language: str):
    today = child.today().isoformat()
    data = {"note": "Dr Weber", "first": today, "last": "", "days": "30", "language": language}
    return owner_client.post(reverse("share_links", args=[child.pk]), data)


def test_a_link_keeps_the_language_chosen_when_shared(owner_client, child):
    assert share(owner_client, child, "de").status_code == 302
    link = ShareLink.objects.get(child=child)
    assert link.language == "de"
    change = Change.objects.filter(kind=Change.Kind.SHARE_LINK).latest("pk")
    assert change.after["Language"] == "Deutsch"


def test_a_link_without_a_language_is_in_the_browsers(owner_client, child):
    share(owner_client, child, "")
    assert ShareLink.objects.get(child=child).language == ""


def test_a_language_not_shipped_is_refused_when_sharing(owner_client, child):
    response = share(owner_client, child, "xx")
    assert response.status_code == 200
    assert "xx" in error_beside(response, "language")
    assert not ShareLink.objects.filter(child=child).exists()


@pytest.mark.parametrize("browser", ["en", "es"])
def test_the_shared_page_and_pdf_are_in_the_links_language(anon_client, child, browser):
    ShareLinkFactory(child=child, token=TOKEN, language="de")
    page = anon_client.get(
        reverse("shared_summary", args=[TOKEN]), headers={"accept-language": browser}
    )
    assert page["Content-Language"] == "de"
    assert '<html lang="de">' in html_of(page)


def test_a_shared_page_without_a_language_is_in_the_readers(anon_client, child):
    ShareLinkFactory(child=child, token=TOKEN)
    page = anon_client.get(
        reverse("shared_summary", args=[TOKEN]), headers={"accept-language": "nl"}
    )
    assert page["Content-Language"] == "nl"


def test_the_pdf_is_made_in_the_language_asked_for(owner_client, child):
    DailyEntryFactory(child=child, date=child.today())
    url = reverse("summary_pdf", args=[child.pk])
    english = pdf_text(owner_client.get(url + "?language=en"))
    spanish = pdf_text(owner_client.get(url + "?language=es"))
    assert "What changed" in english
    assert "What changed" not in spanish, "a PDF of one language served for another"
    assert english != spanish


def test_the_shared_pdf_is_in_the_links_language(anon_client, child):
    DailyEntryFactory(child=child, date=child.today())
    ShareLinkFactory(child=child, token=TOKEN, language="de")
    german = pdf_text(anon_client.get(reverse("shared_summary_pdf", args=[TOKEN])))
    ShareLink.objects.filter(child=child).update(language="en")
    english = pdf_text(anon_client.get(reverse("shared_summary_pdf", args=[TOKEN])))
    assert "What changed" in english
    assert "What changed" not in german


# --- formats of the place ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "typed", "shown"),
    [("fr", "38,5", "38,5"), ("de", "38,5", "38,5"), ("en", "38.5", "38.5")],
)
def test_a_temperature_is_typed_and_shown_with_the_languages_decimal_mark(
    client_for, owner, child, language, typed, shown
):
    Profile.objects.update_or_create(user=owner, defaults={"language": language})
    client = client_for(owner)
    today = child.today()
    url = reverse("entry_form", args=[child.pk, today])
    data = {"date": today.isoformat(), "opsoclonus": "1", "max_temperature_c": typed}
    response = client.post(url, data)
    assert response.status_code == 302, error_beside(response, "max_temperature_c")
    assert str(child.entries.get(date=today).max_temperature_c) == "38.5"
    assert value_of(client.get(url), "max_temperature_c") == shown
