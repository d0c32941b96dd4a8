import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from journal import history, services
from journal.access import membership_for, writer_membership_for
from journal.forms import DoseChangeFormSet, TaperForm, TreatmentForm
from journal.models import TreatmentCourse, plain_number
from journal.views import conflicts


@login_required
@require_GET
def treatment_list(request: HttpRequest, child_id: int) -> HttpResponse:
    membership = membership_for(request, child_id)
    child = membership.child
    courses = TreatmentCourse.objects.for_child(child).prefetch_related("changes")
    return render(
        request,
        "journal/treatment_list.html",
        {"membership": membership, "child": child, "courses": courses, "today": child.today()},
    )


# The buttons that change the rows of dose changes in place, saving nothing: one row more, or
# a taper's steps. They post the whole form, so that nothing typed is lost without JavaScript;
# with it, htmx swaps in only the rows.
STEP_ACTION = "step_action"
ADD_STEP, MAKE_TAPER = "add", "taper"
STEP_FIELDS = ("date", "dose", "note")


def treatment_form_page(request: HttpRequest, membership, course: TreatmentCourse) -> HttpResponse:
    """Add or change a course and its dose changes, saved together or not at all."""
    child = membership.child
    title = (
        _("Edit %(drug)s") % {"drug": course.drug_name} if course.pk else _("Add a treatment")
    )  # before binding
    if request.method == "POST" and request.POST.get(STEP_ACTION) in (ADD_STEP, MAKE_TAPER):
        return steps_draft(request, membership, course, title)
    initial = {} if course.pk else {"start_date": child.today()}
    form = TreatmentForm(request.POST or None, instance=course, initial=initial)
    changes = DoseChangeFormSet(request.POST or None, instance=course, prefix="changes")
    conflict = None
    # The course form fills in the course's dates before the dose changes are checked against it.
    if request.method == "POST" and form.is_valid() & changes.is_valid():
        try:
            services.treatment_save(
                course=form.instance,
                user=request.user,
                changes=changes.save(commit=False),  # nothing is written until the service runs
                removed=changes.deleted_objects,
                expected_version=form.started_from_version,
            )
        except services.EditConflict as clash:
            conflict = conflicts.conflict(
                saved=clash.saved,
                theirs=history.treatment_snapshot(clash.saved) if clash.saved else {},
                mine=history.treatment_snapshot(form.instance, steps=changes.kept_changes()),
                keep_url=request.path
                if clash.saved
                else reverse("treatment_list", args=[child.pk]),
            )
            data = conflicts.retry_data(request, clash.saved)
            instance = conflicts.retry_instance(clash.saved, form.instance)
            form = TreatmentForm(data, instance=instance)
            changes = DoseChangeFormSet(data, instance=instance, prefix="changes")
        else:
            messages.success(request, _("Saved: %(drug)s.") % {"drug": form.instance.drug_name})
            return redirect("treatment_list", child_id=child.pk)
    context = {
        "membership": membership,
        "child": child,
        "form": form,
        "changes": changes,
        "course": course,
        "title": title,
        "conflict": conflict,
        "taper": taper_form(None, course, child, changes),
    }
    return render(request, "journal/treatment_form.html", context, status=409 if conflict else 200)


def taper_form(data, course: TreatmentCourse, child, changes) -> TaperForm:
    """The taper helper, with room for as many steps as the course still takes."""
    return TaperForm(
        data,
        room=room_for_steps(changes),
        today=child.today(),
        initial={"start": course.dose, "first": child.today()},
    )


def room_for_steps(changes) -> int:
    filled = typed_rows(changes, empty=False)
    return max(0, changes.max_num - changes.initial_form_count() - len(filled))


