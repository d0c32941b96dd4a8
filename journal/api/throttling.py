"""The API's rate limit: per token (per account for the browsable page), counted in the database
cache ("throttle", as the password-reset limits are), so every worker counts together."""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from journal.api.access import token_of


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def __init__(self):
        self.cache = caches["throttle"]
        super().__init__()

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str:
        token = token_of(request)
        if token is not None:
            who = f"token:{token.pk}"
        elif request.user.is_authenticated:
            who = f"user:{request.user.pk}"
        else:
            who = f"address:{self.get_ident(request)}"
        return f"api-rate:{who}"
