"""Today's possible-relapse rule (analysis.DEFAULT_RULE), its edge cases and its properties, and
what it was chosen for: finding the relapses planted in generated diaries (tests/diaries.py) as
families keep them, without flagging the decoys, better than the first rule (CLASSIC_RULE)."""

import dataclasses
import datetime
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from journal.analysis import (
    CLASSIC_RULE,
    DEFAULT_RULE,
    TRIGGER_LABELS,
    V2_RULE,
    V3_RULE,
    V4_RULE,
    Day,
    Trigger,
    baseline_before,
    episodes,
    motor_total,
    status,
    version_kept,
)
from journal.scales import CORE_FIELDS, MAX_RATING
from tests import diaries
from tests.relapse_evaluation import evaluate, first_flag_delay
from tests.test_analysis import as_days, calm_histories, days_from, histories, on, rated, spread

ROOT = Path(__file__).resolve().parent.parent
START = datetime.date(2024, 3, 1)
CALM = [2] * 21  # enough days for a usual level that leaves out the last week
PROPERTY = settings(max_examples=150, deadline=None)


def onsets(values, rule=DEFAULT_RULE):
    return [e.onset for e in episodes(days_from(START, values), rule=rule)]


# --- edge cases ---------------------------------------------------------------------------------


def test_a_rise_of_three_held_for_three_days_is_flagged_from_its_first_day():
    assert onsets([*CALM, 5, 5, 5, 2, 2, 2]) == [on(21)]


def test_a_rise_that_creeps_up_is_found_and_dated_back_to_where_it_began():
    """Up by one every two days: the first rule's bar rises with it; today's does not, and the
    episode is dated from the first day already above calm, not from the first one raised."""
    creep = [3, 3, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6]
    assert onsets([*CALM, *creep], CLASSIC_RULE) == []
    (onset,) = onsets([*CALM, *creep])
    assert onset == on(21 + 2)  # the first day 4, more than 1 above the usual 2
    assert on(21 + 5) - onset == datetime.timedelta(days=3)  # 5 is the first raised day


def test_dating_back_stops_at_a_calm_day_at_a_gap_and_at_the_rules_days():
    # A calm day (3 = usual + 1) just before the run: no dating back past it.
    assert onsets([*CALM, 4, 3, 5, 5, 5]) == [on(23)]
    # A gap of more than max_gap_days: the days before it are not dated back to.
    assert onsets([*CALM, 4, None, None, None, None, 5, 5, 5]) == [on(26)]
    # Never more than days_dated_back days before the first raised day.
    rule = dataclasses.replace(DEFAULT_RULE, days_dated_back=1)
    assert onsets([*CALM, 4, 4, 4, 5, 5, 5], rule) == [on(23)]


def test_dating_back_never_reaches_into_the_episode_before():
    values = [*CALM, 9, 9, 9, 2, 2, 2, 4, 4, 9, 9, 9, 2, 2, 2]
    first, second = episodes(days_from(START, values))
    assert first.end == on(23)
    assert second.onset > first.end + datetime.timedelta(days=3)  # after the closing calm days
    assert second.onset == on(27)  # the 4s after the calm days, dated back to


def test_the_last_week_is_left_out_of_the_usual_level():
    """A day is judged against the days before its last week: after seven calm days, the rise
    from day 7 is first judged on day 14 (seven logged days before its last week), then dated
    back; the first rule judged day 7 against the seven days just before it."""
    rise = [2] * 7 + [9] * 10
    assert onsets(rise) == [on(10)]
    assert onsets(rise, CLASSIC_RULE) == [on(7)]
    (episode,) = episodes(days_from(START, rise))
    assert episode.baseline.score == 2  # the week of 9s before day 14 is left out