def steps_draft(request: HttpRequest, membership, course: TreatmentCourse, title: str):
    """The form as it was typed, with one row more or with a taper's steps in its rows. Nothing
    is saved and nothing but the taper helper is judged: the caregiver is still filling it in."""
    child = membership.child
    action = request.POST[STEP_ACTION]
    data = request.POST.copy()
    if not data.get("taper-start", "").strip():
        data["taper-start"] = data.get("dose", "")  # a taper starts from the course's dose
    typed = DoseChangeFormSet(data, instance=course, prefix="changes")
    taper = taper_form(data, course, child, typed)
    # One row more goes after the rows as they are; a taper's steps fill the empty ones.
    rows, new = typed_rows(typed, empty=True), []
    if action == ADD_STEP:
        new = [dict.fromkeys(STEP_FIELDS, "")]
        taper._errors = ErrorDict()  # shown as typed, not judged
    elif taper.is_valid():
        rows = typed_rows(typed, empty=False)
        new = [
            {"date": f"{day:%Y-%m-%d}", "dose": plain_number(dose)} for day, dose in taper.steps()
        ]
    first = typed.initial_form_count()
    new = new[: max(0, typed.max_num - first - len(rows))]  # the formset's limit, kept
    set_rows(data, first, rows + new)
    form = TreatmentForm(data, instance=course)
    changes = DoseChangeFormSet(data, instance=course, prefix="changes")
    for shown in (form, *changes.forms):
        shown._errors = ErrorDict()  # shown as typed, not judged
    changes._errors, changes._non_form_errors = [], changes.error_class()
    if new:
        changes.forms[len(changes.forms) - len(new)].fields["date"].widget.attrs["autofocus"] = True
    context = {
        "membership": membership,
        "child": child,
        "form": form,
        "changes": changes,
        "course": course,
        "title": title,
        "conflict": None,
        "taper": taper,
        "steps_made": len(new) if action == MAKE_TAPER else 0,
        "full": action == ADD_STEP and not new,
    }
    template = "journal/treatment_form.html"
    return render(request, f"{template}#steps" if request.htmx else template, context)


def typed_rows(changes, *, empty: bool) -> list[dict[str, str]]:
    """The new rows as typed; the empty ones only if `empty`."""
    rows = [
        {name: str(form[name].value() or "") for name in STEP_FIELDS}
        for form in changes.extra_forms
    ]
    return [row for row in rows if empty or any(value.strip() for value in row.values())]


NEW_ROW_KEY = re.compile(r"changes-(\d+)-")


def set_rows(data, first: int, rows: list[dict[str, str]]) -> None:
    """Put `rows` in the posted `data` as the new rows, after the `first` saved ones."""
    for key in list(data):
        index = NEW_ROW_KEY.match(key)
        if index and int(index.group(1)) >= first:
            del data[key]
    for n, row in enumerate(rows, start=first):
        for name, value in row.items():
            data[f"changes-{n}-{name}"] = value
    data["changes-TOTAL_FORMS"] = str(first + len(rows))


@login_required
@require_http_methods(["GET", "POST"])
def treatment_add(request: HttpRequest, child_id: int) -> HttpResponse:
    membership = writer_membership_for(request, child_id)
    return treatment_form_page(request, membership, TreatmentCourse(child=membership.child))


@login_required
@require_http_methods(["GET", "POST"])
def treatment_edit(request: HttpRequest, child_id: int, pk: int) -> HttpResponse:
    membership = writer_membership_for(request, child_id)
    course = get_object_or_404(TreatmentCourse.objects.for_child(membership.child), pk=pk)
    return treatment_form_page(request, membership, course)


@login_required
@require_http_methods(["GET", "POST"])
def treatment_delete(request: HttpRequest, child_id: int, pk: int) -> HttpResponse:
    membership = writer_membership_for(request, child_id)
    course = get_object_or_404(TreatmentCourse.objects.for_child(membership.child), pk=pk)
    if request.method == "POST":
        services.treatment_delete(course=course, user=request.user)
        messages.success(request, _("Deleted: %(drug)s.") % {"drug": course.drug_name})
        return redirect("treatment_list", child_id=child_id)
    return render(
        request,
        "journal/confirm_delete.html",
        {
            "membership": membership,
            "child": membership.child,
            "object": course,
            "cancel_url": reverse("treatment_edit", kwargs={"child_id": child_id, "pk": pk}),
        },
    )
