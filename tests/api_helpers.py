"""Tokens and requests for the API's tests."""

from django.test import Client

from journal.api.tokens import token_create


def token_for(user, *, scope: str = "write", child=None, days: int = 30) -> str:
    """A new working token of `user`: the token itself, as the page shows it once."""
    _, token = token_create(user=user, name="test", scope=scope, child=child, days=days)
    return token


class TokenClient(Client):
    """A test client that sends a token in the Authorization header, and JSON bodies."""

    def __init__(self, token: str | None, **defaults):
        if token:
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        super().__init__(**defaults)

    def put_json(self, path: str, body, **headers):
        return self.put(path, body, content_type="application/json", headers=headers)


def days_url(child) -> str:
    return f"/api/v1/children/{child.pk}/days"


def day_url(child, day) -> str:
    return f"/api/v1/children/{child.pk}/days/{day.isoformat()}"
