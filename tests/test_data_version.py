"""Child.data_version: every write to a child's journal raises it, reading never does.

Charts and analysis may be cached under (child id, data_version), so a write that left it alone
would serve a stale chart. Each service that changes what they read is listed in WRITES; the
admin's edits and the demo's bulk writes raise it too.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.urls import get_resolver, reverse

from journal import demo, services
from journal.models import (
    Child,
    DailyEntry,
    DoseChange,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
)
from tests.factories import (
    ChildFactory,
    DailyEntryFactory,
    TrackedItemFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
)
from tests.view_helpers import form_values

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def version_of(child: Child) -> int:
    return Child.objects.values_list("data_version", flat=True).get(pk=child.pk)


# --- each service --------------------------------------------------------------------------------


def child_update(child, user):
    child.time_zone = "Europe/Paris"
    services.child_update(child=child)


def entry_add(child, user):
    entry = DailyEntry(child=child, date=child.today(), opsoclonus=2)
    services.entry_save(entry=entry, user=user, expected_version=0)


def entry_edit(child, user):
    entry = DailyEntryFactory(child=child)
    entry.rage = 3
    services.entry_save(entry=entry, user=user, expected_version=entry.version)


def entry_delete(child, user):
    services.entry_delete(entry=DailyEntryFactory(child=child), user=user)


def item_add(child, user):
    item = TrackedItem(child=child, name="Hands", **{f"anchor_{n}": str(n) for n in range(4)})
    services.tracked_item_save(item=item)


def item_retire(child, user):
    item = TrackedItemFactory(child=child)
    item.active = False
    services.tracked_item_save(item=item)


def item_delete(child, user):
    services.tracked_item_delete(item=TrackedItemFactory(child=child))


def event_add(child, user):
    event = TriggerEvent(child=child, type="stress", start_date=child.today() - DAY)
    services.event_save(event=event, user=user)


def event_edit(child, user):
    event = TriggerEventFactory(child=child)
    event.temperature_c = Decimal("40.1")
    services.event_save(event=event, user=user, expected_version=event.version)


def event_delete(child, user):
    services.event_delete(event=TriggerEventFactory(child=child), user=user)


def treatment_add(child, user):
    course = TreatmentCourse(
        child=child, drug="ivig", dose=Decimal(2), unit="g/kg", start_date=child.today()
    )
    services.treatment_save(course=course, user=user)


def treatment_taper_step(child, user):
    course = TreatmentCourseFactory(child=child)
    step = DoseChange(date=course.start_date + 7 * DAY, dose=Decimal(1))
    services.treatment_save(
        course=course, user=user, changes=[step], expected_version=course.version
    )


def treatment_delete(child, user):
    services.treatment_delete(course=TreatmentCourseFactory(child=child), user=user)


def rule_save(child, user):
    services.relapse_settings_save(child=child, user=user, values={"score_rise": 4})


def rule_reset(child, user):
    services.relapse_settings_save(child=child, user=user, values={"score_rise": 4})
    services.relapse_settings_reset(child=child, user=user)


WRITES: list[Callable] = [
    child_update,
    entry_add,
    entry_edit,
    entry_delete,
    item_add,
    item_retire,
    item_delete,
    event_add,
    event_edit,
    event_delete,
    treatment_add,
    treatment_taper_step,
    treatment_delete,
    rule_save,
    rule_reset,
]


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__)
def test_every_write_raises_the_childs_data_version_and_no_one_elses(
    child, owner, stranger_child, write
):
    before, theirs = version_of(child), version_of(stranger_child)
    write(Child.objects.get(pk=child.pk), owner)
    assert version_of(child) > before
    assert version_of(stranger_child) == theirs


def test_each_write_raises_it_by_one(child, owner):
    before = version_of(child)
    event_add(child, owner)
    assert version_of(child) == before + 1


def test_a_refused_write_leaves_it_alone(child, owner):
    """The version is raised in the write's own transaction: a write undone undoes it too."""
    entry = DailyEntryFactory(child=child)
    before = version_of(child)
    entry.rage = 3
    with pytest.raises(services.EditConflict):
        services.entry_save(entry=entry, user=owner, expected_version=entry.version + 5)
    with pytest.raises(Exception, match="not numbers of the rule"):
        services.relapse_settings_save(child=child, user=owner, values={"colour": 2})
    assert version_of(child) == before


