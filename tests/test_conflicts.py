"""No lost update: two caregivers saving the same day at once never overwrite each other unseen.

The entry form carries the version it was opened on. A save from an older version is refused
with both versions shown (409), and nothing of it is written; saving again from there is the
caregiver's choice.
"""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client

from journal import services
from journal.forms import day_form
from journal.models import Change, Child, DailyEntry, Role, TriggerEvent
from tests.factories import (
    DailyEntryFactory,
    DoseChangeFactory,
    MembershipFactory,
    TriggerEventFactory,
    UserFactory,
)
from tests.view_helpers import form_values, html_of, snapshot, text_of, value_of

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def entry_url(child, day) -> str:
    return f"/children/{child.pk}/entries/{day.isoformat()}/"


def form_data(page, **changes) -> dict:
    """What the browser would post from `page`, with some fields changed."""
    data = {"date": value_of(page, "date"), "version": value_of(page, "version")}
    for name in ("opsoclonus", "myoclonus", "ataxia", "sleep", "rage", "notes"):
        data[name] = value_of(page, name)
    data.update({name: str(value) for name, value in changes.items()})
    return data


@pytest.fixture
def day(child):
    return child.today()


@pytest.fixture
def both_open(owner_client, caregiver_client, child, day):
    """The owner and the caregiver each open the same saved day."""
    DailyEntryFactory(child=child, date=day, opsoclonus=1, notes="Morning note")
    return owner_client.get(entry_url(child, day)), caregiver_client.get(entry_url(child, day))


def test_the_form_carries_the_version_it_was_opened_on(owner_client, child, day):
    assert value_of(owner_client.get(entry_url(child, day)), "version") == "0"
    DailyEntryFactory(child=child, date=day)
    services.touch(child.pk)  # as every write of the app does
    assert value_of(owner_client.get(entry_url(child, day)), "version") == "1"


def test_the_second_save_from_the_same_version_shows_both_and_writes_nothing(
    owner_client, caregiver_client, child, day, both_open
):
    owner_page, carer_page = both_open
    first = owner_client.post(entry_url(child, day), form_data(owner_page, opsoclonus=2))
    assert first.status_code == 302
    before = snapshot()

    second = caregiver_client.post(
        entry_url(child, day), form_data(carer_page, opsoclonus=3, notes="Evening note")
    )

    assert second.status_code == 409
    assert snapshot() == before  # nothing of the second save was written
    text = text_of(second)
    assert "Changed by Olivia while you were editing" in text
    html = html_of(second)
    assert '<th scope="row">Eyes</th><td>2</td><td>3</td>' in html
    assert "<td>Morning note</td><td>Evening note</td>" in html
    # The caregiver's version is kept in the form, now based on the saved version.
    assert value_of(second, "notes") == "Evening note"
    assert value_of(second, "opsoclonus") == "3"
    assert value_of(second, "version") == "2"


def test_choosing_mine_after_a_conflict_saves_it(
    owner_client, caregiver_client, caregiver, child, day, both_open
):
    owner_page, carer_page = both_open
    owner_client.post(entry_url(child, day), form_data(owner_page, opsoclonus=2))
    conflict = caregiver_client.post(entry_url(child, day), form_data(carer_page, opsoclonus=3))

    again = caregiver_client.post(entry_url(child, day), form_data(conflict))

    assert again.status_code == 302
    entry = DailyEntry.objects.get(child=child, date=day)
    assert (entry.opsoclonus, entry.updated_by, entry.version) == (3, caregiver, 3)


def test_choosing_theirs_is_a_link_back_to_the_saved_day(
    owner_client, caregiver_client, child, day, both_open
):
    owner_page, carer_page = both_open
    owner_client.post(entry_url(child, day), form_data(owner_page, opsoclonus=2))
    conflict = caregiver_client.post(entry_url(child, day), form_data(carer_page, opsoclonus=3))
    assert f'<a class="button" href="{entry_url(child, day)}">Keep theirs</a>' in html_of(conflict)
    assert DailyEntry.objects.get(child=child, date=day).opsoclonus == 2


