"""The words our scripts show, in the page's language: Django's JavaScript catalog, cached.

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
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog

# Our messages only (LOCALE_PATHS, and journal/locale if it ever has one): the admin's scripts,
# which load their own catalog, are not on our pages.
CATALOG = JavaScriptCatalog.as_view(packages=["journal"])
KEEP_A_YEAR = "public, max-age=31536000, immutable"
KEEP_AN_HOUR = "public, max-age=3600"


def shipped(language: str) -> bool:
    return language in dict(settings.LANGUAGES)


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