def test_saving_the_childs_details_never_writes_back_an_older_version(child, owner):
    """The details form holds the child as it was read; the version may have moved since."""
    opened = Child.objects.get(pk=child.pk)
    entry_add(child, owner)  # someone logs a day meanwhile
    moved = version_of(child)
    opened.name = "Mia Rose"
    services.child_update(child=opened)
    assert version_of(child) == moved + 1
    assert Child.objects.get(pk=child.pk).name == "Mia Rose"


# --- reading leaves it alone ---------------------------------------------------------------------


def child_pages() -> list[str]:
    """Every page of the app that takes a child and nothing else."""
    return sorted(
        pattern.name
        for pattern in get_resolver("journal.urls").url_patterns
        if pattern.name and list(pattern.pattern.converters) == ["child_id"]
    )


def test_reading_every_page_leaves_it_alone(owner_client, viewer_client, child, owner):
    DailyEntryFactory(child=child)
    TriggerEventFactory(child=child)
    TreatmentCourseFactory(child=child)
    rule_save(child, owner)
    before = version_of(child)
    names = child_pages()
    assert "relapse_settings" in names and "child_detail" in names
    for client in (owner_client, viewer_client):
        for name in names:
            client.get(reverse(name, kwargs={"child_id": child.pk}))
        client.get(reverse("entry_form", kwargs={"child_id": child.pk, "day": child.today()}))
        client.get(reverse("home"))
    assert version_of(child) == before


# --- other ways in: the admin, the demo ----------------------------------------------------------


def admin_form(admin_client, url: str, **changes) -> dict:
    data = {name: values[0] for name, values in form_values(admin_client.get(url)).items()}
    data.pop("_saveasnew", None)
    return {**data, **{name: str(value) for name, value in changes.items()}}


def test_a_staff_edit_of_the_child_raises_it(admin_client, child):
    TrackedItemFactory(child=child, name="Hands")
    url = reverse("admin:journal_child_change", args=[child.pk])
    before = version_of(child)

    response = admin_client.post(url, admin_form(admin_client, url, time_zone="Europe/Paris"))

    assert response.status_code == 302
    assert version_of(child) > before
    assert Child.objects.get(pk=child.pk).time_zone == "Europe/Paris"


def test_a_staff_edit_of_an_extra_item_raises_it(admin_client, child):
    item = TrackedItemFactory(child=child, name="Hands")
    url = reverse("admin:journal_child_change", args=[child.pk])
    data = admin_form(admin_client, url)
    prefix = next(name for name in data if name.endswith("-0-name")).removesuffix("name")
    before = version_of(child)

    admin_client.post(url, {**data, f"{prefix}name": "Hand use"})

    item.refresh_from_db()
    assert item.name == "Hand use"
    assert version_of(child) > before


def test_a_staff_deletion_of_an_extra_item_raises_it(admin_client, child):
    TrackedItemFactory(child=child, name="Hands")
    url = reverse("admin:journal_child_change", args=[child.pk])
    data = admin_form(admin_client, url)
    prefix = next(name for name in data if name.endswith("-0-name")).removesuffix("name")
    before = version_of(child)

    admin_client.post(url, {**data, f"{prefix}DELETE": "on"})

    assert not TrackedItem.objects.exists()
    assert version_of(child) > before


def test_the_demo_raises_it_after_its_bulk_writes(monkeypatch, db):
    """seed() writes events and entries in bulk, outside the services: it touches after."""
    entries_seen = []  # how many entries the child had at each touch
    real_touch = services.touch

    def touch(child_id: int) -> None:
        entries_seen.append(DailyEntry.objects.filter(child_id=child_id).count())
        real_touch(child_id)

    monkeypatch.setattr(services, "touch", touch)
    result = demo.seed()
    assert entries_seen[-1] == result.entries > 0
    assert version_of(result.child) == 1 + len(entries_seen)


def test_a_new_child_starts_at_one(owner):
    assert ChildFactory(owner=owner).data_version == 1
