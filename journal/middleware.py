import codecs

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control


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


NOT_UTF8 = "This form was sent in a character set other than UTF-8, which the journal reads."
