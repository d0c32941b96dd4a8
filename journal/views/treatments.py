from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from journal import history, services
from journal.access import membership_for, writer_membership_for
from journal.forms import DoseChangeFormSet, TreatmentForm
from journal.models import TreatmentCourse
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


def treatment_form_page(request: HttpRequest, membership, course: TreatmentCourse) -> HttpResponse:
    """Add or change a course and its dose changes, saved together or not at all."""
    child = membership.child
    title = f"Edit {course.drug_name}" if course.pk else "Add a treatment"  # before binding
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
                mine=history.treatment_snapshot(form.instance, steps=kept_steps(changes)),
                keep_url=request.path
                if clash.saved
                else reverse("treatment_list", args=[child.pk]),
            )
            data = conflicts.retry_data(request, clash.saved)
            instance = conflicts.retry_instance(clash.saved, form.instance)
            form = TreatmentForm(data, instance=instance)
            changes = DoseChangeFormSet(data, instance=instance, prefix="changes")
        else:
            messages.success(request, f"Saved: {form.instance.drug_name}.")
            return redirect("treatment_list", child_id=child.pk)
    context = {
        "membership": membership,
        "child": child,
        "form": form,
        "changes": changes,
        "course": course,
        "title": title,
        "conflict": conflict,
    }
    return render(request, "journal/treatment_form.html", context, status=409 if conflict else 200)


def kept_steps(changes) -> list:
    """The dose changes the caregiver's form would leave: the saved ones not ticked for
    removal, and the new rows filled in."""
    kept = [*changes.initial_forms, *(form for form in changes.extra_forms if form.has_changed())]
    return [form.instance for form in kept if form not in changes.deleted_forms]


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
        messages.success(request, f"Deleted: {course.drug_name}.")
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
