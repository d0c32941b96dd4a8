"""The language each person reads the journal in.

- Pages: the account's language (its page), else the language picked on the log-in or sign-up
  page (Django's language cookie), else the browser's Accept-Language (LocaleMiddleware), for
  the languages of settings.LANGUAGES; English otherwise.
- Emails (reminders, password resets): the account's language, else the browser's language at
  the account's last log-in, since no browser is there to ask when an email is sent.
- A visit summary: the language chosen when it is made or shared (a clinician may read another
  language than the family's); a share link keeps it.

The account's language is read with the user, in the same statement (journal/backends.py): it
costs no query.
"""

from django import forms
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from journal.middleware import account_of
from journal.profiles import Profile


def shipped(code: str) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES)


def own_name(code: str) -> str:
    """A language as its speakers write it ("Deutsch"): a picker lists each in its own words, so
    that whoever reads it finds theirs whatever the page's language."""
    return LANG_INFO.get(code, {}).get("name_local") or dict(settings.LANGUAGES).get(code, code)


def choices(blank: str) -> list[tuple[str, str]]:
    """The shipped languages by their own names, after `blank` (what no choice means)."""
    return [("", blank), *((code, own_name(code)) for code, _ in settings.LANGUAGES)]


class LanguageField(forms.ChoiceField):
    """A shipped language, or none (`blank` says what none means)."""

    def __init__(self, *, blank, **kwargs):
        super().__init__(required=False, choices=lambda: choices(blank), **kwargs)


def profile_of(user):
    """The account's language settings, or None when it has none yet (or no account)."""
    try:
        return user.profile
    except (Profile.DoesNotExist, AttributeError):
        return None


def account_language(user) -> str:
    """The language the account chose on its page ("" for none, or one no longer shipped)."""
    profile = profile_of(user)
    language = profile.language if profile else ""
    return language if shipped(language) else ""


def email_language(user) -> str:
    """The language of an email to `user`: the account's, else its browser's at its last
    log-in, else the site's."""
    profile = profile_of(user)
    for language in (account_language(user), profile and profile.browser_language):
        if language and shipped(language):
            return language
    return settings.LANGUAGE_CODE


@receiver(user_logged_in)
def remember_browser_language(sender, request, user, **kwargs) -> None:
    """At each log-in, the page's language (the picker's, else the browser's): what emails use
    while the account has chosen none. The account's own language, if it has one, is then set
    in the language cookie (AccountLanguageMiddleware)."""
    if request is None:
        return
    request.account_language = account_language(user)
    language = translation.get_language()
    profile = profile_of(user)
    if shipped(language) and (profile is None or profile.browser_language != language):
        Profile.objects.update_or_create(user=user, defaults={"browser_language": language})


class AccountLanguageMiddleware:
    """A logged-in caregiver's pages in the account's language, whatever the browser says; and
    the language cookie set to it, so that the log-in page after logging out stays in it.

    After AuthenticationMiddleware (the user, with the account's language, is read once, as
    every page reads it) and LocaleMiddleware (whose choice, from the cookie or the browser,
    holds when the account has none).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = account_language(account_of(request))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # Logging in (remember_browser_language) says the account's language only now.
        language = getattr(request, "account_language", "")
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            set_language_cookie(response, language)
        return response


def in_language(language: str, view, *args, **kwargs):
    """`view(*args, **kwargs)`'s response made in `language` (empty: the page's), and saying so
    (LocaleMiddleware would name the request's language, active again by then)."""
    language = language or translation.get_language()
    with translation.override(language):
        response = view(*args, **kwargs)
    response.headers["Content-Language"] = language
    return response


def set_language_cookie(response, language: str) -> None:
    """Django's language cookie, as its set_language view sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


BROWSERS_LANGUAGE = _("The browser's language")
# A visit summary's language: the clinician may read another than the family's.
PAGES_LANGUAGE = _("The language of these pages")
SUMMARY_LANGUAGE_LABEL = _("Language of the summary")
LINK_READERS_LANGUAGE = _("The language of the browser that opens it")
LINK_LANGUAGE_LABEL = _("Language of the summary it opens")


class AccountLanguageForm(forms.ModelForm):
    """The account's language, on its page."""

    language = LanguageField(
        blank=BROWSERS_LANGUAGE,
        label=_("Language of your pages and emails"),
        help_text=_("The browser's language: the one your phone or computer asks for."),
    )

    class Meta:
        model = Profile
        fields = ("language",)
