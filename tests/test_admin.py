"""The Django admin: every page staff use, the account actions, and constant query counts."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from journal.models import Change, DailyEntry, Invitation, Role, TreatmentCourse, TriggerEvent
from tests.factories import (
    ChildFactory,
    DailyEntryFactory,
    DoseChangeFactory,
    InvitationFactory,
    MembershipFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
    UserFactory,
)
from tests.view_helpers import form_values

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def family(child, owner, caregiver, viewer, stranger_child):
    """Mia's care team and some of everything for her; Noah, in another family, has the same."""
    for kid, author in ((child, owner), (stranger_child, None)):
        DailyEntryFactory(child=kid, notes=f"{kid.name} had a wobbly day", created_by=author)
        TriggerEventFactory(child=kid)
        TriggerEventFactory(
            child=kid, type=TriggerEvent.Type.VACCINATION, vaccine="MMR", temperature_c=None
        )
        DoseChangeFactory(course=TreatmentCourseFactory(child=kid))
        InvitationFactory(child=kid, note=f"Grandma of {kid.name}", created_by=author)
    return child


def changelist(model_label: str) -> str:
    return reverse(f"admin:{model_label.replace('.', '_')}_changelist")


# --- changelists, with a search and a filter ---------------------------------------------------


CHANGELISTS = [
    # model, query string beyond the search, search term, text on the one row expected
    ("journal.child", {"tumour_found__exact": "unknown"}, "olivia", "Mia"),
    ("journal.child", {"time_zone": "Europe/London"}, "Mia", "Mia"),
    ("journal.membership", {"role__exact": "caregiver"}, "Mia", "carl"),
    ("journal.invitation", {"status": "pending"}, "Mia", "Grandma of Mia"),
    ("journal.dailyentry", {"date__gte": "2000-01-01"}, "Mia had", "Mia on "),
    ("journal.triggerevent", {"type__exact": "vaccination"}, "Mia", "MMR"),
    ("journal.treatmentcourse", {"regimen__exact": "taper"}, "Mia", "Prednisolone"),
    ("auth.user", {"is_active__exact": "1"}, "carl", "carl@example.org"),
]


def rows(content: str) -> int:
    return content.count('name="_selected_action"')


@pytest.mark.parametrize(("model", "filters", "search", "expected"), CHANGELISTS)
def test_changelist_searches_and_filters(admin_client, family, model, filters, search, expected):
    response = admin_client.get(changelist(model), {"q": search, **filters})
    assert response.status_code == 200
    content = response.content.decode()
    assert "OMS Journal administration" in content
    assert expected in content
    assert rows(content) == 1  # Noah's family, and rows the filter excludes, are left out


def test_entry_changelist_shows_the_score_and_who_wrote(admin_client, family, owner):
    response = admin_client.get(changelist("journal.dailyentry"), {"child__id__exact": family.pk})
    content = response.content.decode()
    assert '<td class="field-score">5</td>' in content  # 1 + 1 + 2 + 0 + 1
    assert f'<td class="field-created_by nowrap">{owner.username}</td>' in content
    assert rows(content) == 1  # Noah's entry is filtered out


def test_user_changelist_counts_each_users_children(admin_client, family, owner):
    second = ChildFactory(name="Leo", owner=owner)
    assert second
    response = admin_client.get(changelist("auth.user"), {"q": owner.username})
    assert '<td class="field-child_count">2</td>' in response.content.decode()


# --- change pages ------------------------------------------------------------------------------


