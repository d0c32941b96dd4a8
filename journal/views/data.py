"""A child's data in and out: the downloads (CSV, a zip of all, JSON), and the CSV import with
its preview.

The import keeps the uploaded files (compressed) in the session between the preview and the
confirmation, and reads them again on confirming: the browser sends back only which preview it
confirms, so what is written is what that page showed. If the journal changed in between (its
data_version), or another preview was made since (in another tab, say), the preview is shown
again instead.
"""

import base64
import json
import secrets
import zlib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from journal import services
from journal.access import membership_for, writer_membership_for
from journal.api import fhir
from journal.exchange import writing
from journal.exchange.checks import Choices
from journal.exchange.columns import ENTRY_COLUMNS, EVENT_COLUMNS, EVENT_TYPES, TREATMENT_COLUMNS
from journal.exchange.plan import ImportPlan, plan_import
from journal.exchange.reading import parse_files
from journal.exchange.review import posted_choices, reading_context, used_choices
from journal.models import Child, ImportChoices, Membership, TrackedItem

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # a 5-year diary with long notes is well under 1 MB
SHOWN_CHANGES = 200  # changed days listed in the preview; the rest are counted
SHEETS_ACCEPTED = ".csv,.xlsx,.ods,text/csv"
CSV_KINDS = {
    "entries": writing.entries_csv,
    "events": writing.events_csv,
    "treatments": writing.treatments_csv,
}


