"""The languages' machinery: settings, the language of a request, the JavaScript catalog, the
gate on the catalogs (scripts/translations.py check) and the pseudo-language."""

import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from scripts.translations import ACCENTED, check, pseudo, shipped_locales

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ["en", "es", "fr", "de", "it", "pt-br", "nl"]


# --- settings and the language of a request ------------------------------------------------------


def test_the_shipped_languages_and_where_their_catalogs_live():
    assert [code for code, _ in settings.LANGUAGES] == SHIPPED
    assert settings.LANGUAGE_CODE == "en"
    assert settings.LOCALE_PATHS == [ROOT / "locale"]
    assert shipped_locales() == ["es", "fr", "de", "it", "pt_BR", "nl"]


def test_the_locale_middleware_sits_between_the_session_and_common_middleware():
    middleware = settings.MIDDLEWARE
    locale = middleware.index("django.middleware.locale.LocaleMiddleware")
    assert middleware.index("django.contrib.sessions.middleware.SessionMiddleware") < locale
    assert locale < middleware.index("django.middleware.common.CommonMiddleware")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "language"),
    [
        ("es-ES,es;q=0.9", "es"),
        ("pt-BR", "pt-br"),
        ("de-CH, fr;q=0.5", "de"),
        ("ja", "en"),
        ("", "en"),
    ],
)
def test_a_page_is_in_the_browsers_language_when_shipped(accept, language):
    response = Client(headers={"accept-language": accept}).get(reverse("login"))
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in response.content.decode()
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
def test_the_picker_sets_the_language_for_the_next_pages():
    client = Client(headers={"accept-language": "de"})
    response = client.post(reverse("set_language"), {"language": "fr", "next": reverse("login")})
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("login"))["Content-Language"] == "fr"


@pytest.mark.django_db
def test_the_picker_refuses_a_language_not_shipped_and_a_foreign_next():
    client = Client()
    response = client.post(
        reverse("set_language"), {"language": "xx", "next": "https://elsewhere.example/"}
    )
    assert response.url == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


# --- the JavaScript catalog ----------------------------------------------------------------------


def catalog_address(client: Client) -> str:
    page = client.get(reverse("login")).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    catalog = next(s for s in scripts if s.startswith("/jsi18n/"))
    assert scripts.index(catalog) < next(i for i, s in enumerate(scripts) if "app" in s)
    return catalog


@pytest.mark.django_db
def test_every_page_loads_its_languages_catalog_before_app_js_kept_a_year():
    client = Client(headers={"accept-language": "nl"})
    address = catalog_address(client)
    assert address.startswith(reverse("javascript-catalog", args=["nl"]) + "?v=")
    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "django.gettext" in response.content.decode()
    # Nothing of anyone's: the same bytes for a logged-in caregiver.
    assert b"csrf" not in response.content.lower()


@pytest.mark.django_db
def test_the_catalog_at_another_version_is_kept_an_hour_only():
    response = Client().get(reverse("javascript-catalog", args=["es"]) + "?v=old")
    assert response["Cache-Control"] == "public, max-age=3600"


@pytest.mark.django_db
def test_a_language_not_shipped_has_no_catalog():
    assert Client().get(reverse("javascript-catalog", args=["xx"])).status_code == 404


@pytest.mark.django_db
def test_the_catalog_holds_the_languages_words(pseudo_language):
    client = Client(headers={"accept-language": pseudo_language})
    address = catalog_address(client)
    assert address.startswith(reverse("javascript-catalog", args=[pseudo_language]))
    body = client.get(address).content.decode()
    # One of Django's own messages, in the pseudo-language (written as JSON writes it).
    assert json.dumps("[%(sel)s öƒ %(cnt)s šéļéçţéđ]") in body
    plain = Client().get(reverse("javascript-catalog", args=["en"]) + "?v=1").content
    assert plain != client.get(address).content


# --- the pseudo-language -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Log today", "[Ļöĝ ţöđåý]"),
        ("%(name)s logged %(count)d days", "[%(name)s ļöĝĝéđ %(count)d đåýš]"),
        ("Saved: %s.", "[Šåṽéđ: %s.]"),
        (
            'Read <a href="%(url)s">the rule</a> &amp; more',
            '[Ŕéåđ <a href="%(url)s">ţĥé ŕûļé</a> &amp; ɱöŕé]',
        ),
        ("{name} and {count}", "[{name} åñđ {count}]"),
        ("100%% sure", "[100%% šûŕé]"),
        ("j M", "j M"),  # a date format: codes, not words
        ("N j, Y", "N j, Y"),
    ],
)
def test_the_pseudo_language_keeps_placeholders_and_markup(text, expected):
    assert pseudo(text) == expected