def test_a_conflict_through_htmx_returns_the_form_fragment_with_409(
    owner_client, caregiver_client, child, day, both_open
):
    owner_page, carer_page = both_open
    owner_client.post(entry_url(child, day), form_data(owner_page, sleep=1), headers=HTMX)
    response = caregiver_client.post(
        entry_url(child, day), form_data(carer_page, sleep=3), headers=HTMX
    )
    assert response.status_code == 409
    assert "<html" not in html_of(response)
    assert "while you were editing" in text_of(response)
    assert "HX-Trigger" not in response.headers


def test_a_new_day_saved_by_someone_else_first_is_a_conflict_not_an_overwrite(
    owner_client, caregiver_client, child, day
):
    owner_page = owner_client.get(entry_url(child, day))  # no entry yet: version 0
    carer_page = caregiver_client.get(entry_url(child, day))
    assert (
        owner_client.post(entry_url(child, day), form_data(owner_page, rage=1)).status_code == 302
    )

    response = caregiver_client.post(entry_url(child, day), form_data(carer_page, rage=3))

    assert response.status_code == 409
    assert DailyEntry.objects.get(child=child, date=day).rage == 1


def test_a_post_without_a_version_is_refused_rather_than_forced(owner_client, child, day):
    DailyEntryFactory(child=child, date=day, rage=2)
    response = owner_client.post(entry_url(child, day), {"date": day.isoformat(), "rage": "0"})
    assert response.status_code == 409
    assert DailyEntry.objects.get(child=child, date=day).rage == 2


def test_a_day_saved_by_another_after_the_form_read_it_is_a_conflict(child, day, owner, caregiver):
    """The save writes the day only if it is still at the version its form read: another
    caregiver's save in between (after the read, before the write) is found, shown, and
    nothing of this one is written, neither its day, its change record nor its data version."""
    DailyEntryFactory(child=child, date=day, opsoclonus=1, notes="Morning note")
    data = {"date": day.isoformat(), "version": "1", "opsoclonus": "2", "notes": "Mine"}
    _entry, _items, mine = day_form(child, day, data)
    assert mine.is_valid(), mine.errors
    _entry, _items, theirs = day_form(child, day, {**data, "notes": "Theirs"})
    assert theirs.is_valid(), theirs.errors
    services.entry_save(
        entry=theirs.instance, user=caregiver, expected_version=1, stored=theirs.stored
    )
    data_version = Child.objects.get(pk=child.pk).data_version

    with pytest.raises(services.EditConflict) as clash:
        services.entry_save(
            entry=mine.instance,
            user=owner,
            expected_version=mine.started_from_version,
            stored=mine.stored,
        )

    assert (clash.value.saved.notes, clash.value.saved.version) == ("Theirs", 2)
    stored = DailyEntry.objects.get(child=child, date=day)
    assert (stored.notes, stored.version, stored.updated_by) == ("Theirs", 2, caregiver)
    assert [change.user for change in Change.objects.filter(child=child)] == [caregiver]
    assert Child.objects.get(pk=child.pk).data_version == data_version


def test_a_new_day_saved_by_another_after_the_form_read_it_is_a_conflict(
    child, day, owner, caregiver
):
    """The form read no entry for the day; another caregiver saved one before this save's
    write: the database's one-entry-a-day refuses it, and the save answers with theirs."""
    data = {"date": day.isoformat(), "version": "0", "opsoclonus": "2", "notes": "Mine"}
    _entry, _items, mine = day_form(child, day, data)
    _entry, _items, theirs = day_form(child, day, {**data, "notes": "Theirs"})
    assert mine.is_valid() and theirs.is_valid()
    services.entry_save(
        entry=theirs.instance, user=caregiver, expected_version=0, stored=theirs.stored
    )

    with pytest.raises(services.EditConflict) as clash:
        services.entry_save(entry=mine.instance, user=owner, expected_version=0, stored=mine.stored)

    assert (clash.value.saved.notes, clash.value.saved.updated_by) == ("Theirs", caregiver)
    assert list(DailyEntry.objects.filter(child=child).values_list("notes", flat=True)) == [
        "Theirs"
    ]
    assert [change.user for change in Change.objects.filter(child=child)] == [caregiver]


