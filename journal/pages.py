"""Pages drawn once per version of a child's journal, for the caregiver who asked.

The today form and the dashboard are the pages a family opens again and again, and drawing them
through Django's templates took most of their time (docs/benchmarks.md). A page is cached after
the access check, under a key that holds everything it shows:
- the caregiver (each has their own copy: nothing is shared between accounts) and their role;
- the child's journal version (trends.cache_key), which every write to the journal raises;
- the view's own parts (the day, today).
A request with messages to show is drawn as usual and not cached. The page is kept compressed,
and the CSRF token put in on the way out, so that each response carries its own (compression.py).
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac

from journal import trends
from journal.compression import CompressedPage, accepts_gzip
from journal.models import Membership

# Stands for the CSRF token in a cached page; secret, so that no content can hold it. Derived
# from SECRET_KEY, so that every server sharing the cache (Redis) puts its own token in the pages
# another drew: a mark made at random per process would stay in the page, a token that fails.
TOKEN_MARK = salted_hmac("journal.pages.TOKEN_MARK", "csrf", algorithm="sha256").hexdigest()[:32]
TOKEN_BYTES = TOKEN_MARK.encode()
# A username shown on a page (who last changed a day) can change without a new journal version.
PAGE_SECONDS = 10 * 60


def page_key(request: HttpRequest, membership: Membership, *parts: object) -> str:
    return trends.cache_key(
        membership.child, "page-gz", request.user.pk, membership.role, request.path, *parts
    )


def cached_page(
    request: HttpRequest,
    template: str,
    key: str,
    context: Callable[[], dict],
) -> HttpResponse:
    """The page drawn from `template` with `context()`, or its copy under `key`."""
    if len(messages.get_messages(request)):  # counting them does not mark them as seen
        return HttpResponse(render_to_string(template, context(), request))

    def draw() -> CompressedPage:
        html = render_to_string(template, {**context(), "csrf_token": TOKEN_MARK}, request)
        return CompressedPage.of(html.encode(), TOKEN_BYTES)

    page = trends.cached(key, draw, PAGE_SECONDS)
    token = get_token(request).encode()
    if accepts_gzip(request):
        response = HttpResponse(page.gzip(token))
        response["Content-Encoding"] = "gzip"  # the GZip middleware leaves it as it is
    else:
        response = HttpResponse(page.plain(token))
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
