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
