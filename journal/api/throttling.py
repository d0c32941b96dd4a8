"""The API's rate limit: per token (per account for the reference page, per address before
logging in), counted in the database cache ("throttle", as the password-reset limits are), so
that every worker and every process counts together.

A fixed window: one count a caller a window (an hour for "600/hour"), kept under a key of its
own, so a count is one small row whatever the traffic (DRF's own throttle keeps the time of every
request in the window). Two requests of one token in the same instant may be counted once: the
database cache reads then writes a count; a limit is a bound on use, not a ledger.
"""

import time

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import BaseThrottle

from journal.api.access import token_of

SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/hour" -> (600, 3600): requests, and the window's seconds."""
    count, period = rate.split("/")
    return int(count), SECONDS[period.strip()[0]]


class TokenRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        limit, seconds = parse_rate(settings.API_RATE_LIMIT)
        now = time.time()
        window = int(now // seconds)
        key = f"api-rate:{self.caller(request)}:{window}"
        throttle = caches["throttle"]
        count = (throttle.get(key) or 0) + 1
        throttle.set(key, count, timeout=seconds)  # outlives its window; the next has its own key
        self.retry_after = (window + 1) * seconds - now
        return count <= limit

    def wait(self) -> float:
        return self.retry_after

    def caller(self, request) -> str:
        token = token_of(request)
        if token is not None:
            return f"token:{token.pk}"
        if request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return f"address:{self.get_ident(request)}"
