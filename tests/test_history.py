"""Every change to an entry, event or treatment is recorded: who, when, before and after."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from journal import history, services
from journal.forms import day_form
from journal.models import Change, DailyEntry, DoseChange, TreatmentCourse, TriggerEvent
from tests.factories import DailyEntryFactory, TrackedItemFactory, TriggerEventFactory
from tests.view_helpers import child_url, html_of, text_of

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_a_new_entry_is_recorded_as_added_with_its_values(child, caregiver):
    entry = DailyEntry(child=child, date=child.today(), opsoclonus=2, notes="Wobbly")
    services.entry_save(entry=entry, user=caregiver, expected_version=0)
    change = Change.objects.get()
    assert (change.kind, change.action, change.user, change.object_id) == (
        "entry",
        "created",
        caregiver,
        entry.pk,
    )
    assert change.before is None
    assert change.after["Eyes"] == "2"
    assert change.after["Jerks"] == "not observed"
    assert change.after["Notes"] == "Wobbly"


def test_a_changed_entry_keeps_before_and_after_and_the_extra_items(child, owner, caregiver):
    drooling = TrackedItemFactory(child=child, name="Drooling")
    entry = DailyEntryFactory(child=child, date=child.today(), rage=1)
    entry.rage = 3
    services.entry_save(entry=entry, user=caregiver, item_values={drooling: 2}, expected_version=1)
    change = Change.objects.get()
    assert change.action == "changed"
    changed = {label: (before, after) for label, before, after in change.fields_changed}
    assert changed == {"Rage": ("1", "3"), "Drooling": (None, "2")}


def test_a_day_saved_through_its_form_records_the_day_as_the_form_read_it(child, owner, caregiver):
    """The page's save takes its "before" from the day its form read (not read again in the
    transaction): each extra item's rating changed, cleared or kept, and the day's own values."""
    drooling = TrackedItemFactory(child=child, name="Drooling")
    speech = TrackedItemFactory(child=child, name="Speech")
    walking = TrackedItemFactory(child=child, name="Walking")
    entry = DailyEntryFactory(child=child, date=child.today(), rage=1, notes="Before")
    for item, value in ((drooling, 1), (speech, 2), (walking, 3)):
        entry.item_ratings.create(item=item, value=value)
    _entry, _items, shown = day_form(child, entry.date)
    data = {name: shown[name].value() for name in shown.fields}
    data = {name: "" if value is None else str(value) for name, value in data.items()}
    data.update(rage="2", notes="After")
    data.update({f"item_{drooling.pk}": "3", f"item_{speech.pk}": "", f"item_{walking.pk}": "3"})
    _entry, _items, form = day_form(child, entry.date, data)
    assert form.is_valid(), form.errors
    saved = services.entry_save(
        entry=form.instance,
        user=caregiver,
        item_values=form.item_values,
        expected_version=form.started_from_version,
        stored=form.stored,
    )
    changed = {
        label: (before, after) for label, before, after in Change.objects.get().fields_changed
    }
    assert changed == {
        "Rage": ("1", "2"),
        "Notes": ("Before", "After"),
        "Drooling": ("1", "3"),
        "Speech": ("2", None),
    }
    stored = DailyEntry.objects.get(pk=saved.pk)
    assert (stored.version, stored.rage, stored.notes) == (2, 2, "After")
    ratings = dict(stored.item_ratings.values_list("item__name", "value"))
    assert ratings == {"Drooling": 3, "Walking": 3}


def test_a_save_that_changes_nothing_records_nothing(child, owner):
    entry = DailyEntryFactory(child=child, date=child.today(), rage=1)
    services.entry_save(entry=entry, user=owner, expected_version=1)
    assert not Change.objects.exists()


def test_events_are_recorded_when_added_changed_and_deleted(child, owner, caregiver):
    event = TriggerEvent(
        child=child, type="fever", start_date=child.today(), temperature_c=Decimal("38.5")
    )
    services.event_save(event=event, user=owner)
    event.temperature_c = Decimal("39.4")
    services.event_save(event=event, user=caregiver)
    services.event_delete(event=event, user=owner)

    added, changed, deleted = Change.objects.order_by("pk")
    assert added.after["Type"] == "Fever"
    assert changed.fields_changed == [("Highest temperature (°C)", "38.5", "39.4")]
    assert (deleted.action, deleted.after, deleted.before["Type"]) == ("deleted", None, "Fever")
    assert not TriggerEvent.objects.exists()  # the record outlives the event


def test_a_treatment_is_recorded_with_its_dose_changes(child, owner):
    course = TreatmentCourse(
        child=child,
        drug="prednisolone",
        regimen="taper",
        dose=Decimal("2"),
        unit="mg/kg",
        start_date=child.today() - 20 * DAY,
    )
    services.treatment_save(course=course, user=owner)
    step = DoseChange(date=child.today() - 6 * DAY, dose=Decimal("1.5"))
    services.treatment_save(course=course, user=owner, changes=[step])
    services.treatment_delete(course=course, user=owner)

    added, changed, deleted = Change.objects.order_by("pk")
    assert added.label.startswith("Prednisolone from")
    assert changed.fields_changed == [
        ("Dose changes", "", f"{(child.today() - 6 * DAY).isoformat()}: 1.5")
    ]
    assert deleted.action == "deleted"


def test_the_owner_reads_the_history_page(owner_client, child, owner, caregiver):
    entry = DailyEntryFactory(child=child, date=child.today(), sleep=0)
    entry.sleep = 2
    services.entry_save(entry=entry, user=caregiver, expected_version=1)
    TriggerEventFactory(child=child)  # made outside the services: not in the history

    response = owner_client.get(child_url("change_list", child))

    assert response.status_code == 200
    text = text_of(response)
    assert f"Changed the entry of {child.today():%-d %b %Y}" in text
    assert "by Carl" in text
    assert '<th scope="row">Sleep</th><td>0</td><td>2</td>' in html_of(response)


def test_the_history_page_shows_what_was_added_and_what_was_deleted(owner_client, child, owner):
    event = TriggerEvent(child=child, type="stress", start_date=child.today(), notes="Moved house")
    services.event_save(event=event, user=owner)
    services.event_delete(event=event, user=owner)

    response = owner_client.get(child_url("change_list", child))

    assert response.status_code == 200
    text = text_of(response)
    assert f"Added major stress of {child.today():%-d %b %Y}" in text
    assert f"Deleted major stress of {child.today():%-d %b %Y}" in text
    assert text.count("Moved house") == 2


def test_only_owners_read_the_history(caregiver_client, viewer_client, child):
    for client in (caregiver_client, viewer_client):
        response = client.get(child_url("change_list", child))
        assert response.status_code == 403
        assert "Only an owner" in text_of(response)


def test_the_history_pages_fifty_changes_at_a_time(owner_client, child, owner):
    entry = DailyEntryFactory(child=child, date=child.today(), notes="0")
    for n in range(1, 56):
        entry.notes = str(n)
        services.entry_save(entry=entry, user=owner)
    first = owner_client.get(child_url("change_list", child))
    second = owner_client.get(child_url("change_list", child) + "?page=2")
    assert text_of(first).count("Changed the entry") == 50
    assert text_of(second).count("Changed the entry") == 5
    assert "Older" in text_of(first)
    assert owner_client.get(child_url("change_list", child) + "?page=oops").status_code == 200


def test_the_history_page_writes_dates_as_every_page_does(owner_client, child, owner):
    course = TreatmentCourse(
        child=child, drug="prednisolone", dose=Decimal(10), start_date=child.today()
    )
    step = DoseChange(date=child.today(), dose=Decimal(5))
    services.treatment_save(course=course, user=owner, changes=[step])
    day = child.today()

    html = html_of(owner_client.get(child_url("change_list", child)))

    assert f"<dd>{day:%-d %b %Y}</dd>" in html  # the start date
    assert f"<dd>{day:%-d %b %Y}: 5</dd>" in html  # the dose changes
    assert day.isoformat() not in html


def test_a_note_that_holds_a_date_is_shown_as_typed():
    from journal.history import readable

    assert readable("2025-05-29") == "29 May 2025"
    assert readable("2025-05-29 14:30") == "29 May 2025, 14:30"
    assert readable("2025-05-29: 10; 2025-06-05: 7.5") == "29 May 2025: 10; 5 Jun 2025: 7.5"
    assert readable("Seen on 2025-05-29") == "Seen on 2025-05-29"
    assert readable("2025-02-30") == "2025-02-30"
    assert readable("") == ""


# --- Shown in the page's language -------------------------------------------------------------


def test_history_names_and_our_values_are_shown_in_the_page_language():
    with translation.override("fr"):
        assert history.shown_name("Eyes") == "Yeux"
        assert history.shown_value("Type", "Fever") == "Fièvre"
        assert history.readable("2026-04-03") == "3 Avr 2026"
    assert history.shown_name("Eyes") == "Eyes"
    assert history.shown_value("Type", "Fever") == "Fever"
    assert history.readable("2026-04-03") == "3 Apr 2026"


def test_history_never_translates_the_family_words():
    with translation.override("fr"):
        assert history.shown_name("Speech") == "Speech"  # an item the family made
        assert history.shown_value("Notes", "Fever") == "Fever"
        assert history.shown_value("Notes", "yes") == "yes"
        assert history.shown_value("Speech", "2") == "2"


def test_an_event_detail_is_shown_localized_but_written_to_files_in_english():
    fever = TriggerEvent(type=TriggerEvent.Type.FEVER, temperature_c=Decimal("38.50"))
    ill = TriggerEvent(type=TriggerEvent.Type.ILLNESS, illness_kind="respiratory")
    with translation.override("fr"):
        assert fever.detail == "38,5 °C"
        assert fever.file_detail == "38.5 °C"
        assert ill.file_detail == "Respiratory"
        assert ill.detail != "Respiratory"
    assert fever.detail == "38.5 °C"


def test_what_a_change_was_made_to_is_shown_in_the_page_language():
    kind = Change.Kind
    assert history.shown_label(kind.EVENT, "fever of 5 Apr 2026") == "fever of 5 Apr 2026"
    with translation.override("fr"):
        assert history.shown_label(kind.EVENT, "fever of 5 Apr 2026").startswith("fièvre")
        assert "5 Avr 2026" in history.shown_label(kind.ENTRY, "the entry of 5 Apr 2026")
        treatment = history.shown_label(kind.TREATMENT, "Pred X from 5 Apr 2026")
        assert treatment.startswith("Pred X") and "Avr" in treatment  # a drug the family named
        assert history.shown_label(kind.SHARE_LINK, "a share link for Dr Who").endswith("Dr Who")
        assert history.shown_label(kind.ENTRY, "something else") == "something else"