def test_a_message_in_the_pseudo_language_has_no_ascii_letter_left():
    every_letter = "The quick brown fox jumps over the lazy dog. THE QUICK BROWN FOX."
    assert not re.search(r"[A-Za-z]", pseudo(every_letter))
    assert len(set(ACCENTED.values())) == 52  # each letter its own look-alike


def test_a_date_format_named_so_by_its_context_is_kept():
    assert pseudo("D j M", context="date format") == "D j M"
    assert pseudo("Day", context="") == "[Đåý]"


@pytest.mark.django_db
def test_the_pseudo_catalogs_hold_our_messages_and_djangos(pseudo_catalogs):
    import polib

    catalog = polib.pofile(str(pseudo_catalogs / "en_XA" / "LC_MESSAGES" / "django.po"))
    by_id = {entry.msgid: entry.msgstr for entry in catalog}
    assert by_id["This field is required."] == "[Ţĥîš ƒîéļđ îš ŕéǫûîŕéđ.]"
    assert "Enter a valid date." in by_id  # a form's error
    assert "This password is too common." in by_id  # django.contrib.auth's
    assert all(entry.translated() for entry in catalog)


# --- the gate: msgfmt --check --statistics on every catalog --------------------------------------

HEADER = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""


def write_catalog(folder: Path, locale: str, body: str, domain: str = "django") -> Path:
    path = folder / locale / "LC_MESSAGES" / f"{domain}.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


COMPLETE = {
    "es": 'msgid "Log today"\nmsgstr "Anotar hoy"\n',
    "fr": 'msgid "Log today"\nmsgstr "Noter aujourd\'hui"\n',
}


def messages_of_the_code(folder: Path) -> dict[str, Path]:
    template = folder / "code.pot"
    template.write_text(HEADER + 'msgid "Log today"\nmsgstr ""\n', encoding="utf-8")
    return {"django": template}


def test_the_gate_passes_before_any_translation_and_says_so(tmp_path, capsys):
    assert check(tmp_path / "locale", ["es", "fr"], lambda: {}) == []
    assert "No translations yet" in capsys.readouterr().out


def test_the_gate_passes_complete_catalogs(tmp_path, capsys):
    for locale, body in COMPLETE.items():
        write_catalog(tmp_path / "locale", locale, body)
    assert check(tmp_path / "locale", ["es", "fr"], lambda: messages_of_the_code(tmp_path)) == []
    out = capsys.readouterr().out
    assert "es/LC_MESSAGES/django.po: 1 translated, 0 fuzzy, 0 untranslated" in out
    assert "Translations complete" in out


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('msgid "Log today"\nmsgstr ""\n', "0 fuzzy, 1 untranslated"),
        ('#, fuzzy\nmsgid "Log today"\nmsgstr "Anotar hoy"\n', "1 fuzzy, 0 untranslated"),
        # msgfmt --check: a placeholder lost in the translation.
        ('#, python-format\nmsgid "%(n)s days"\nmsgstr "días"\n', "msgfmt"),
    ],
)
def test_the_gate_fails_an_untranslated_fuzzy_or_broken_message(tmp_path, body, says):
    write_catalog(tmp_path / "locale", "es", body)
    write_catalog(tmp_path / "locale", "fr", COMPLETE["fr"])
    failures = check(tmp_path / "locale", ["es", "fr"], lambda: {})
    assert len(failures) == 1
    assert failures[0].startswith("es/LC_MESSAGES/django.po")
    assert says in failures[0]


def test_the_gate_fails_a_shipped_language_without_its_catalog(tmp_path):
    write_catalog(tmp_path / "locale", "es", COMPLETE["es"])
    failures = check(tmp_path / "locale", ["es", "fr"], lambda: {})
    assert failures == ["fr: no django.po (run make messages, then translate)"]


def test_the_gate_fails_a_catalog_without_a_message_the_code_has(tmp_path):
    for locale, body in COMPLETE.items():
        write_catalog(tmp_path / "locale", locale, body)
    code = messages_of_the_code(tmp_path)
    code["django"].write_text(
        code["django"].read_text() + '\nmsgid "A new sentence"\nmsgstr ""\n', encoding="utf-8"
    )
    failures = check(tmp_path / "locale", ["es", "fr"], lambda: code)
    assert len(failures) == 2
    assert all("lacks 1 messages of the code" in f and "'A new sentence'" in f for f in failures)


def run(*command: str) -> subprocess.CompletedProcess:
    """One of our own tools (make, git) in the project's folder."""
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603


def test_make_test_runs_the_gate_and_the_catalogs_are_compiled_before_tests_and_run():
    assert "scripts/translations.py check" in run("make", "-n", "test").stdout
    for target in ("run", "test-sqlite", "test-postgres"):
        assert "scripts/translations.py compile" in run("make", "-n", target).stdout, target


def test_compiled_catalogs_are_not_committed():
    assert run("git", "check-ignore", "locale/es/LC_MESSAGES/django.mo").returncode == 0