@pytest.mark.parametrize("read_by", ["the admin", "a caller", "the form"])
def test_a_day_deleted_meanwhile_is_not_written_again(child, day, owner, read_by):
    """A save of a day someone deleted since it was read is a conflict with nothing stored,
    never the day again: the admin's (no version to check), a caller's that gives only the
    version, and the page's, whose form read the day before the deletion."""
    entry = DailyEntryFactory(child=child, date=day, notes="Read before the deletion")
    data = {"date": day.isoformat(), "version": "1", "notes": "Saved after it"}
    _entry, _items, form = day_form(child, day, data)
    assert form.is_valid(), form.errors
    services.entry_delete(entry=DailyEntry.objects.get(pk=entry.pk), user=owner)
    entry.notes = "Saved after it"
    saves = {
        "the admin": dict(entry=entry, expected_version=None),
        "a caller": dict(entry=entry, expected_version=1),
        "the form": dict(entry=form.instance, expected_version=1, stored=form.stored),
    }

    with pytest.raises(services.EditConflict) as clash:
        services.entry_save(user=owner, **saves[read_by])

    assert clash.value.saved is None
    assert not DailyEntry.objects.filter(child=child).exists()


def test_saving_from_the_current_version_raises_it(owner_client, child, day):
    page = owner_client.get(entry_url(child, day))
    owner_client.post(entry_url(child, day), form_data(page, rage=1))
    page = owner_client.get(entry_url(child, day))
    owner_client.post(entry_url(child, day), form_data(page, rage=2))
    entry = DailyEntry.objects.get(child=child, date=day)
    assert (entry.rage, entry.version) == (2, 2)


# --- many saves at once ------------------------------------------------------------------------

SESSIONS = 8
ROUNDS = 3


def save_concurrently(jobs) -> list:
    """Run every job at the same instant, each in its own thread; their results in order."""
    results = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(index, job):
        start.wait()
        try:
            results[index] = job()
        finally:
            connection.close()  # each thread has its own connection: give it back

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_many_sessions_saving_the_same_day_at_once_lose_nothing(child):
    """Each round, every session saves the same day from the same version at the same moment:
    exactly one is recorded, every other is refused with the conflict message, none is lost."""
    day = child.today()
    clients = []
    for n in range(SESSIONS):
        user = UserFactory(username=f"carer{n}")
        MembershipFactory(child=child, user=user, role=Role.CAREGIVER)
        client = Client()
        client.force_login(user)
        clients.append(client)

    for round_ in range(ROUNDS):
        pages = [client.get(entry_url(child, day)) for client in clients]
        jobs = [
            lambda c=client, p=page, n=n, r=round_: c.post(
                entry_url(child, day), form_data(p, notes=f"round {r} by carer{n}")
            )
            for n, (client, page) in enumerate(zip(clients, pages, strict=True))
        ]
        responses = save_concurrently(jobs)

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [302] + [409] * (SESSIONS - 1), statuses
        winner = next(n for n, r in enumerate(responses) if r.status_code == 302)
        for response in responses:
            if response.status_code == 409:
                assert "while you were editing" in text_of(response)
        entry = DailyEntry.objects.get(child=child, date=day)
        assert entry.notes == f"round {round_} by carer{winner}"
        assert entry.version == round_ + 1

    assert Change.objects.filter(child=child, kind="entry").count() == ROUNDS


