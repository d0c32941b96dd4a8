"""The account's page of personal access tokens: make one (shown once), see when each was last
used, revoke one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from journal.api.tokens import token_create, token_revoke
from journal.models import TOKEN_DAYS, TOKEN_DEFAULT_DAYS, AccessToken, Child

NEW_TOKEN_SESSION_KEY = "new_access_token"  # noqa: S105 - a session key, not a secret


class AccessTokenForm(forms.ModelForm):
    days = forms.TypedChoiceField(
        label=_("It works for"),
        choices=[(days, days) for days in TOKEN_DAYS],  # worded in __init__
        coerce=int,
        initial=TOKEN_DEFAULT_DAYS,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = AccessToken
        fields = ("name", "scope", "child")
        widgets = {"scope": forms.RadioSelect()}
        help_texts = {
            "scope": _(
                "Whatever you choose, a token never does more than you may: "
                "on a journal where you are a viewer, it only reads."
            ),
            "child": _("A token for one child can't reach any other."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = Child.objects.visible_to(user).order_by("name", "pk")
        self.fields["child"].empty_label = _("Every journal I am on")
        self.fields["days"].choices = [
            (days, ngettext("%(days)d day", "%(days)d days", days) % {"days": days})
            for days in TOKEN_DAYS
        ]


@login_required
@require_http_methods(["GET", "POST"])
@never_cache  # the page that shows a new token must not be kept by the browser
def access_tokens(request: HttpRequest) -> HttpResponse:
    """The account's tokens for the API: make one, see each one's state, revoke one."""
    form = AccessTokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        _, token = token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            child=form.cleaned_data["child"],
            days=form.cleaned_data["days"],
        )
        # Shown once, on the next page: only the token's hash is stored.
        request.session[NEW_TOKEN_SESSION_KEY] = token
        return redirect("access_tokens")
    tokens = AccessToken.objects.filter(user=request.user).select_related("child")
    context = {
        "form": form,
        "tokens": tokens,
        "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
    }
    return render(request, "registration/access_tokens.html", context)


@login_required
@require_POST
def access_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_object_or_404(AccessToken, pk=pk, user=request.user)
    token_revoke(access=access)
    messages.success(
        request, gettext("The token “%(name)s” no longer works.") % {"name": access.name}
    )
    return redirect("access_tokens")
