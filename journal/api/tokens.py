"""Making and revoking personal access tokens: the writes of the account's token page."""

import datetime

from django.db import transaction
from django.utils import timezone

from journal.models import AccessToken, Child, hash_token


@transaction.atomic
def token_create(
    *, user, name: str, scope: str, child: Child | None, days: int
) -> tuple[AccessToken, str]:
    """A new token of `user` and the token itself: shown once, only its hash is kept."""
    token = AccessToken.new_token()
    access = AccessToken(
        user=user,
        name=name,
        scope=scope,
        child=child,
        token_hash=hash_token(token),
        prefix=token[:10],
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    access.full_clean()
    access.save()
    return access, token


def token_revoke(*, access: AccessToken) -> None:
    """The token stops working now; one that no longer works is left as it is."""
    if access.status == "valid":
        access.revoked_at = timezone.now()
        access.save(update_fields=["revoked_at"])
