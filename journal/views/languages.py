"""Languages: the account's, chosen on its page; and the words our scripts show, in the page's
language: Django's JavaScript catalog, cached.

Every page loads the catalog before app.js, so it must cost next to nothing. Its address holds
the language and a version (a digest of the compiled catalogs it is made of), so that a browser,
and the service worker, keep it like a static file, for a year; a new translation changes the
version, and so the address. The server makes each language's script once per process.
"""

import hashlib
from functools import cache
from pathlib import Path

import django
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import JavaScriptCatalog

from journal.languages import AccountLanguageForm, profile_of, set_language_cookie, shipped
from journal.profiles import Profile
from journal.views.accounts import profile_page

# Our messages only (LOCALE_PATHS, and journal/locale if it ever has one): the admin's scripts,
# which load their own catalog, are not on our pages.
CATALOG = JavaScriptCatalog.as_view(packages=["journal"])
KEEP_A_YEAR = "public, max-age=31536000, immutable"
KEEP_AN_HOUR = "public, max-age=3600"


def catalog_url(language: str) -> str:
    """The address of `language`'s catalog, with its version: what base.html loads."""
    version = catalog_version(language, tuple(map(str, settings.LOCALE_PATHS)))
    return f"{reverse('javascript-catalog', args=[language])}?v={version}"


@cache
def catalog_version(language: str, locale_paths: tuple[str, ...]) -> str:
    """A digest of what `language`'s catalog is made of: its compiled messages and Django's
    version (whose formats it carries). Compiled catalogs change only with a restart."""
    digest = hashlib.sha256(f"{django.get_version()} {language}".encode())
    locale = translation.to_locale(language)
    for folder in locale_paths:
        compiled = Path(folder, locale, "LC_MESSAGES", "djangojs.mo")
        if compiled.is_file():
            digest.update(compiled.read_bytes())
    return digest.hexdigest()[:12]


_scripts: dict[tuple[str, str], bytes] = {}


@require_GET
def javascript_catalog(request: HttpRequest, language: str) -> HttpResponse:
    """`language`'s catalog; kept a year by browsers when asked for at its current version."""
    if not shipped(language):
        raise Http404
    version = catalog_version(language, tuple(map(str, settings.LOCALE_PATHS)))
    key = (language, version)
    if key not in _scripts:
        with translation.override(language):
            _scripts[key] = CATALOG(request).content
    response = HttpResponse(_scripts[key], content_type='text/javascript; charset="utf-8"')
    fresh = request.GET.get("v") == version
    response.headers["Cache-Control"] = KEEP_A_YEAR if fresh else KEEP_AN_HOUR
    return response


@login_required
@require_POST
def account_language(request: HttpRequest) -> HttpResponse:
    """The account's language, from its page: the next pages (and emails) are in it at once."""
    form = AccountLanguageForm(
        request.POST, instance=profile_of(request.user) or Profile(user=request.user)
    )
    if not form.is_valid():
        return profile_page(request, language_form=form)
    form.save()
    language = form.cleaned_data["language"]
    response = redirect("profile")
    if language:
        translation.activate(language)
        set_language_cookie(response, language)
    else:
        # The browser's language from now on: no cookie of an earlier choice stands in its way.
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
        translation.activate(translation.get_language_from_request(request))
    messages.success(request, _("Saved: the language of your pages and emails."))
    return response
