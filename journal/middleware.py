from django.conf import settings
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
