"""Personal access tokens, read from the Authorization header only.

A token is never taken from the URL (it would land in logs and browser history), and the header
is not logged. Only the token's hash is stored; the token itself was shown once when it was made.
"""

import datetime

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from journal.models import AccessToken, hash_token

KEYWORD = b"bearer"
REFUSED = "This token is not valid: it may be mistyped, expired or revoked."
# When a token's "last used" is written: at most once a minute, not a write every request.
LAST_USED_STEP = datetime.timedelta(minutes=1)


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`; `request.auth` is then the AccessToken."""

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != KEYWORD:
            return None
        if len(words) != 2:
            raise AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        token = (
            AccessToken.objects.valid()
            .select_related("user")
            .filter(token_hash=hash_token(words[1].decode("latin-1")))
            .first()
        )
        if token is None or not token.user.is_active:
            raise AuthenticationFailed(REFUSED)
        mark_used(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes a request without credentials a 401 that says how to authenticate, not a 403.
        return 'Bearer realm="api"'


def mark_used(token: AccessToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_STEP:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


class TokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema names the token (drf-spectacular reads it from here)."""

    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token from your account page ('Tokens for other "
            "software'): `Authorization: Bearer omsj_...`.",
        }
