"""Pages drawn once per version of a child's journal, for the caregiver who asked.

The today form and the dashboard are the pages a family opens again and again, and drawing them
through Django's templates took most of their time (docs/benchmarks.md). A page is cached after
the access check, under a key that holds everything it shows:
- the caregiver (each has their own copy: nothing is shared between accounts) and their role;
- the child's journal version (trends.cache_key), which every write to the journal raises;
- the view's own parts (the day, today).
A request with messages to show is drawn as usual and not cached. The CSRF token is put in on
the way out, so that each response carries its own.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac

from journal import trends
from journal.models import Membership

# Stands for the CSRF token in a cached page; secret, so that no content can hold it. Derived
# from SECRET_KEY, so that every server sharing the cache (Redis) puts its own token in the pages
# another drew: a mark made at random per process would stay in the page, a token that fails.
TOKEN_MARK = salted_hmac("journal.pages.TOKEN_MARK", "csrf", algorithm="sha256").hexdigest()[:32]
# A username shown on a page (who last changed a day) can change without a new journal version.
PAGE_SECONDS = 10 * 60


def page_key(request: HttpRequest, membership: Membership, *parts: object) -> str:
    return trends.cache_key(
        membership.child, "page", request.user.pk, membership.role, request.path, *parts
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
    html = trends.cached(
        key,
        lambda: render_to_string(template, {**context(), "csrf_token": TOKEN_MARK}, request),
        PAGE_SECONDS,
    )
    return HttpResponse(html.replace(TOKEN_MARK, get_token(request)))
