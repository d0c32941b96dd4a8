"""A bearer link (an invitation, a share link) shown once to the owner who made it, and kept
nowhere on the server.

The database keeps only a link's hash. The full link goes from the POST that made it to the page
after the redirect in a short-lived signed cookie, sent back only to that page, which reads it
and deletes it. A session row would hold it (signed, not encrypted) where a database backup
could read it.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

SECONDS = 300  # the redirect is followed at once; a link not shown by then is not shown


def keep_for_next_page(response: HttpResponse, name: str, link: str, page: str) -> HttpResponse:
    """Send `link` with the redirect to `page`, for that page to show once."""
    response.set_signed_cookie(
        name,
        link,
        salt=name,
        max_age=SECONDS,
        path=page,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


def waiting_link(request: HttpRequest, name: str) -> str | None:
    """The link the POST before made, if it waits for this page."""
    return request.get_signed_cookie(name, default=None, salt=name, max_age=SECONDS)


def shown(response: HttpResponse, request: HttpRequest, name: str) -> HttpResponse:
    """Forget the link once the page showing it is sent."""
    if name in request.COOKIES:
        response.delete_cookie(name, path=request.path, samesite="Strict")
    return response
