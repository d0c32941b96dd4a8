from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from journal import services
from journal.access import membership_for, writer_membership_for
from journal.forms import DoseChangeFormSet, TreatmentForm
from journal.models import TreatmentCourse


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
    initial = {} if course.pk else {"start_date": child.today()}
    form = TreatmentForm(request.POST or None, instance=course, initial=initial)
    changes = DoseChangeFormSet(request.POST or None, instance=course, prefix="changes")
    # The course form fills in the course's dates before the dose changes are checked against it.
    if request.method == "POST" and form.is_valid() & changes.is_valid():
        services.treatment_save(
            course=form.instance,
            user=request.user,
            changes=changes.save(commit=False),  # nothing is written until the service runs
            removed=changes.deleted_objects,
        )
        messages.success(request, f"Saved: {form.instance.drug_name}.")
        return redirect("treatment_list", child_id=child.pk)
    return render(
        request,
        "journal/treatment_form.html",
        {
            "membership": membership,
            "child": child,
            "form": form,
            "changes": changes,
            "course": course,
        },
    )


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