def test_the_first_rules_numbers_leave_nothing_out_and_date_nothing_back():
    """The numbers migration 0011 gives to children whose families chose their own: with them
    the rule is the first one, tested in test_analysis.py."""
    assert CLASSIC_RULE.recent_days_left_out == CLASSIC_RULE.run_slack == 0
    assert CLASSIC_RULE.days_dated_back == 0
    assert (CLASSIC_RULE.baseline_days, CLASSIC_RULE.score_rise, CLASSIC_RULE.raised_run) == (
        14,
        3,
        3,
    )


def test_a_day_short_in_the_run_may_be_allowed():
    values = [*CALM, 5, 5, 2, 5, 5, 2, 2, 2]
    assert onsets(values) == []
    assert onsets(values, dataclasses.replace(DEFAULT_RULE, run_slack=1)) == [on(21)]


def test_a_day_with_a_sign_not_rated_counts_in_proportion_to_the_signs_rated():
    """4 from the four signs rated counts as 5: raised against a usual 2, so the run holds. The
    second rule read it as a calmer day, and the run broke."""
    half_rated = {**spread(5), "rage": None}
    values = [*CALM, 5, half_rated, 5, 2, 2, 2]
    assert onsets(values) == [on(21)]
    assert onsets(values, V2_RULE) == []


def test_after_days_away_the_usual_level_rests_on_the_last_days_logged_before():
    """Twenty days away: too few days logged in the 14 before the last week, so the usual level
    is that of the last 7 days logged within 42 days; the second rule had "not enough data"."""
    values = [*CALM, *[None] * 20, 5, 5, 5, 2, 2, 2]
    assert onsets(values) == [on(41)]
    (episode,) = episodes(days_from(START, values))
    assert (episode.baseline.score, episode.baseline.logged_days) == (2, 7)
    assert onsets(values, V2_RULE) == []
    assert onsets(values, dataclasses.replace(DEFAULT_RULE, baseline_reach_days=14)) == []


def test_eyes_jerks_and_balance_added_up_2_above_their_usual_total_raise_a_day():
    """Usual: Sleep and Rage at 1. Eyes and Jerks up by one each is a rise of 2 in the signs
    that define OMS: raised, though the score is only 2 above. The same rise in Sleep and Rage
    (one caregiver's habit, a bad night) is not. The third rule, and a family's 0, leave it out."""
    usual = [rated(sleep=1, rage=1)] * 21
    motor = rated(opsoclonus=1, myoclonus=1, sleep=1, rage=1)
    habit = rated(sleep=2, rage=2)
    assert onsets([*usual, motor, motor, motor]) == [on(21)]
    assert onsets([*usual, habit, habit, habit]) == []
    assert onsets([*usual, motor, motor, motor], V3_RULE) == []
    assert (
        onsets([*usual, motor, motor, motor], dataclasses.replace(DEFAULT_RULE, motor_rise=0)) == []
    )
    assert onsets([*usual, motor, motor, motor], V2_RULE) == []


def test_signs_rated_0_or_1_by_chance_are_judged_by_their_usual_total():
    """Eyes rated 1 on a third of the days, Jerks on another third, never together: each sign's
    median is 0, but their usual total is 1. Both at 1 is a total of 2, 1 above it: no rise of 2,
    where the sum of each sign's median, 0, would read every such day as one."""
    eyes, jerks, calm = rated(opsoclonus=1, sleep=1), rated(myoclonus=1, sleep=1), rated(sleep=1)
    usual = [eyes, jerks, calm] * 8
    both = rated(opsoclonus=1, myoclonus=1, sleep=1)
    usual_level = baseline_before(days_from(START, usual), on(31))
    assert (usual_level.items["opsoclonus"], usual_level.items["myoclonus"]) == (0, 0)
    assert usual_level.motor == 1
    assert onsets([*usual, both, both, both, both]) == []
    higher = rated(opsoclonus=1, myoclonus=1, ataxia=1, sleep=1)
    assert onsets([*usual, higher, higher, higher]) == [on(24)]


