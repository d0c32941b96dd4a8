"""Web Push: which endpoints a phone may give us, and sending a notification to one.

A subscription's endpoint comes from the browser, so the server would POST wherever it is told:
only the known push services are accepted (settings.PUSH_SERVICE_ORIGINS, each
`https://host` or `https://*.domain`), never another host, and never an address of our own
network (an IP literal, loopback, private, link-local) unless an origin names it exactly (the
tests name their loopback endpoint).
"""

import ipaddress
import json
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from pywebpush import WebPushException, webpush

from journal.reminders.models import PushSubscription

log = logging.getLogger(__name__)

# The push service answers these for a subscription that is gone: forget that phone.
GONE = (404, 410)


class EndpointRefused(ValueError):
    pass


def checked_endpoint(endpoint: str) -> str:
    """The endpoint, if it is one of the known push services'; else EndpointRefused."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise EndpointRefused(_("not a web address")) from None
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        raise EndpointRefused(_("not a push service's address"))
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port else "")
    allowed = settings.PUSH_SERVICE_ORIGINS
    if origin in allowed:
        return endpoint  # named exactly, as the tests name their own endpoint
    if parts.scheme != "https":
        raise EndpointRefused(_("a push service is reached over https only"))
    if is_address(host):
        raise EndpointRefused(_("an address, not a push service"))
    if port not in (None, 443):
        raise EndpointRefused(_("a push service on another port"))
    for pattern in allowed:
        scheme, _sep, name = pattern.partition("://")
        if scheme != "https":
            continue
        if name == host or (name.startswith("*.") and host.endswith(name[1:])):
            return endpoint
    raise EndpointRefused(_("%(host)s is not a known push service") % {"host": host})


def is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")
    return True


def send(subscription: PushSubscription, *, title: str, body: str, url: str) -> bool:
    """Send one notification; a subscription the service says is gone is deleted. True when the
    push service took it."""
    try:
        checked_endpoint(subscription.endpoint)
    except EndpointRefused:
        subscription.delete()  # saved before the list of services changed: not ours to call
        return False
    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=json.dumps({"title": title, "body": body, "url": url}),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            timeout=10,
        )
    except WebPushException as refused:
        status = getattr(refused.response, "status_code", None)
        if status in GONE:
            subscription.delete()
        else:
            log.warning("Push to subscription %s refused: %s", subscription.pk, refused)
        return False
    return True