@pytest.mark.django_db(transaction=True)
def test_many_sessions_saving_different_days_at_once_are_all_recorded(child):
    today = child.today()
    clients = []
    for n in range(SESSIONS):
        user = UserFactory(username=f"writer{n}")
        MembershipFactory(child=child, user=user, role=Role.CAREGIVER)
        client = Client()
        client.force_login(user)
        clients.append(client)
    days = [today - datetime.timedelta(days=n) for n in range(SESSIONS)]
    pages = [c.get(entry_url(child, d)) for c, d in zip(clients, days, strict=True)]
    jobs = [
        lambda c=c, p=p, d=d: c.post(entry_url(child, d), form_data(p, notes=f"day {d}"))
        for c, p, d in zip(clients, pages, days, strict=True)
    ]
    responses = save_concurrently(jobs)
    assert [r.status_code for r in responses] == [302] * SESSIONS
    saved = dict(DailyEntry.objects.filter(child=child).values_list("date", "notes"))
    assert saved == {d: f"day {d}" for d in days}


@pytest.mark.parametrize("garbled", ["abc", "-1", "2147483648", "1.5", "", "1\x00"])
def test_a_garbled_version_is_taken_as_none_and_refused_as_a_conflict(
    owner_client, child, day, garbled
):
    DailyEntryFactory(child=child, date=day, rage=2)
    data = {"date": day.isoformat(), "rage": "0", "version": garbled}
    response = owner_client.post(entry_url(child, day), data)
    assert response.status_code == 409
    assert "while you were editing" in text_of(response)
    assert DailyEntry.objects.get(child=child, date=day).rage == 2


# --- events and treatments: the same protection -------------------------------------------------


def test_a_stale_event_edit_shows_both_versions_and_writes_nothing(
    owner_client, caregiver_client, child
):
    event = TriggerEventFactory(child=child, temperature_c="38.5")
    edit = f"/children/{child.pk}/events/{event.pk}/edit/"
    owner_page, carer_page = owner_client.get(edit), caregiver_client.get(edit)

    def posted(page, temperature):
        data = {name: values[0] for name, values in form_values(page).items()}
        return {**data, "temperature_c": temperature}

    assert owner_client.post(edit, posted(owner_page, "39.0")).status_code == 302
    before = snapshot()
    response = caregiver_client.post(edit, posted(carer_page, "40.1"))

    assert response.status_code == 409
    assert snapshot() == before
    html = html_of(response)
    assert '<th scope="row">Highest temperature (°C)</th><td>39</td><td>40.1</td>' in html
    assert value_of(response, "version") == "2"
    again = caregiver_client.post(edit, {k: v[0] for k, v in form_values(response).items()})
    assert again.status_code == 302
    event.refresh_from_db()
    assert (str(event.temperature_c), event.version) == ("40.1", 3)


def test_a_stale_treatment_edit_shows_both_dose_lists(owner_client, caregiver_client, child):
    course = DoseChangeFactory(course__child=child).course
    edit = f"/children/{child.pk}/treatments/{course.pk}/edit/"
    owner_page, carer_page = owner_client.get(edit), caregiver_client.get(edit)

    def posted(page, **changes):
        return {**{name: values[0] for name, values in form_values(page).items()}, **changes}

    assert owner_client.post(edit, posted(owner_page, notes="Neurologist")).status_code == 302
    response = caregiver_client.post(edit, posted(carer_page, **{"changes-0-dose": "1.25"}))

    assert response.status_code == 409
    text = text_of(response)
    assert "while you were editing" in text
    assert "1.25" in text and "Neurologist" in text
    course.refresh_from_db()
    assert (course.notes, str(course.changes.get().dose)) == ("Neurologist", "1.500")


def test_editing_an_event_deleted_meanwhile_is_a_404(owner_client, caregiver_client, child):
    event = TriggerEventFactory(child=child)
    edit = f"/children/{child.pk}/events/{event.pk}/edit/"
    page = caregiver_client.get(edit)
    data = {name: values[0] for name, values in form_values(page).items()}
    TriggerEvent.objects.filter(pk=event.pk).delete()

    # The edit page of a deleted event is gone; the form the caregiver still holds is a 404.
    assert caregiver_client.post(edit, data).status_code == 404