def test_a_half_rated_day_counts_eyes_jerks_and_balance_in_proportion():
    """Usual: Balance, Sleep and Rage at 1. Balance not rated, Eyes and Jerks at 1: a total of
    3 from two of the three signs, as a half-rated day's score is counted, 2 above the usual
    total of 1. With only one of the three rated, the day has no total."""
    usual = [rated(ataxia=1, sleep=1, rage=1)] * 21
    half = {**rated(opsoclonus=1, myoclonus=1, sleep=1), "ataxia": None}
    assert motor_total(Day(on(0), half)) == 3
    assert onsets([*usual, half, half, half]) == [on(21)]
    assert motor_total(Day(on(0), {"opsoclonus": 2, "sleep": 1, "rage": 1})) is None


def test_a_possible_relapse_ends_on_days_within_2_of_the_usual_level():
    """Within 2 (one caregiver rates Sleep and Rage a level higher): calm. The second rule
    wanted days within 1, and an episode ran on through the higher caregiver's days."""
    values = [*CALM, 9, 9, 9, 4, 4, 4]
    (episode,) = episodes(days_from(START, values))
    assert episode.end == on(23)
    (ongoing,) = episodes(days_from(START, values), rule=V2_RULE)
    assert ongoing.ongoing


def test_the_trigger_before_a_dated_back_onset_is_still_among_its_possible_triggers():
    creep = [3, 3, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6]
    fever = Trigger(on(21), "fever", "Fever", on(22))
    (episode,) = episodes(days_from(START, [*CALM, *creep]), [fever])
    assert [p.trigger for p in episode.possible_triggers] == [fever]
    assert episode.illness_associated  # onset within 3 days of the fever's last day


# Usual: Balance, Sleep and Rage at 1 (a score of 3, Eyes, Jerks and Balance a total of 1).
USUAL = [rated(ataxia=1, sleep=1, rage=1)] * 21
# Eyes, Jerks and Balance up by 3 together, the score by 3: raised, and standing out.
UP = rated(opsoclonus=1, myoclonus=1, ataxia=2, sleep=1, rage=1)
# Each of Eyes, Jerks and Balance a level up (a total of 3, 2 above): what chance gives two days.
LEVEL = rated(opsoclonus=1, myoclonus=1, ataxia=1, sleep=1, rage=1)
VACCINATION = Trigger(on(10), "vaccination", "Vaccination")  # 11 days before on(21)


def test_after_a_trigger_two_days_of_eyes_jerks_and_balance_up_flag_a_possible_relapse():
    days = days_from(START, [*USUAL, UP, UP, *USUAL[:6]])
    (episode,) = episodes(days, [VACCINATION])
    assert episode.onset == on(21)
    assert [p.trigger for p in episode.possible_triggers] == [VACCINATION]
    assert status(days, on(22), triggers=[VACCINATION]).since == on(21)  # on the second evening
    rising = status(days, on(21), triggers=[VACCINATION])
    assert (rising.kind, rising.raised_days, rising.run_needed) == ("rising", 1, 2)
    # Without the trigger, two such days are not enough: three are.
    assert episodes(days) == []
    assert status(days, on(22)).run_needed == 3
    assert onsets([*USUAL, UP, UP, UP]) == [on(21)]


def test_two_days_with_each_sign_a_level_up_need_a_third_even_after_a_trigger():
    """Eyes, Jerks and Balance each a level up is 2 above their usual total: raised, but two
    such days come by chance (the demo journal has them). A day that stands out, 3 above, or
    with a score 4 above the usual level, lets two days flag."""
    assert episodes(days_from(START, [*USUAL, LEVEL, LEVEL, *USUAL[:6]]), [VACCINATION]) == []
    (episode,) = episodes(days_from(START, [*USUAL, LEVEL, LEVEL, LEVEL]), [VACCINATION])
    assert episode.onset == on(21)
    louder = rated(opsoclonus=1, myoclonus=1, ataxia=1, sleep=2, rage=2)  # score 4 above
    days = days_from(START, [*USUAL, LEVEL, louder, *USUAL[:6]])
    assert [e.onset for e in episodes(days, [VACCINATION])] == [on(21)]


