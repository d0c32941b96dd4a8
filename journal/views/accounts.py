import logging
import time

from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import iri_to_uri
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from journal import services
from journal.forms import DisplayNameForm, SignUpForm
from journal.languages import AccountLanguageForm, email_language, profile_of
from journal.models import AccessToken, Membership

logger = logging.getLogger(__name__)


def safe_next(request: HttpRequest, default: str = "home") -> str:
    """Where to go after signing up: the `next` asked for, if it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Judged as it will be sent, percent-encoded: Django refuses an address over 2,048
    # characters, and 300 Korean letters are 2,700 once encoded.
    allowed = url_has_allowed_host_and_scheme(
        iri_to_uri(target), allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else default


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="journal.backends.ModelBackend")
        # A URL, never handed to redirect(): it would take `next=home` for a view's name, and
        # answer `next=0` with a server error (no view of that name).
        return HttpResponseRedirect(safe_next(request, reverse("home")))
    return render(
        request, "registration/signup.html", {"form": form, "next": safe_next(request, "")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The account page: the name the team sees, the language, the journals, password, data,
    deleting."""
    data = request.POST if request.method == "POST" else None
    form = DisplayNameForm(data, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.display_name_save(user=request.user, name=form.cleaned_data["first_name"])
        messages.success(request, _("Saved: the name your care team sees."))
        return redirect("profile")
    return profile_page(request, form=form)


def profile_page(
    request: HttpRequest, *, form: DisplayNameForm | None = None, language_form=None
) -> HttpResponse:
    """The account page, with either form as sent (its errors beside its fields)."""
    memberships = Membership.objects.filter(user=request.user).select_related("child")
    token_count = AccessToken.objects.valid().filter(user=request.user).count()
    context = {
        "memberships": memberships,
        "token_count": token_count,
        "form": form or DisplayNameForm(instance=request.user),
        "language_form": language_form or AccountLanguageForm(instance=profile_of(request.user)),
    }
    return render(request, "registration/profile.html", context)


# --- login lockout (django-axes; see settings.AXES_*) --------------------------------------------


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The page for a login refused after too many failures (settings.AXES_LOCKOUT_CALLABLE).

    429 Too Many Requests, with Retry-After; the same page for the admin's login.
    """
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": max(1, seconds // 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


# django-axes keeps the username a login tried in a column of this many characters.
LOCKOUT_USERNAME_LENGTH = 255


def login_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The username a login tried, for the lockout (settings.AXES_USERNAME_CALLABLE).

    As axes reads it, but cut to the length of the column it is kept in: a longer one, which
    no account can have, would otherwise fail to be recorded (a 500 on PostgreSQL).
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field) or request.POST.get(field) or ""
    return str(username)[:LOCKOUT_USERNAME_LENGTH]


def client_ip(request: HttpRequest) -> str:
    """The address a login comes from, for the lockout (settings.AXES_CLIENT_IP_CALLABLE).

    Behind TRUSTED_PROXY_COUNT proxies that each append the address they were reached from to
    X-Forwarded-For, the client is that many entries from the end: anything further left was sent
    by the client itself and can be made up.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    addresses = [address.strip() for address in forwarded if address.strip()]
    return addresses[-proxies] if len(addresses) >= proxies else remote


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum length rule; a new password also ends its account's login lockout.

    The lockout page tells a parent to reset their password: without this the new password would
    wait out the lockout too. `password_changed` is Django's hook run after any password is set
    (reset, change, signup, admin); it rides on this rule to add no empty line to the help text.
    """

    def password_changed(self, password: str, user=None) -> None:
        if user is not None:
            reset_login_failures(username=user.get_username())


# --- password-reset limits (settings.PASSWORD_RESET_LIMIT_*) -------------------------------------

RESET_WINDOW_SECONDS = 3600


def current_hour() -> int:
    """The hour the limits count in: the counts start again at the top of each hour."""
    return int(time.time() // RESET_WINDOW_SECONDS)


def take_a_turn(kind: str, value: str, limit: int) -> bool:
    """Take one of `limit` turns this hour for `value` (an email, an address); False if none left.

    Each turn is its own key in the "throttle" cache (the database), taken with `cache.add`: an
    INSERT on the key, so two workers can never both take the same turn. (A count kept with
    `cache.incr` would not do: on this backend it reads then writes, so a burst of parallel requests
    all read the same count and all get through.) The value is kept only as a keyed hash.
    """
    throttle = caches["throttle"]
    digest = salted_hmac(f"password-reset:{kind}", value, algorithm="sha256").hexdigest()
    turns = [f"password-reset:{kind}:{digest}:{current_hour()}:{n}" for n in range(limit)]
    taken = throttle.get_many(turns)
    # Outlives its hour, whenever in the hour it is taken; the next hour uses other keys.
    return any(
        throttle.add(turn, 1, timeout=RESET_WINDOW_SECONDS) for turn in turns if turn not in taken
    )


class RecipientLanguageResetForm(PasswordResetForm):
    """Django's reset form; each email in its recipient's language (journal/languages.py), not
    in the language of whoever asked for it."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(email_language(context["user"])):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, with limits on the emails it sends (settings.PASSWORD_RESET_LIMIT_*).

    Past a limit nothing is sent, but the answer is the same "Check your email" page: it tells no
    one whether an account exists, nor that a limit was reached. A warning is logged instead.
    """

    form_class = RecipientLanguageResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        address = client_ip(self.request)
        per_address = settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
        per_email = settings.PASSWORD_RESET_LIMIT_PER_EMAIL
        if not take_a_turn("address", address, per_address):
            logger.warning(
                "Password reset not sent: over %d requests this hour from %s",
                per_address,
                address,
            )
        elif not take_a_turn("email", form.cleaned_data["email"].lower(), per_email):
            logger.warning(
                "Password reset not sent: over %d emails this hour to one email (asked from %s)",
                per_email,
                address,
            )
        else:
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())
