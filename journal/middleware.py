from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone


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
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers[ACCOUNT_HEADER] = str(user.pk)
        return response

    def is_login_redirect(self, response) -> bool:
        return response.status_code == 302 and response.url.split("?")[0] == self.login_url


ACCOUNT_HEADER = "OMS-Account"
LOGIN_EXPIRED = "Your login has expired: log in again, and what you typed will be sent."


def login_expired() -> HttpResponse:
    response = HttpResponse(LOGIN_EXPIRED, status=401, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response