@pytest.mark.parametrize(
    ("trigger_day", "flagged"),
    [(21 - 28, True), (21, True), (21 - 29, False), (22, False)],
)
def test_the_trigger_must_begin_within_28_days_before_the_first_of_the_two(trigger_day, flagged):
    fever = Trigger(on(trigger_day), "fever", "Fever", on(trigger_day + 1))
    days = days_from(START, [*USUAL, UP, UP, *USUAL[:6]])
    assert [e.onset for e in episodes(days, [fever])] == ([on(21)] if flagged else [])


def test_a_day_without_enough_of_eyes_jerks_and_balance_rated_breaks_the_shorter_run():
    half = {**UP, "myoclonus": None, "ataxia": None}  # raised by Eyes alone, no total
    days = days_from(START, [*USUAL, UP, half, *USUAL[:6]])
    assert episodes(days, [VACCINATION]) == []


def test_sleep_and_rage_raise_a_day_only_with_eyes_jerks_and_balance():
    """Sleep 2 above its own usual level and the score 3 above, all of it in Sleep and Rage
    (one caregiver's habit, bad nights): no day raised, where the fourth rule raised all three.
    With one level of it in Eyes, Jerks and Balance, the score's rise raises the day."""
    habit = rated(ataxia=1, sleep=3, rage=2)
    assert onsets([*USUAL, habit, habit, habit]) == []
    assert onsets([*USUAL, habit, habit, habit], V4_RULE) == [on(21)]
    with_a_sign = rated(opsoclonus=1, ataxia=1, sleep=2, rage=2)
    assert onsets([*USUAL, with_a_sign, with_a_sign, with_a_sign]) == [on(21)]
    family = dataclasses.replace(DEFAULT_RULE, sleep_rage_rise=2)  # a family's own choice
    assert onsets([*USUAL, habit, habit, habit], family) == [on(21)]


def test_a_day_with_too_few_of_eyes_jerks_and_balance_rated_is_judged_by_its_score():
    """Only Balance rated of the three: no total to ask a part of the rise from, so the score,
    counted in proportion to the signs rated, decides."""
    half = {"opsoclonus": None, "myoclonus": None, "ataxia": 2, "sleep": 2, "rage": 2}
    assert onsets([*USUAL, half, half, half]) == [on(21)]


def test_each_rule_is_known_by_the_meaning_its_numbers_keep():
    assert [version_kept(r) for r in (CLASSIC_RULE, V2_RULE, V3_RULE, V4_RULE)] == [1, 2, 3, 4]
    assert version_kept(DEFAULT_RULE) == 5
    assert version_kept(dataclasses.replace(V4_RULE, raised_run_after_trigger=2)) == 5


# --- properties ---------------------------------------------------------------------------------


@st.composite
def trigger_lists(draw, last_day=130):
    """Up to eight triggers of any type, anywhere from before the history to after its end."""
    drawn = draw(
        st.lists(st.tuples(st.integers(-30, last_day), st.sampled_from(sorted(TRIGGER_LABELS))))
    )
    return [Trigger(on(day), kind, TRIGGER_LABELS[kind]) for day, kind in drawn[:8]]


@PROPERTY
@given(calm_histories(), trigger_lists(), st.data())
def test_a_lone_bad_day_never_opens_an_episode(drawn, triggers, data):
    """Not even just after a trigger."""
    spike = data.draw(st.integers(0, len(drawn) - 1), label="spike")
    drawn[spike] = (MAX_RATING,) * 5
    days = as_days(drawn)
    assert episodes(days, triggers) == []
    assert status(days, days[-1].date, triggers=triggers).kind != "relapse"