def test_child_change_page_shows_the_care_team_and_invitations_without_tokens(admin_client, family):
    response = admin_client.get(reverse("admin:journal_child_change", args=[family.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="Mia"' in content
    for username in ("olivia", "carl", "vera"):
        assert username in content
    assert "Grandma of Mia" in content
    assert "pending" in content
    invitation = Invitation.objects.get(child=family)
    assert invitation.token_hash not in content
    assert "token_hash" not in content


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (DailyEntry, "Mia had a wobbly day"),
        (TriggerEvent, "MMR"),
        (TreatmentCourse, "1.500"),  # the dose change inline
        (Invitation, "Grandma of Mia"),
    ],
)
def test_change_pages(admin_client, family, model, expected):
    obj = model.objects.filter(child=family).first()
    url = reverse(f"admin:journal_{model._meta.model_name}_change", args=[obj.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_membership_and_user_change_pages(admin_client, family, caregiver):
    membership = caregiver.memberships.get()
    response = admin_client.get(reverse("admin:journal_membership_change", args=[membership.pk]))
    assert response.status_code == 200
    assert "carl" in response.content.decode()
    response = admin_client.get(reverse("admin:auth_user_change", args=[caregiver.pk]))
    assert response.status_code == 200
    assert "Mia" in response.content.decode()  # the care-team inline


def test_invitations_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:journal_invitation_add")).status_code == 403


def test_site_header():
    assert admin.site.site_header == "OMS Journal administration"


# --- actions -----------------------------------------------------------------------------------


def run_action(client, model: str, action: str, objects) -> None:
    response = client.post(
        changelist(model),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )
    assert response.status_code == 200


def test_deactivate_and_reactivate_accounts(admin_client, admin_user, owner, caregiver):
    run_action(admin_client, "auth.user", "deactivate", [owner, caregiver, admin_user])
    owner.refresh_from_db()
    caregiver.refresh_from_db()
    admin_user.refresh_from_db()
    assert not owner.is_active and not caregiver.is_active
    assert admin_user.is_active  # staff can't lock themselves out

    run_action(admin_client, "auth.user", "reactivate", [owner])
    owner.refresh_from_db()
    caregiver.refresh_from_db()
    assert owner.is_active
    assert not caregiver.is_active


def test_deactivated_caregiver_is_logged_out(admin_client, client_for, caregiver):
    their_client = client_for(caregiver)
    login_page = reverse("admin:login")
    assert their_client.get(login_page).wsgi_request.user == caregiver
    run_action(admin_client, "auth.user", "deactivate", [caregiver])
    assert not their_client.get(login_page).wsgi_request.user.is_authenticated


def test_revoke_invitations(admin_client, family):
    pending = Invitation.objects.get(child=family)
    accepted = InvitationFactory(child=family, note="Uncle")
    accepted.accepted_at = accepted.created_at
    accepted.save()
    run_action(admin_client, "journal.invitation", "revoke", [pending, accepted])
    pending.refresh_from_db()
    accepted.refresh_from_db()
    assert pending.status == "revoked"
    assert accepted.status == "accepted"


# --- query counts don't grow with the rows -----------------------------------------------------


def make_children(n: int) -> None:
    for _ in range(n):
        child = ChildFactory(owner=UserFactory())
        MembershipFactory(child=child, role=Role.VIEWER)
        DailyEntryFactory(child=child)


def make_memberships(n: int) -> None:
    for _ in range(n):
        MembershipFactory()


def make_invitations(n: int) -> None:
    for _ in range(n):
        InvitationFactory(created_by=UserFactory())


def make_entries(n: int) -> None:
    child = ChildFactory()
    for day in range(n):
        DailyEntryFactory(
            child=child if day % 2 else ChildFactory(),
            date=child.today() - datetime.timedelta(days=day + 1),
            created_by=UserFactory(),
            updated_by=UserFactory(),
        )


def make_events(n: int) -> None:
    for _ in range(n):
        TriggerEventFactory(created_by=UserFactory())


def make_courses(n: int) -> None:
    for _ in range(n):
        DoseChangeFactory(course=TreatmentCourseFactory(dose=Decimal("2")))


def make_users(n: int) -> None:
    for _ in range(n):
        MembershipFactory(child=ChildFactory(owner=UserFactory()))


MAKERS: list[tuple[str, Callable[[int], None]]] = [
    ("journal.child", make_children),
    ("journal.membership", make_memberships),
    ("journal.invitation", make_invitations),
    ("journal.dailyentry", make_entries),
    ("journal.triggerevent", make_events),
    ("journal.treatmentcourse", make_courses),
    ("auth.user", make_users),
]


@pytest.mark.parametrize(("model", "make"), MAKERS)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model, make):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(changelist(model))
        assert response.status_code == 200
        return len(captured)

    make(2)
    few = queries()
    make(18)
    many = queries()
    assert many == few


# --- staff edits go through the caregivers' services ---------------------------------------------


def admin_form(admin_client, url: str, **changes) -> dict:
    """The admin change form as the browser would post it, with some fields changed."""
    data = {name: values[0] for name, values in form_values(admin_client.get(url)).items()}
    data.pop("_saveasnew", None)
    return {**data, **{name: str(value) for name, value in changes.items()}}


def test_a_staff_edit_of_an_entry_raises_its_version_and_is_in_the_history(
    admin_client, admin_user, child
):
    entry = DailyEntryFactory(child=child, rage=1)
    url = reverse("admin:journal_dailyentry_change", args=[entry.pk])

    response = admin_client.post(url, admin_form(admin_client, url, rage=3))

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.rage, entry.version, entry.updated_by) == (3, 2, admin_user)
    change = Change.objects.get()
    assert (change.action, change.user, change.fields_changed) == (
        "changed",
        admin_user,
        [("Rage", "1", "3")],
    )


def test_a_staff_edit_of_a_course_records_its_dose_changes_as_one_change(
    admin_client, admin_user, child
):
    course = TreatmentCourseFactory(child=child)
    url = reverse("admin:journal_treatmentcourse_change", args=[course.pk])
    step_day = course.start_date + datetime.timedelta(days=7)
    data = admin_form(
        admin_client,
        url,
        **{
            "changes-TOTAL_FORMS": "1",  # the "add another" row the admin's script would add
            "changes-0-date": step_day.isoformat(),
            "changes-0-dose": "1",
        },
    )

    assert admin_client.post(url, data).status_code == 302

    assert course.changes.get().dose == 1
    change = Change.objects.get()
    assert change.fields_changed == [("Dose changes", "", f"{step_day.isoformat()}: 1")]


def test_a_staff_deletion_of_an_event_is_in_the_history(admin_client, admin_user, child):
    event = TriggerEventFactory(child=child)
    url = reverse("admin:journal_triggerevent_delete", args=[event.pk])

    assert admin_client.post(url, {"post": "yes"}).status_code == 302

    assert not TriggerEvent.objects.exists()
    change = Change.objects.get()
    assert (change.action, change.user, change.before["Type"]) == ("deleted", admin_user, "Fever")
