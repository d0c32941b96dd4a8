import codecs
import contextvars
import logging
import re
import time
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.shortcuts import render, resolve_url
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _


class TimeZoneMiddleware:
    """Start every request in UTC; a view showing a child switches to the child's time zone.

    Django keeps the active time zone per thread, so without this reset one request's zone
    would leak into the next request served by the same thread.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY: the browser refuses the page camera, microphone and the
    like, which a diary never needs (Django has no setting for this header)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


# --- request ids and the request log -----------------------------------------------------------

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# What a proxy may send as X-Request-ID (nginx's $request_id is 32 hex digits).
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
request_log = logging.getLogger("journal.requests")
logger = logging.getLogger(__name__)


class RequestIdFilter(logging.Filter):
    """Put the id of the request being served (or "-") on every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RequestIdMiddleware:
    """Give each request an id, send it back as X-Request-ID and log the request with it.

    Behind a trusted proxy (settings.TRUSTED_PROXY_COUNT), the proxy's X-Request-ID is kept, so
    that nginx's log line and ours share an id; otherwise a new one is made. Every line the app
    logs while serving the request carries the id (RequestIdFilter). The log line says the
    method, the path without its query, the status and the time taken: nothing a form holds.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trust_proxy = settings.TRUSTED_PROXY_COUNT > 0

    def request_id(self, request) -> str:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        if self.trust_proxy and REQUEST_ID.fullmatch(given):
            return given
        return uuid.uuid4().hex

    def __call__(self, request):
        request_id = self.request_id(request)
        token = request_id_var.set(request_id)
        began = time.perf_counter()
        try:
            response = self.get_response(request)
            response.headers["X-Request-ID"] = request_id
            request_log.info(
                "%s %s %d %.1f ms",
                request.method,
                request.path,
                response.status_code,
                (time.perf_counter() - began) * 1000,
            )
            return response
        finally:
            request_id_var.reset(token)


class FormCharsetMiddleware:
    """Refuse a form sent in a charset other than UTF-8 with a 400 page.

    Every page is UTF-8, so browsers send its forms in UTF-8. A form declared as, say,
    `charset=utf-16` could not be read: Django's parser raised UnicodeDecodeError, a bare 500
    before any view ran. This runs before the CSRF check, the first reader of a form.
    """

    FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in self.FORMS and not utf8(request):
            return render(request, "400.html", {"reason": NOT_UTF8}, status=400)
        return self.get_response(request)


def utf8(request) -> bool:
    return codecs.lookup(request.encoding or settings.DEFAULT_CHARSET).name == "utf-8"


class PrivateCacheMiddleware:
    """Every response of the app is `Cache-Control: private, no-store` unless its view says
    otherwise (a chart: `private, no-cache` with an ETag, revalidated).

    Nearly every page, fragment and file holds a family's data; no browser cache, disk or shared
    proxy should keep one. Static files never reach this: WhiteNoise answers them first, with
    their own far-future headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


NOT_UTF8 = _("This form was sent in a character set other than UTF-8, which the journal reads.")


class DatabaseUnavailableMiddleware:
    """A request that finds the database unreachable (a restart, a failover) gets a 503 page
    saying nothing was saved, with Retry-After, instead of a 500. The connection is dropped, so
    the next request opens a fresh one; nothing else has to be restarted."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unreachable: %r", exception)
        close_old_connections_now()
        return HttpResponse(
            render_to_string("503.html"),
            status=503,
            headers={"Retry-After": str(self.RETRY_AFTER_SECONDS)},
        )


def close_old_connections_now() -> None:
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()


class AppShellMiddleware:
    """What the installed app (static/js/offline.js and the service worker) needs of every answer.

    - An htmx request or a kept day's sending that meets the login page (the login expired)
      gets 401 and a plain sentence, never the login page to swap into a form: the phone keeps
      what was typed and asks to log in.
    - A page of a logged-in caregiver says whose it is (ACCOUNT_HEADER): the service worker
      keeps pages for one account at a time, and empties its cache when another logs in.
    - Logging out asks the browser to empty the app's caches and storage (Clear-Site-Data), so
      the next caregiver on a shared phone finds nothing of the last one's, even without script.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.login_url = resolve_url(settings.LOGIN_URL)
        self.logout_url = resolve_url("logout")

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("HX-Request") and self.is_login_redirect(response):
            return login_expired()
        if request.method == "POST" and request.path == self.logout_url:
            response.headers["Clear-Site-Data"] = '"cache", "storage"'
        if (user := account_of(request)) is not None:
            response.headers[ACCOUNT_HEADER] = str(user.pk)
        return response

    def is_login_redirect(self, response) -> bool:
        return response.status_code == 302 and response.url.split("?")[0] == self.login_url


def account_of(request):
    """The logged-in user, or None. Reading the user may be the request's first query: with
    the database down (the 503 page already says so) there is no account to name."""
    user = getattr(request, "user", None)
    try:
        return user if user is not None and user.is_authenticated else None
    except (OperationalError, InterfaceError):
        return None


ACCOUNT_HEADER = "OMS-Account"
LOGIN_EXPIRED = _("Your login has expired: log in again, and what you typed will be sent.")


def login_expired() -> HttpResponse:
    response = HttpResponse(LOGIN_EXPIRED, status=401, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response
