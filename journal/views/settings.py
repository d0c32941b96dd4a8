"""How possible relapses are flagged: the child's rule in words and in numbers.

Everyone on the care team reads it; only owners change it (or set it back to the defaults).
"""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from journal import analysis, services
from journal.access import OWNER_REFUSAL, membership_for
from journal.forms import RelapseSettingsForm
from journal.models import RelapseSettings


@login_required
@require_http_methods(["GET", "POST"])
def relapse_settings(request: HttpRequest, child_id: int) -> HttpResponse:
    """The rule in plain sentences, its numbers beside their defaults, and (owners) a form."""
    membership = membership_for(request, child_id)
    child = membership.child
    if request.method == "POST" and not membership.is_owner:
        raise PermissionDenied(_(OWNER_REFUSAL))
    if request.method == "POST" and "reset" in request.POST:
        services.relapse_settings_reset(child=child, user=request.user)
        messages.success(request, _("Back to OMS Journal's defaults."))
        return redirect("relapse_settings", child_id=child.pk)

    # The rule as it stands, read before the form is bound: binding writes what was typed into
    # the form's instance, an unsaved copy, never into the child's own row. (child_id, not
    # child=: that would make the copy the child's cached relapse_settings.)
    rule = child.relapse_rule()
    copy = RelapseSettings(child_id=child.pk, **dataclasses.asdict(rule))
    form = RelapseSettingsForm(request.POST or None, instance=copy)
    if request.method == "POST" and form.is_valid():
        services.relapse_settings_save(child=child, user=request.user, values=form.cleaned_data)
        messages.success(request, _("Saved: possible relapses are now flagged with these numbers."))
        return redirect("relapse_settings", child_id=child.pk)

    own = getattr(child, "relapse_settings", None)  # None: the child has the defaults
    context = {
        "membership": membership,
        "child": child,
        "rule": rule,
        "is_default": rule == analysis.DEFAULT_RULE,
        "default_rule": analysis.DEFAULT_RULE,
        "own": own,
        "form": form,
    }
    return render(request, "journal/relapse_settings.html", context)
