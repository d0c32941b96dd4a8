"""`manage.py seed_demo`: the demo family, and a history that really shows three relapses."""

import datetime
import io
import itertools
import statistics

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from journal import analysis, demo, trends
from journal.models import (
    Child,
    DailyEntry,
    Drug,
    Membership,
    Role,
    TreatmentCourse,
    TriggerEvent,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def seed_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def output() -> str:
    return seed_demo()


@pytest.fixture
def maya(output) -> Child:
    return Child.objects.get(name="Maya")


def daily_scores(child: Child) -> dict[datetime.date, int]:
    return {
        entry.date: entry.score
        for entry in DailyEntry.objects.for_child(child)
        if entry.score is not None
    }


def raised_stretches(scores: dict[datetime.date, int]) -> list[tuple[datetime.date, int]]:
    """Runs of 3+ consecutive logged days whose score is >= 3 above the median of the 14 before.

    Returns (first day, length) for each run. The median needs at least 7 logged days.
    """
    stretches, run = [], []
    for day in sorted(scores):
        before = [
            scores[d] for n in range(1, 15) if (d := day - datetime.timedelta(days=n)) in scores
        ]
        raised = len(before) >= 7 and scores[day] >= statistics.median(before) + 3
        continues = raised and run and day - run[-1] == datetime.timedelta(days=1)
        if continues:
            run.append(day)
        else:
            if len(run) >= 3:
                stretches.append((run[0], len(run)))
            run = [day] if raised else []
    if len(run) >= 3:
        stretches.append((run[0], len(run)))
    return stretches


def group_apart(days: list[datetime.date], gap_days: int = 30) -> list[list[datetime.date]]:
    """Days grouped into clusters; a new cluster starts more than `gap_days` after the last."""
    clusters: list[list[datetime.date]] = []
    for day in sorted(days):
        if clusters and (day - clusters[-1][-1]).days <= gap_days:
            clusters[-1].append(day)
        else:
            clusters.append([day])
    return clusters


# --- the accounts ------------------------------------------------------------------------------


def test_creates_the_demo_care_team_with_one_shared_password(maya):
    roles = dict(Membership.objects.filter(child=maya).values_list("user__username", "role"))
    assert roles == {"demo": Role.OWNER, "demo-dad": Role.CAREGIVER, "demo-grandma": Role.VIEWER}
    for user in User.objects.filter(username__in=roles):
        assert user.check_password("oms-demo-2024")
        assert user.is_active
        assert not user.is_staff


def test_the_child_looks_like_a_toddler_with_oms(maya):
    today = maya.today()
    assert maya.time_zone == "Europe/London"
    assert 2.8 <= (today - maya.birth_date).days / 365.25 <= 3.5
    months_since_diagnosis = (today - maya.diagnosis_date).days / 30.44
    assert 18 <= months_since_diagnosis <= 21
    assert maya.tumour_found == Child.Tumour.YES
    maya.full_clean()


def test_prints_the_logins_the_password_and_the_login_url(output):
    for username in ("demo", "demo-dad", "demo-grandma"):
        assert username in output
    assert "oms-demo-2024" in output
    assert "http://127.0.0.1:8000/accounts/login/" in output


def test_password_option(db):
    output = seed_demo("--password", "another-demo-pass")
    assert "another-demo-pass" in output
    assert User.objects.get(username="demo-grandma").check_password("another-demo-pass")


# --- the diary ---------------------------------------------------------------------------------


def test_about_eighteen_months_of_entries_with_gaps(maya):
    days = sorted(DailyEntry.objects.for_child(maya).values_list("date", flat=True))
    assert 450 <= len(days) <= 540
    assert 500 <= (days[-1] - days[0]).days <= 570
    assert days[-1] <= maya.today()
    assert (maya.today() - days[-1]).days <= 2
    gaps = [(later - earlier).days - 1 for earlier, later in itertools.pairwise(days)]
    assert max(gaps) >= 3
    assert sum(1 for gap in gaps if gap >= 3) >= 2  # the hospital stay and the holiday
    assert sum(1 for gap in gaps if gap in (1, 2)) >= 10  # and scattered missed days


def test_every_entry_passes_full_clean(maya):
    entries = list(DailyEntry.objects.for_child(maya).select_related("child"))
    for entry in entries:
        entry.full_clean()
    assert all(entry.created_by_id and entry.updated_by_id for entry in entries)
    authors = {entry.created_by.username for entry in entries}
    assert authors == {"demo", "demo-dad"}  # the viewer never writes


def test_detail_fields_are_plausible(maya):
    entries = list(DailyEntry.objects.for_child(maya))
    fever_days = set()
    for event in TriggerEvent.objects.for_child(maya).filter(type=TriggerEvent.Type.FEVER):
        end = event.end_date or event.start_date
        fever_days.update(
            event.start_date + datetime.timedelta(days=n)
            for n in range((end - event.start_date).days + 1)
        )
    hours = [entry.sleep_hours for entry in entries if entry.sleep_hours is not None]
    assert len(hours) > len(entries) * 0.8
    assert all(h * 4 == int(h * 4) and 4 <= h <= 13 for h in hours)  # quarter hours
    temperatures = [entry for entry in entries if entry.max_temperature_c is not None]
    assert temperatures
    assert all(entry.date in fever_days for entry in temperatures)
    assert {entry.doses for entry in entries} >= {"yes", "partly", "no"}
    assert all(entry.rage_longest_minutes is None or entry.rage_episodes for entry in entries)
    assert sum(1 for entry in entries if entry.notes) >= 40
    questions = [entry.question for entry in entries if entry.question]
    assert 5 <= len(questions) <= 20
    assert any("rituximab" in question for question in questions)


def test_scores_start_high_and_improve_on_treatment(maya):
    scores = [score for _, score in sorted(daily_scores(maya).items())]
    assert statistics.mean(scores[:14]) >= 8
    assert statistics.mean(scores[-60:]) <= 4


# --- relapses, triggers, treatments ------------------------------------------------------------


def test_three_relapses_each_after_its_trigger(maya):
    stretches = raised_stretches(daily_scores(maya))
    assert len(stretches) >= 3
    relapses = group_apart([first for first, _ in stretches])
    assert len(relapses) == 3

    events = list(TriggerEvent.objects.for_child(maya))

    def triggers_before(onset: datetime.date) -> set[str]:
        return {e.type for e in events if 5 <= (onset - e.start_date).days <= 21}

    onsets = [cluster[0] for cluster in relapses]
    assert TriggerEvent.Type.ILLNESS in triggers_before(onsets[0])
    assert TriggerEvent.Type.FEVER in triggers_before(onsets[0])
    assert TriggerEvent.Type.VACCINATION in triggers_before(onsets[1])
    assert TriggerEvent.Type.IMMUNOTHERAPY_CHANGE in triggers_before(onsets[2])


def test_the_possible_relapse_rule_finds_the_three_relapses_and_what_preceded_them(maya):
    """The demo tells its story through the app's own analysis: three possible relapses, ended,
    each with its trigger among the possible ones; the cold of the autumn, a week with Eyes,
    Jerks and Balance each a level up, flagged too and labelled illness-associated, ended with
    the cold; and Maya stable today."""
    history = trends.load_history(maya)
    found = analysis.episodes(history.days, history.triggers, maya.relapse_rule())
    assert len(found) == 4
    assert not any(episode.ongoing for episode in found)
    kinds = [{p.trigger.type for p in episode.possible_triggers} for episode in found]
    assert {"fever", "illness"} <= kinds[0]
    assert "vaccination" in kinds[1]
    assert "immunotherapy_change" in kinds[2]
    assert [episode.illness_associated for episode in found] == [False, False, False, True]
    cold = found[3]
    cold_events = [t for t in history.triggers if t.type in ("illness", "fever")]
    assert cold.onset == cold_events[-2].date  # the first day of the cold
    assert cold.end <= cold_events[-2].end_date  # over when the cold was
    assert analysis.status(history.days, maya.today(), maya.relapse_rule()).kind == "stable"


def test_trigger_events_of_each_kind(maya):
    events = TriggerEvent.objects.for_child(maya)
    for event in events:
        event.full_clean()
    vaccine = events.get(type=TriggerEvent.Type.VACCINATION)
    assert vaccine.live_vaccine is False
    stop = events.get(type=TriggerEvent.Type.IMMUNOTHERAPY_CHANGE, drug="Prednisolone")
    assert stop.change in (TriggerEvent.Change.STOPPED, TriggerEvent.Change.TAPER_STEP)
    assert events.filter(type=TriggerEvent.Type.ILLNESS, illness_kind="respiratory").exists()
    assert events.filter(type=TriggerEvent.Type.STRESS).exists()
    assert events.filter(type=TriggerEvent.Type.ANAESTHESIA, procedure__contains="MRI").exists()


def test_treatment_courses(maya):
    courses = TreatmentCourse.objects.for_child(maya)
    for course in courses:
        course.full_clean()
    taper = courses.get(drug=Drug.PREDNISOLONE, regimen=TreatmentCourse.Regimen.TAPER)
    doses = [taper.dose, *taper.changes.values_list("dose", flat=True)]
    assert len(doses) >= 4  # the starting dose and at least three steps
    assert doses == sorted(doses, reverse=True) and len(set(doses)) == len(doses)
    assert taper.end_date is not None
    stop = TriggerEvent.objects.for_child(maya).get(change=TriggerEvent.Change.STOPPED)
    assert stop.start_date > taper.end_date

    ivig = courses.get(drug=Drug.IVIG)
    assert ivig.regimen == TreatmentCourse.Regimen.INFUSION_CYCLE
    assert courses.filter(drug=Drug.DEXAMETHASONE, regimen="pulse").count() == 2
    trazodone = courses.get(drug=Drug.TRAZODONE)
    assert trazodone.purpose == TreatmentCourse.Purpose.SYMPTOM_CONTROL


# --- running it again --------------------------------------------------------------------------


def test_if_empty_does_nothing_on_a_second_run(maya):
    entries = DailyEntry.objects.count()
    output = seed_demo("--if-empty")
    assert "no demo data added" in output
    assert DailyEntry.objects.count() == entries
    assert Child.objects.count() == 1


def test_if_empty_does_nothing_when_any_account_exists(db):
    UserFactory(username="someone")
    assert "no demo data added" in seed_demo("--if-empty")
    assert not Child.objects.exists()


def test_refuses_to_seed_twice(maya):
    with pytest.raises(CommandError, match="--reset"):
        seed_demo()
    assert Child.objects.count() == 1


def test_reset_seeds_the_same_history_again_and_spares_other_families(maya, child):
    before = daily_scores(maya)
    seed_demo("--reset")
    again = Child.objects.get(name="Maya")
    assert again.pk != maya.pk
    assert daily_scores(again) == before  # the same seed: the same story
    assert Child.objects.filter(pk=child.pk).exists()  # conftest's family is untouched
    assert User.objects.filter(username__startswith="demo").count() == 3


def test_another_seed_tells_a_different_story(maya):
    before = daily_scores(maya)
    seed_demo("--reset", "--seed", "7")
    assert daily_scores(Child.objects.get(name="Maya")) != before


# --- the server's last words -------------------------------------------------------------------


def test_login_words_name_each_account_and_the_password(maya):
    words = demo.login_words("http://127.0.0.1:8000")
    assert words == (
        "OMS Journal demo: log in at http://127.0.0.1:8000/accounts/login/\n"
        "  as demo (owner), demo-dad (caregiver), demo-grandma (viewer), password oms-demo-2024"
    )


def test_login_words_keep_a_changed_password_to_themselves(maya):
    owner = User.objects.get(username="demo")
    owner.set_password("a-family-secret")
    owner.save()
    words = demo.login_words("http://127.0.0.1:8000")
    assert "oms-demo-2024" not in words
    assert "with the password set for them" in words


def test_login_words_are_empty_without_the_demo(db):
    assert demo.login_words("http://127.0.0.1:8000") == ""