def confirmed_on(days, episode, triggers=()) -> datetime.date:
    """The evening the dashboard first said "possible relapse" for this episode, replayed with
    the days and the triggers known on each evening."""
    for day in days:
        known = [d for d in days if d.date <= day.date]
        now = status(known, day.date, triggers=[t for t in triggers if t.date <= day.date])
        if now.kind == "relapse" and now.since == episode.onset:
            return day.date
    raise AssertionError("an episode found was never flagged")


@PROPERTY
@given(histories(), trigger_lists(), st.data())
def test_filling_a_missing_day_never_moves_an_onset_confirmed_before_it(drawn, triggers, data):
    missing = [offset for offset, values in enumerate(drawn) if values is None]
    assume(missing)
    filled = data.draw(st.sampled_from(missing), label="filled")
    days = as_days(drawn)
    found = episodes(days, triggers)
    confirmed = [e for e in found if confirmed_on(days, e, triggers) < on(filled)]
    drawn[filled] = data.draw(st.tuples(*[st.integers(0, MAX_RATING)] * 5), label="ratings")
    after = episodes(as_days(drawn), triggers)
    assert [e.onset for e in after[: len(confirmed)]] == [e.onset for e in confirmed]


@PROPERTY
@given(
    st.integers(1, MAX_RATING).flatmap(lambda k: st.tuples(st.just(k), histories(top=3 - k))),
    trigger_lists(),
)
def test_raising_every_rating_by_the_same_amount_changes_no_episode(shifted, triggers):
    rise, drawn = shifted
    days = as_days(drawn)
    higher = as_days([None if r is None else tuple(v + rise for v in r) for r in drawn])
    found, found_higher = episodes(days, triggers), episodes(higher, triggers)
    assert [(e.onset, e.end) for e in found_higher] == [(e.onset, e.end) for e in found]
    today = on(len(drawn) - 1)
    assert status(higher, today, triggers=triggers) == dataclasses.replace(
        status(days, today, triggers=triggers),
        baseline=status(higher, today, triggers=triggers).baseline,
    )


@PROPERTY
@given(histories(partial=True), trigger_lists())
def test_the_dashboard_flags_each_episode_on_the_evening_its_run_is_complete(drawn, triggers):
    """Replayed day by day, every episode found over the whole diary was flagged on some
    evening with the same onset: nothing later in the diary, not a trigger logged later either,
    moves an onset back."""
    days = as_days(drawn)
    for episode in episodes(days, triggers):
        assert episode.onset <= confirmed_on(days, episode, triggers)


@PROPERTY
@given(histories(partial=True), trigger_lists())
def test_a_trigger_only_ever_flags_sooner(drawn, triggers):
    """Every episode found without the triggers was flagged no later with them: a trigger
    shortens the run that flags, never lengthens it."""
    days = as_days(drawn)
    with_triggers = {e.onset: e for e in episodes(days, triggers)}
    for episode in episodes(days):
        flagged = confirmed_on(days, episode)
        sooner = [e for e in with_triggers.values() if e.onset <= flagged]
        assert sooner
        assert confirmed_on(days, sooner[-1], triggers) <= flagged


# --- generated diaries --------------------------------------------------------------------------


def test_the_generator_gives_the_same_diary_for_the_same_seed():
    assert diaries.generate(7) == diaries.generate(7)
    assert diaries.generate(7).days != diaries.generate(8).days


def test_realistic_diaries_have_what_families_diaries_have():
    diary = diaries.generate(3, years=3)
    dates = {day.date for day in diary.days}
    every = [
        diary.first + datetime.timedelta(days=i) for i in range((diary.last - diary.first).days + 1)
    ]
    weekday = [d for d in every if d.weekday() < 5]
    weekend = [d for d in every if d.weekday() >= 5]
    missing = 1 - len(dates) / len(every)
    assert 0.15 <= missing <= 0.40
    assert sum(d not in dates for d in weekend) / len(weekend) > sum(
        d not in dates for d in weekday
    ) / len(weekday)
    half_rated = [d for d in diary.days if any(d.ratings[n] is None for n in CORE_FIELDS)]
    assert 0.1 <= len(half_rated) / len(diary.days) <= 0.3
    assert set(diary.caregiver.values()) == {0, 1}
    assert {d.kind for d in diary.decoys} >= {"lone_bad_night", "two_day_bump"}
    for relapse in diary.relapses:
        assert relapse.trigger in diary.triggers
        assert relapse.trigger.date <= relapse.onset


