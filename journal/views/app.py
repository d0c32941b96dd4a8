"""The installable app: its manifest, its service worker, the offline page, the "Log today"
shortcut, and the session state a kept day's sending asks for (static/js/offline.js)."""

import hashlib
import json
from urllib.parse import urljoin

from django.conf import settings as django_settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from journal.middleware import ACCOUNT_HEADER
from journal.models import Child

BRAND = "#1d4e6b"
PAPER = "#f6f7f9"
# What the service worker keeps from its first start: the offline page and what every page
# loads. Pages are kept as the caregiver opens them.
SHELL = ("css/app.css", "js/htmx.min.js", "js/app.js", "js/offline.js", "favicon.svg")


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: what the phone needs to install the journal on its home screen."""
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    icons.append(
        {
            "src": static("icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    )
    body = {
        "id": "/",
        "name": "OMS Journal",
        "short_name": "OMS Journal",
        "description": "A daily diary for children with opsoclonus-myoclonus syndrome.",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": BRAND,
        "background_color": PAPER,
        "icons": icons,
        "shortcuts": [
            {
                "name": "Log today",
                "short_name": "Log today",
                "url": reverse("log_today"),
                "icons": [icons[0]],
            }
        ],
    }
    response = HttpResponse(json.dumps(body), content_type="application/manifest+json")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def service_worker_script() -> str:
    settings = {
        "shell": [static(path) for path in SHELL],
        "staticPrefix": urljoin("/", django_settings.STATIC_URL),
        # The words of the scripts, in each language: versioned addresses, kept as static files.
        "catalogPrefix": reverse("javascript-catalog", args=["en"]).removesuffix("en/"),
        "offlineUrl": reverse("offline"),
        "accountHeader": ACCOUNT_HEADER,
        "icon": static("icons/icon-192.png"),
        # Pages never kept: logging in and out, the admin, the clinician's shared summary,
        # invitations, and the session state itself.
        "neverKept": ["/accounts/", "/admin/", "/shared/", "/invitations/"],
    }
    context = {"settings": mark_safe(json.dumps(settings))}  # noqa: S308 (our own JSON)
    script = render_to_string("sw.js", context)
    # A new version of any file the worker keeps changes its script, and so installs it anew.
    version = hashlib.sha256(script.encode()).hexdigest()[:12]
    return script.replace("__VERSION__", version)


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the root so that it may answer for every page."""
    response = HttpResponse(service_worker_script(), content_type="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page never opened on this phone, with no signal. It
    holds nothing of any account: the days kept on the phone are listed by script."""
    return render(request, "offline.html")


@require_GET
def session_state(request: HttpRequest) -> JsonResponse:
    """Who is logged in, and a fresh CSRF token: asked before each kept day is sent, so that it
    goes with this session's token, never one kept in a page from the cache."""
    if not request.user.is_authenticated:
        response = JsonResponse({"account": None}, status=401)
    else:
        response = JsonResponse({"account": str(request.user.pk), "csrf": get_token(request)})
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def log_today(request: HttpRequest) -> HttpResponse:
    """The home screen's "Log today": today's form of the child, or the list when there are
    several children to choose from."""
    children = list(Child.objects.visible_to(request.user).values_list("pk", flat=True)[:2])
    if len(children) == 1:
        return redirect("entry_today", child_id=children[0])
    return redirect("home")
