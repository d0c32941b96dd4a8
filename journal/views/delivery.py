"""The key a phone sends with each save it kept with no signal (the Idempotency-Key header):
services.delivered_once stores a save once, however often its sending is repeated."""

from django.http import HttpRequest


def delivery_key(request: HttpRequest) -> str:
    return request.headers.get("Idempotency-Key", "")