class ImportForm(forms.Form):
    entries = forms.FileField(
        label=_("Daily entries (CSV, Excel or LibreOffice)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": SHEETS_ACCEPTED}),
    )
    events = forms.FileField(
        label=_("Triggers (CSV, Excel or LibreOffice)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": SHEETS_ACCEPTED}),
    )
    add_items = forms.BooleanField(
        label=_("Add columns that are not items yet as new items"),
        required=False,
        help_text=_("Each becomes an item rated 0-3, with plain anchors you can change later."),
    )

    def __init__(self, *args, owner: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not owner:
            # Items are the owners' to add, here as on the items page.
            del self.fields["add_items"]

    def clean(self):
        data = super().clean()
        if not data.get("entries") and not data.get("events") and not self.errors:
            raise forms.ValidationError(_("Choose a file to import: entries, triggers or both."))
        return data

    def _clean_file(self, name: str):
        upload = self.cleaned_data.get(name)
        if upload and upload.size > MAX_UPLOAD_BYTES:
            size = upload.size / 1024 / 1024
            raise forms.ValidationError(
                _(
                    "This file is %(size)s MB; the most an import takes is %(most)s MB. Split "
                    "it into a few files of some years each and import them one after the other."
                )
                % {"size": number_format(size, 1), "most": MAX_UPLOAD_BYTES // 1024 // 1024}
            )
        return upload

    def clean_entries(self):
        return self._clean_file("entries")

    def clean_events(self):
        return self._clean_file("events")

    def contents(self) -> dict:
        """The uploaded files' bytes (None for a file not given) and names, and the add-items
        choice."""
        files, names = {}, []
        for name in ("entries", "events"):
            upload = self.cleaned_data.get(name)
            files[name] = upload.read() if upload else None
            names.append(upload.name if upload else f"{name}.csv")
        return {**files, "names": names, "add_items": self.cleaned_data.get("add_items", False)}


# --- pages -------------------------------------------------------------------------------------


def page_context(membership: Membership, **more) -> dict:
    child = membership.child
    return {
        "membership": membership,
        "child": child,
        "items": list(TrackedItem.objects.for_child(child)),
        "entry_columns": ENTRY_COLUMNS,
        "event_columns": EVENT_COLUMNS,
        "event_types": EVENT_TYPES,
        "treatment_columns": TREATMENT_COLUMNS,
        "max_upload_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
        **more,
    }


@login_required
@require_GET
def data_page(request: HttpRequest, child_id: int) -> HttpResponse:
    """What the files hold, the downloads, and (for those who log days) the import."""
    membership = membership_for(request, child_id)
    context = page_context(membership, form=ImportForm(owner=membership.is_owner))
    return render(request, "journal/data.html", context)


def file_name(child: Child, kind: str, extension: str) -> str:
    return f"{slugify(child.name) or 'child'}-{kind}-{child.today():%Y-%m-%d}.{extension}"


def attachment(content, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def data_download(request: HttpRequest, child_id: int, kind: str) -> HttpResponse:
    """One file: entries, events or treatments as CSV, the journal as JSON or as a FHIR Bundle,
    or a zip of all."""
    child = membership_for(request, child_id).child
    if kind in CSV_KINDS:
        text = CSV_KINDS[kind](child)
        return attachment(text, "text/csv; charset=utf-8", file_name(child, kind, "csv"))
    if kind == "fhir":
        text = json.dumps(fhir.bundle(child), ensure_ascii=False, indent=1)
        content_type = f"{fhir.CONTENT_TYPE}; charset=utf-8"
        return attachment(text, content_type, file_name(child, kind, "json"))
    if kind not in ("journal", "all"):
        raise Http404("No such download.")
    text = json.dumps(writing.journal_json(child), ensure_ascii=False, indent=1)
    if kind == "journal":
        name = file_name(child, "journal", "json")
        return attachment(text, "application/json; charset=utf-8", name)
    return attachment(
        writing.zip_of_all(child, text), "application/zip", file_name(child, "all", "zip")
    )


# --- the import --------------------------------------------------------------------------------

KEPT_PREVIEWS = 3  # previews kept per child, so that a tab's older preview can still be confirmed


def session_key(child: Child) -> str:
    return f"journal-import-{child.pk}"


def packed(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(zlib.compress(data, 6)).decode()


def unpacked(text: str | None) -> bytes | None:
    return None if text is None else zlib.decompress(base64.b64decode(text))


def plan_for(membership: Membership, upload: dict):
    """The checked rows (with their problems), and the plan of what the import would do if
    there is none. Only an owner's import adds items, as only owners add them on the items page.
    """
    child = membership.child
    parsed = parse_files(
        entries=upload["entries"],
        events=upload["events"],
        child=child,
        items=list(TrackedItem.objects.for_child(child)),
        add_items=upload["add_items"] and membership.is_owner,
        can_add_items=membership.is_owner,
        names=tuple(upload["names"]),
        choices=Choices.from_data(upload["choices"]),
    )
    return parsed, (None if parsed.problems else plan_import(child, parsed))


def remembered_choices(child: Child) -> dict:
    """How the child's last files were read, for the next one."""
    stored = ImportChoices.objects.filter(child=child).first()
    if stored is None:
        return Choices().as_data()
    return Choices(stored.columns, stored.date_order, stored.rating_words).as_data()


def kept_previews(request, child: Child) -> dict:
    """The child's previews in the session, by id, the latest last."""
    return request.session.get(session_key(child), {})


def keep_preview(request, child: Child, upload: dict, plan: ImportPlan, preview_id=None) -> str:
    """Keep an upload as the child's latest preview; its id, which the preview's confirm sends
    back, so that what is written is the preview on that page, whatever another tab did."""
    previews = kept_previews(request, child)
    preview_id = preview_id or secrets.token_urlsafe(12)
    previews.pop(preview_id, None)
    previews[preview_id] = {
        "entries": packed(upload["entries"]),
        "events": packed(upload["events"]),
        "names": upload["names"],
        "add_items": upload["add_items"],
        "choices": upload["choices"],
        "data_version": plan.data_version,
    }
    request.session[session_key(child)] = dict(list(previews.items())[-KEPT_PREVIEWS:])
    return preview_id


def preview(request, membership, upload: dict, parsed, plan: ImportPlan, **notice):
    """The preview page; `notice` says why it is shown again, if it is."""
    preview_id = keep_preview(
        request, membership.child, upload, plan, notice.pop("preview_id", None)
    )
    context = {
        "membership": membership,
        "child": membership.child,
        "plan": plan,
        "preview_id": preview_id,
        "reading": reading_context(membership, parsed),
        "shown_changes": plan.changed_days[:SHOWN_CHANGES],
        "more_changes": max(0, len(plan.changed_days) - SHOWN_CHANGES),
        **notice,
    }
    return render(request, "journal/data_preview.html", context)


def refused(request, membership, form, parsed) -> HttpResponse:
    """The data page again, with the problems of the files (the first MAX_PROBLEMS)."""
    context = page_context(
        membership, form=form, problems=parsed.problems, stopped_at=parsed.stopped_at
    )
    return render(request, "journal/data.html", context)


@login_required
@require_POST
def data_import(request: HttpRequest, child_id: int) -> HttpResponse:
    """Check the uploaded files: every problem with its line, or the preview."""
    membership = writer_membership_for(request, child_id)
    form = ImportForm(request.POST, request.FILES, owner=membership.is_owner)
    if not form.is_valid():
        return page_render(request, membership, form)
    upload = {**form.contents(), "choices": remembered_choices(membership.child)}
    parsed, plan = plan_for(membership, upload)
    if parsed.problems:
        return refused(request, membership, form, parsed)
    return preview(request, membership, upload, parsed, plan)


def page_render(request, membership, form) -> HttpResponse:
    return render(request, "journal/data.html", page_context(membership, form=form))


@login_required
@require_POST
def data_import_confirm(request: HttpRequest, child_id: int) -> HttpResponse:
    """Write what the preview on the page showed, if the journal is still as it was then, and
    if that preview is the latest: one made since in another tab shows this one again first."""
    membership = writer_membership_for(request, child_id)
    child = membership.child
    previews = kept_previews(request, child)
    preview_id = request.POST.get("preview", "")
    stored = previews.get(preview_id)
    if not stored:
        messages.info(request, _("This preview is no longer kept: choose the files again."))
        return redirect("data_page", child_id=child.pk)
    upload = {
        "entries": unpacked(stored["entries"]),
        "events": unpacked(stored["events"]),
        "names": stored["names"],
        "add_items": stored["add_items"],
        "choices": stored["choices"],
    }
    parsed, plan = plan_for(membership, upload)
    posted = posted_choices(request.POST, membership, parsed, upload["choices"])
    again = {"preview_id": preview_id}
    if posted != upload["choices"] or request.POST.get("action") == "read":
        # The family changed how a column or a word is read: the preview with their choices.
        upload["choices"] = posted
        parsed, plan = plan_for(membership, upload)
        if parsed.problems:
            form = ImportForm(owner=membership.is_owner)
            return refused(request, membership, form, parsed)
        return preview(request, membership, upload, parsed, plan, read_again=True, **again)
    if parsed.problems:
        forget_preview(request, child, preview_id)
        return refused(request, membership, ImportForm(owner=membership.is_owner), parsed)
    if preview_id != list(previews)[-1]:
        return preview(request, membership, upload, parsed, plan, other_preview=True, **again)
    if plan.data_version != stored["data_version"]:
        return preview(request, membership, upload, parsed, plan, changed_meanwhile=True, **again)
    try:
        done = services.diary_import(child=child, user=request.user, plan=plan)
    except services.EditConflict:
        # Someone saved a day between the version check and the write: show the import anew.
        child.refresh_from_db(fields=["data_version"])
        parsed, plan = plan_for(membership, upload)
        if parsed.problems:
            return refused(request, membership, ImportForm(owner=membership.is_owner), parsed)
        return preview(request, membership, upload, parsed, plan, changed_meanwhile=True, **again)
    services.import_choices_save(child=child, choices=used_choices(parsed, upload["choices"]))
    forget_preview(request, child, preview_id)
    messages.success(request, imported_message(done))
    return redirect("data_page", child_id=child.pk)


def forget_preview(request, child: Child, preview_id: str) -> None:
    previews = kept_previews(request, child)
    previews.pop(preview_id, None)
    request.session[session_key(child)] = previews


def imported_message(done: dict[str, int]) -> str:
    days, changed = done["new_days"], done["changed_days"]
    triggers, items = done["new_events"], done["new_items"]
    values = {
        "days": ngettext("%(count)s new day", "%(count)s new days", days) % {"count": days},
        "changed": ngettext("%(count)s changed day", "%(count)s changed days", changed)
        % {"count": changed},
        "triggers": ngettext("%(count)s new trigger", "%(count)s new triggers", triggers)
        % {"count": triggers},
    }
    if not items:
        return _("Imported: %(days)s, %(changed)s, %(triggers)s.") % values
    values["items"] = ngettext("%(count)s new item", "%(count)s new items", items) % {
        "count": items
    }
    return _("Imported: %(days)s, %(changed)s, %(triggers)s, %(items)s.") % values
