"""The account holder's own data: download all of it, or delete the account."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from journal import services
from journal.export import account_export
from journal.models import Membership


@login_required
@require_GET
def account_download(request: HttpRequest) -> HttpResponse:
    """Everything this account can see, as one JSON file."""
    data = json.dumps(account_export(request.user), ensure_ascii=False, indent=1)
    name = f"oms-journal-{request.user.username}-{timezone.localdate():%Y-%m-%d}.json"
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    # A username may be "Zoë" or "李": RFC 6266's filename*= carries it as UTF-8.
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


class ConfirmWithPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        # Through authenticate(), so that wrong guesses count towards the login lockout, whose
        # page then answers instead of this form.
        password = self.cleaned_data["password"]
        username = self.request.user.get_username()
        if authenticate(self.request, username=username, password=password) is None:
            raise forms.ValidationError(_("This is not your password."))
        return password


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account after the password is typed again; say first what goes with it."""
    user = request.user
    form = ConfirmWithPasswordForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        deleted = services.account_delete(user=user)
        logout(request)
        if deleted:
            messages.success(
                request,
                _("Your account and the journals of %(names)s are deleted.")
                % {"names": ", ".join(deleted)},
            )
        else:
            messages.success(request, _("Your account is deleted."))
        return redirect("login")
    alone = services.children_owned_alone(user)
    others = (
        Membership.objects.filter(child__in=alone)
        .exclude(user=user)
        .select_related("user", "child")
    )
    return render(
        request,
        "registration/account_delete.html",
        {"form": form, "alone": alone, "others": others},
    )
