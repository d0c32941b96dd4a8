"""The project's URLs plus `bench/bare/`, the fastest page Django can serve, for the bench only.

scripts/bench.py points ROOT_URLCONF here in its own settings; the app never mounts this module.
Every throughput of the bench is read as a share of this view's, measured in the same run.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from omstracker.urls import urlpatterns as app_patterns


def bare(request: HttpRequest) -> HttpResponse:
    """A tiny response through the whole middleware stack: no session, no query, no template."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *app_patterns]