def test_a_relapse_the_diary_cannot_show_is_not_counted_as_detectable():
    diary = diaries.generate(11, diaries.CLEAN)
    for relapse in diary.relapses:
        logged_first_week = sum(
            relapse.onset <= d.date < relapse.onset + datetime.timedelta(days=8) for d in diary.days
        )
        assert logged_first_week == 8  # a clean diary logs every day
    swallowed = [r for r in diary.relapses if not r.detectable]
    assert all(r.kind in ("one_sign", "small") for r in swallowed)


@pytest.mark.parametrize(
    ("habits", "recall", "precision"),
    [(diaries.CLEAN, 0.95, 0.95), (diaries.REALISTIC, 0.90, 0.90)],
)
def test_todays_rule_finds_the_planted_relapses_and_names_their_trigger(habits, recall, precision):
    """On seeds the defaults were not measured on (docs/relapse-rule.md used 0-39)."""
    report = evaluate(diaries.diaries(range(500, 515), habits), DEFAULT_RULE, replay=False)
    assert report.all.recall >= recall
    assert report.precision >= precision
    assert report.all.trigger_named >= 0.95 * report.all.found


def test_todays_rule_finds_more_than_the_first_rule_in_realistic_diaries():
    generated = list(diaries.diaries(range(600, 612), diaries.REALISTIC))
    today = evaluate(generated, DEFAULT_RULE, replay=False)
    first = evaluate(generated, CLASSIC_RULE, replay=False)
    assert today.all.recall >= first.all.recall + 0.15
    assert today.precision >= 0.90


def test_todays_rule_flags_half_the_relapses_within_3_days_of_their_onset():
    """Replayed evening by evening, on children the rule was not chosen on: the median delay
    from the true onset to the first "possible relapse" is 3 days or less, where the fourth rule,
    which always waited for three raised days, took 4."""
    generated = list(diaries.diaries(range(3000, 3040), diaries.REALISTIC))
    today = evaluate(generated, DEFAULT_RULE)
    assert statistics.median(today.all.delays) <= 3
    assert today.all.recall >= 0.90
    assert today.precision >= 0.90
    assert today.false_flag_causes.total() == today.false_flags
    assert set(today.false_flag_causes) <= {*diaries.DECOY_KINDS, "relapse", "noise"}
    assert statistics.median(evaluate(generated, V4_RULE).all.delays) > 3


def test_the_first_flag_comes_within_days_of_the_onset():
    diary = diaries.generate(21, diaries.CLEAN)
    sudden = [r for r in diary.relapses if r.kind == "sudden" and r.detectable]
    assume_some = sudden or diary.relapses[:1]
    for relapse in assume_some:
        delay = first_flag_delay(diary, relapse, DEFAULT_RULE)
        assert delay is not None
        assert 0 <= delay <= 5


def test_the_evaluation_runs_as_its_page_says_with_no_setting():
    """docs/relapse-rule.md gives the command, typed in a shell where nothing is set."""
    script = ROOT / "scripts" / "evaluate_relapse_rule.py"
    done = subprocess.run(  # noqa: S603
        [sys.executable, script, "--seeds", "2", "--habits", "realistic"],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "**realistic diaries, seeds 0-1**: precision" in done.stdout
    assert re.search(r"child-years(; near: [a-z_]+ \d+(, [a-z_]+ \d+)*)?\)", done.stdout)
    assert "| all |" in done.stdout
