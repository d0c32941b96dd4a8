"""A family in Spanish, another in German: each signs up with the language picker, adds a child,
logs a day and downloads the visit summary, whose PDF is read back in their language.

The words checked are the shipped translations themselves (locale/<lang>/LC_MESSAGES/django.po),
so the test follows the catalogs as translators correct them.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from journal.models import Child, DailyEntry

# Section headings every visit summary's PDF has, whatever the journal holds.
PDF_HEADINGS = ("What changed", "How possible relapses are flagged")


def translations(language: str) -> dict[str, str]:
    """The shipped translation of each of PDF_HEADINGS into `language`."""
    locale = re.sub(r"-(\w+)$", lambda m: "_" + m[1].upper(), language)
    catalog = Path(settings.LOCALE_PATHS[0], locale, "LC_MESSAGES", "django.po")
    if not catalog.exists():
        pytest.skip(f"{catalog} is missing: the {language} translation is not written yet")
    found = {e.msgid: e.msgstr for e in polib.pofile(str(catalog)) if e.msgid in PDF_HEADINGS}
    assert set(found) == set(PDF_HEADINGS), f"{catalog} lacks {set(PDF_HEADINGS) - set(found)}"
    return found


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", ["es", "de"])
def test_a_family_signs_up_logs_a_day_and_downloads_the_summary_in_its_language(
    page: Page, language, shot, tmp_path
):
    headings = translations(language)
    page.goto("/accounts/signup/")
    page.locator("#language-picker").select_option(language)
    with page.expect_navigation():
        page.locator(".language-picker button").tap()
    expect(page.locator("html")).to_have_attribute("lang", language)
    shot(page, f"signup-{language}")

    signup = page.locator("form").filter(has=page.locator("[name=username]"))
    signup.locator("[name=username]").fill(f"familia-{language}")
    signup.locator("[name=email]").fill(f"familia-{language}@example.org")
    signup.locator("[name=password1]").fill("a-long-family-passphrase")
    signup.locator("[name=password2]").fill("a-long-family-passphrase")
    with page.expect_navigation():
        signup.locator("button[type=submit]").tap()

    page.goto("/children/add/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    child_form = page.locator("main form").first
    child_form.locator("[name=name]").fill("Lena")
    child_form.locator("[name=birth_date]").fill("2023-04-02")
    child_form.locator("label.choice").filter(
        has=page.locator("[name=tumour_found][value=no]")
    ).tap()
    with page.expect_navigation():
        child_form.locator("button[type=submit]").tap()
    expect(page.locator("html")).to_have_attribute("lang", language)
    lena = Child.objects.get(name="Lena")

    page.goto(f"/children/{lena.pk}/today/")
    for item in ("opsoclonus", "myoclonus", "ataxia", "sleep", "rage"):
        page.locator(f"input[name={item}][value='1'] + label").tap()
    page.locator("button.big[type=submit]").tap()
    # "Saved at 20:15", in the family's language: the time is all that is not a word of it.
    expect(page.locator(".save-state")).to_have_text(re.compile(r"\d\d:\d\d"))
    assert DailyEntry.objects.filter(child=lena).count() == 1
    shot(page, f"day-logged-{language}")

    page.goto(f"/children/{lena.pk}/summary/")
    page.locator("select[name=language]").select_option(language)
    with page.expect_download() as download:
        page.locator("button[formaction$='summary.pdf']").tap()
    pdf = tmp_path / f"summary-{language}.pdf"
    download.value.save_as(pdf)
    text = words(" ".join(p.extract_text() for p in PdfReader(pdf).pages))
    for english, translated in headings.items():
        assert words(translated) in text, f"{translated!r} not in the {language} PDF"
        assert english not in text, f"{english!r} left in English in the {language} PDF"
