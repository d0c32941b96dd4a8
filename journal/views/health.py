"""The health endpoint a load balancer asks: can this server reach its database and its cache?

It says nothing private (no version, no counts, no error text) and touches no session. Status
503 when the database does not answer: the server cannot serve, take it out. A cache that does
not answer is reported, with status 200: the app serves from the database meanwhile
(journal/cache.py), slower, and taking every server out for it would stop the service.
"""

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Health: the database does not answer: %r", error)
        return "unreachable"
    return "ok"


def cache_state() -> str:
    """ "ok", "unreachable", or "local" for a cache in this worker's memory (nothing to reach)."""
    reachable = getattr(cache, "reachable", None)
    if reachable is None:
        return "local"
    return "ok" if reachable() else "unreachable"


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    states = {"database": database_state(), "cache": cache_state()}
    serving = states["database"] == "ok"
    return JsonResponse(
        {"status": "ok" if serving else "unavailable", **states}, status=200 if serving else 503
    )
