"""journal.analysis: pure functions, tested without the database.

The rule's machinery is tested here with the first rule's numbers (CLASSIC_RULE: each day against
the 14 days just before it, three raised days in a row), which children whose families chose
their own numbers keep; tests/test_relapse_rule.py tests today's defaults on generated diaries.
"""

import dataclasses
import datetime
import itertools
import re
import statistics

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from journal import analysis
from journal.analysis import (
    DOSE_REDUCTION,
    MOTOR_FIELDS,
    RULE_FIELDS,
    TREATMENT_STOPPED,
    TRIGGER_LABELS,
    Baseline,
    Course,
    Day,
    Episode,
    PossibleTrigger,
    Status,
    Trigger,
    TriggerRecord,
    daily_score,
    entry_fevers,
    period_means,
    recent_against_before,
    score_band,
    seven_day_means,
    share_logged,
    treatment_triggers,
    with_treatment_triggers,
)
from journal.scales import CORE_FIELDS, MAX_DAILY_SCORE, MAX_RATING

DEFAULT_RULE = analysis.CLASSIC_RULE


def RelapseRule(**numbers):
    """A rule with these numbers, the others the first rule's."""
    return dataclasses.replace(DEFAULT_RULE, **numbers)


def episodes(days, triggers=(), rule=DEFAULT_RULE):
    return analysis.episodes(days, triggers, rule)


def status(days, today, rule=DEFAULT_RULE, triggers=()):
    return analysis.status(days, today, rule, triggers)


def status_and_episodes(days, today, triggers=(), rule=DEFAULT_RULE):
    return analysis.status_and_episodes(days, today, triggers, rule)


def baseline_before(days, day, rule=DEFAULT_RULE):
    return analysis.baseline_before(days, day, rule)


def possible_triggers(onset, triggers, rule=DEFAULT_RULE):
    return analysis.possible_triggers(onset, triggers, rule)


def illness_associated(onset, triggers, rule=DEFAULT_RULE):
    return analysis.illness_associated(onset, triggers, rule)


def is_raised(day, baseline, rule=DEFAULT_RULE):
    return analysis.is_raised(day, baseline, rule)


def trigger_record(triggers, found, first, last, rule=DEFAULT_RULE):
    return analysis.trigger_record(triggers, found, first, last, rule)


BANDS = ("calm", "mild", "marked", "severe")


def ratings(**values):
    """Every core item unrated, except those given."""
    return {field: values.get(field) for field in CORE_FIELDS}


# --- daily_score ----------------------------------------------------------------------------------


def test_daily_score_is_none_when_nothing_was_rated():
    assert daily_score(ratings()) is None


def test_daily_score_is_none_for_an_empty_mapping():
    assert daily_score({}) is None


def test_daily_score_of_all_zeros_is_zero_not_none():
    # "Nothing seen" is an observation; "not rated" is not.
    assert daily_score(ratings(opsoclonus=0, myoclonus=0, ataxia=0, sleep=0, rage=0)) == 0


def test_daily_score_of_one_zero_is_zero():
    assert daily_score(ratings(sleep=0)) == 0


def test_daily_score_sums_only_the_observed_items():
    assert daily_score(ratings(opsoclonus=2, ataxia=3, rage=None)) == 5


def test_daily_score_treats_missing_keys_as_unrated():
    assert daily_score({"myoclonus": 1, "sleep": 2}) == 3


def test_daily_score_at_its_maximum():
    worst = {field: MAX_RATING for field in CORE_FIELDS}
    assert daily_score(worst) == MAX_DAILY_SCORE == 15


def test_daily_score_ignores_fields_that_are_not_core_items():
    day = ratings(opsoclonus=1) | {"sleep_hours": 9, "night_wakings": 4, "rage_episodes": 2}
    assert daily_score(day) == 1


# --- score_band -----------------------------------------------------------------------------------


def test_score_band_of_no_score_is_none():
    assert score_band(None) == "none"


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "calm"),
        (2, "calm"),
        (3, "mild"),
        (5, "mild"),
        (6, "marked"),
        (9, "marked"),
        (10, "severe"),
        (15, "severe"),
    ],
)
def test_score_band_edges(score, band):
    assert score_band(score) == band


@pytest.mark.parametrize("score", [-1, 16, 100])
def test_score_band_refuses_a_score_out_of_range(score):
    with pytest.raises(ValueError, match=r"between 0 and 15"):
        score_band(score)


# --- share_logged ---------------------------------------------------------------------------------


def test_share_logged_of_half_the_days():
    assert share_logged(range(15), 30) == 0.5


def test_share_logged_counts_a_day_once():
    assert share_logged(["2024-03-01", "2024-03-01", "2024-03-02"], 4) == 0.5


def test_share_logged_of_no_entries_is_zero():
    assert share_logged([], 28) == 0.0


@pytest.mark.parametrize("days", [0, -7])
def test_share_logged_of_an_empty_period_is_zero(days):
    assert share_logged(range(3), days) == 0.0


def test_share_logged_never_exceeds_one():
    assert share_logged(range(40), 28) == 1.0


def test_share_logged_accepts_a_generator():
    assert share_logged((day for day in range(7)), 14) == 0.5


# --- properties -----------------------------------------------------------------------------------

rating = st.one_of(st.none(), st.integers(min_value=0, max_value=MAX_RATING))
core_ratings = st.fixed_dictionaries({field: rating for field in CORE_FIELDS})


@given(core_ratings)
def test_daily_score_is_the_sum_of_observed_items_within_range(day):
    observed = [value for value in day.values() if value is not None]
    score = daily_score(day)
    if observed:
        assert score == sum(observed)
        assert 0 <= score <= MAX_DAILY_SCORE
        assert score_band(score) in BANDS
    else:
        assert score is None
        assert score_band(score) == "none"


@given(core_ratings, st.sampled_from(CORE_FIELDS))
def test_rating_an_item_higher_never_lowers_the_score(day, field):
    worse = day | {field: MAX_RATING}
    before = daily_score(day) or 0
    assert daily_score(worse) >= before


@given(
    st.integers(min_value=0, max_value=MAX_DAILY_SCORE),
    st.integers(min_value=0, max_value=MAX_DAILY_SCORE),
)
def test_a_higher_score_is_never_a_calmer_band(low, high):
    low, high = sorted((low, high))
    assert BANDS.index(score_band(low)) <= BANDS.index(score_band(high))


@given(st.lists(st.integers(min_value=0, max_value=400)), st.integers(-5, 400))
def test_share_logged_is_a_share(days, period):
    share = share_logged(days, period)
    assert 0.0 <= share <= 1.0
    if period > 0 and len(set(days)) <= period:
        assert share == len(set(days)) / period


# ===============================================================================================
# The possible-relapse rule (DOMAIN.md, "Possible relapse"), and the series built beside it.
#
# The days are built by `days_from(start, [2, 2, None, 9, ...])`: an int is the daily score, spread
# over all five core items as evenly as possible (2 -> 1,1,0,0,0); None is a missing day; a dict
# is the ratings themselves, for the item-rise path. `CALM` is 14 days at 2: the baseline is then
# 2 (items 1,1,0,0,0), a raised day scores 5 or more, a calm day 3 or less, and 4 is neither.
# ===============================================================================================

START = datetime.date(2024, 3, 1)
CALM = [2] * 14
ONSET = 14  # the index of the first day after CALM


def on(offset: int) -> datetime.date:
    """The date `offset` days after START."""
    return START + datetime.timedelta(days=offset)


def spread(score: int) -> dict[str, int]:
    """All five core items rated, summing to `score`, as evenly as possible (first items first)."""
    base, extra = divmod(score, len(CORE_FIELDS))
    return {name: base + (index < extra) for index, name in enumerate(CORE_FIELDS)}


def rated(**values: int) -> dict[str, int]:
    """All five core items rated: 0 unless given."""
    return {name: values.get(name, 0) for name in CORE_FIELDS}


def days_from(start: datetime.date, values) -> list[Day]:
    """One Day per value, a day apart from `start`: int = a score, dict = ratings, None = gap."""
    days = []
    for offset, value in enumerate(values):
        if value is None:
            continue
        ratings_ = spread(value) if isinstance(value, int) else value
        days.append(Day(start + datetime.timedelta(days=offset), ratings_))
    return days


def history(*values) -> list[Day]:
    return days_from(START, values)


def onsets(days, rule=DEFAULT_RULE) -> list[datetime.date]:
    return [episode.onset for episode in episodes(days, rule=rule)]


def trigger(offset: int, kind: str = "stress", end: int | None = None) -> Trigger:
    return Trigger(on(offset), kind, TRIGGER_LABELS[kind], None if end is None else on(end))


# --- the builders themselves ----------------------------------------------------------------------


@pytest.mark.parametrize("score", range(MAX_DAILY_SCORE + 1))
def test_spread_rates_all_five_items_to_the_score_wanted(score):
    ratings_ = spread(score)
    assert set(ratings_) == set(CORE_FIELDS)
    assert daily_score(ratings_) == score
    assert max(ratings_.values()) - min(ratings_.values()) <= 1


def test_days_from_leaves_missing_days_out():
    days = days_from(START, [2, None, 9])
    assert [(day.date, day.score) for day in days] == [(on(0), 2), (on(2), 9)]


# --- empty and short histories --------------------------------------------------------------------


def test_an_empty_history_has_no_episode():
    assert episodes([]) == []


def test_the_status_of_an_empty_history_is_not_enough_data():
    assert status([], START) == Status("not_enough_data", logged_in_window=0)


def test_a_short_history_has_no_episode_even_when_it_is_bad():
    assert episodes(history(0, 0, 0, 15, 15, 15)) == []


def test_the_status_of_a_short_history_says_how_many_days_are_logged():
    found = status(history(2, 2, None, 2, 2, 2), on(5))
    assert found.kind == "not_enough_data"
    assert found.logged_in_window == 5
    assert found.baseline is None


def test_not_enough_data_counts_only_the_logged_days_of_the_window_ending_today():
    # Days 0-9 are more than 14 days before day 30; days 17, 20 and 30 are within.
    days = [*history(*[2] * 10), Day(on(17), spread(2)), Day(on(20), spread(2))]
    days.append(Day(on(30), spread(2)))
    assert status(days, on(30)) == Status("not_enough_data", logged_in_window=3)


# --- the baseline ---------------------------------------------------------------------------------


def test_a_baseline_resting_on_six_logged_days_of_fourteen_is_too_thin():
    days = history(*[2, None] * 6, None, None)
    assert len(days) == 6
    assert baseline_before(days, on(14)) is None


def test_a_baseline_resting_on_seven_logged_days_of_fourteen_is_enough():
    days = history(*[2, None] * 7)
    found = baseline_before(days, on(14))
    assert found == Baseline(
        2, {"opsoclonus": 1, "myoclonus": 1, "ataxia": 0, "sleep": 0, "rage": 0}, 7, motor=2
    )


def test_the_baseline_is_the_median_of_the_fourteen_days_before_the_day():
    # Day 0 is 15 days before day 15 and left out; day 15 itself is left out too.
    days = history(15, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    found = baseline_before(days, on(15))
    assert found.score == statistics.median(range(1, 15)) == 7.5
    assert found.logged_days == 14


def test_each_item_has_its_own_baseline_the_median_of_that_item():
    days = days_from(START, [rated(opsoclonus=3, rage=value % 2) for value in range(14)])
    found = baseline_before(days, on(14))
    assert found.items["opsoclonus"] == 3
    assert found.items["rage"] == 0.5
    assert found.items["ataxia"] == 0
    assert found.score == 3.5


def test_an_item_never_rated_in_the_window_has_no_baseline():
    days = days_from(START, [{"opsoclonus": 1, "myoclonus": 1}] * 14)
    assert set(baseline_before(days, on(14)).items) == {"opsoclonus", "myoclonus"}


def test_a_thin_baseline_opens_no_episode_but_seven_logged_days_do():
    thin = [2, None] * 6 + [None, None]  # 6 logged days in the 14 before day 14
    assert episodes(history(*thin, 9, 9, 9)) == []
    enough = [2, None] * 6 + [2, None]  # 7 logged days
    assert onsets(history(*enough, 9, 9, 9)) == [on(14)]


# --- raised days and onset ------------------------------------------------------------------------


def test_a_single_bad_day_never_opens_an_episode():
    assert episodes(history(*CALM, 15, 2, 2, 2, 2, 2)) == []


def test_two_bad_days_then_a_calm_day_open_nothing():
    assert episodes(history(*CALM, 9, 9, 2, 9, 9, 2, 2)) == []


def test_three_raised_days_in_a_row_open_an_episode_on_the_first():
    (episode,) = episodes(history(*CALM, 2, 9, 9, 9))
    assert episode.onset == on(ONSET + 1)
    assert episode.ongoing


def test_a_score_of_baseline_plus_three_is_raised():
    assert onsets(history(*CALM, 5, 5, 5)) == [on(ONSET)]


def test_a_score_of_baseline_plus_two_is_not_raised():
    assert episodes(history(*CALM, 4, 4, 4, 4, 4)) == []


def test_the_baseline_is_frozen_at_onset():
    # Ten days at 9 would lift a moving baseline to 9; 5 stays raised against the frozen 2.
    (episode,) = episodes(history(*CALM, *[9] * 10, 5, 5, 5, 5))
    assert episode.baseline == baseline_before(history(*CALM), on(ONSET))
    assert episode.baseline.score == 2
    assert episode.ongoing


def test_the_frozen_baseline_decides_when_an_episode_is_calm_again():
    (episode,) = episodes(history(*CALM, *[9] * 10, 3, 3, 3))
    assert episode.end == on(ONSET + 9)


def test_one_item_two_above_its_own_baseline_raises_a_day_alone():
    # Balance goes from 0 to 2: score 4, not raised by the score, raised by the item.
    balance = rated(opsoclonus=1, myoclonus=1, ataxia=2)
    assert daily_score(balance) == 4
    (episode,) = episodes(history(*CALM, balance, balance, balance))
    assert episode.onset == on(ONSET)


def test_one_item_one_above_its_own_baseline_does_not_raise_a_day():
    eyes = rated(opsoclonus=2, myoclonus=1)  # eyes 2 against their usual 1
    assert episodes(history(*CALM, eyes, eyes, eyes, eyes)) == []


def test_a_raised_item_and_a_raised_score_mix_in_one_run():
    balance = rated(opsoclonus=1, myoclonus=1, ataxia=2)
    assert onsets(history(*CALM, balance, 9, balance)) == [on(ONSET)]


def test_an_item_never_rated_before_cannot_raise_a_day():
    usual = {"opsoclonus": 1, "myoclonus": 1}
    worse = {"opsoclonus": 1, "myoclonus": 1, "rage": 3}  # score 5, but rage has no baseline
    assert daily_score(worse) == 5
    days = days_from(START, [usual] * 14 + [worse] * 3)
    assert onsets(days) == [on(ONSET)]  # the score alone: 5 >= 2 + 3
    worse_but_less = {"opsoclonus": 1, "myoclonus": 1, "rage": 2}  # score 4
    assert episodes(days_from(START, [usual] * 14 + [worse_but_less] * 3)) == []


# --- gaps -----------------------------------------------------------------------------------------


def test_a_gap_of_three_missing_days_keeps_a_raised_run():
    assert onsets(history(*CALM, 9, None, None, None, 9, 9)) == [on(ONSET)]


def test_a_gap_of_four_missing_days_breaks_a_raised_run():
    assert episodes(history(*CALM, 9, None, None, None, None, 9, 9)) == []
    assert onsets(history(*CALM, 9, None, None, None, None, 9, 9, 9)) == [on(ONSET + 5)]


def test_missing_days_neither_raise_nor_break_a_run():
    assert onsets(history(*CALM, 9, None, 9, None, 9)) == [on(ONSET)]


def test_a_day_with_no_core_item_rated_is_a_missing_day_not_a_zero():
    unrated = {name: None for name in CORE_FIELDS} | {"sleep_hours": 4}
    days = history(*CALM, 9, unrated, 9, 9)
    assert days[ONSET + 1].score is None
    assert onsets(days) == [on(ONSET)]


def test_a_gap_of_three_missing_days_keeps_a_calm_run():
    (episode,) = episodes(history(*CALM, 9, 9, 9, 3, None, None, None, 3, 3))
    assert episode.end == on(ONSET + 2)


def test_a_gap_of_four_missing_days_breaks_a_calm_run():
    (episode,) = episodes(history(*CALM, 9, 9, 9, 3, None, None, None, None, 3, 3))
    assert episode.ongoing
    (episode,) = episodes(history(*CALM, 9, 9, 9, 3, None, None, None, None, 3, 3, 3))
    assert episode.end == on(ONSET + 2)


def test_a_long_gap_does_not_end_an_episode():
    (episode,) = episodes(history(*CALM, 9, 9, 9, *[None] * 30, 9))
    assert episode.ongoing


# --- the end of an episode ------------------------------------------------------------------------


def test_an_episode_still_open_at_the_end_is_ongoing():
    days = history(*CALM, 9, 9, 9, 9, 3, 3)
    (episode,) = episodes(days)
    assert episode.end is None
    assert episode.ongoing
    assert status(days, on(ONSET + 5)) == Status(
        "relapse", since=on(ONSET), baseline=episode.baseline
    )


def test_an_episode_ends_on_the_last_raised_day_before_three_calm_days():
    (episode,) = episodes(history(*CALM, 9, 9, 9, 9, 3, 3, 3))
    assert episode.end == on(ONSET + 3)
    assert not episode.ongoing


def test_a_calm_day_scores_at_most_baseline_plus_one():
    (ended,) = episodes(history(*CALM, 9, 9, 9, 3, 3, 3))
    assert ended.end == on(ONSET + 2)
    (still,) = episodes(history(*CALM, 9, 9, 9, 4, 4, 4, 4))
    assert still.ongoing


def test_days_neither_raised_nor_calm_before_the_calm_days_are_not_the_end():
    (episode,) = episodes(history(*CALM, 9, 9, 9, 4, 4, 3, 3, 3))
    assert episode.end == on(ONSET + 2)


def test_a_day_neither_raised_nor_calm_restarts_the_calm_days():
    (episode,) = episodes(history(*CALM, 9, 9, 9, 3, 3, 4, 3, 3))
    assert episode.ongoing


def test_a_raised_day_among_calm_days_restarts_them_and_becomes_the_end():
    (episode,) = episodes(history(*CALM, 9, 9, 9, 3, 3, 9, 3, 3, 3))
    assert episode.end == on(ONSET + 5)


def test_a_day_raised_by_one_item_is_never_calm_whatever_its_score():
    eyes_only = rated(opsoclonus=3)  # eyes 3 against their usual 1: raised; score 3 alone: calm
    (episode,) = episodes(history(*CALM, 9, 9, 9, eyes_only, 3, 3))
    assert episode.ongoing
    (episode,) = episodes(history(*CALM, 9, 9, 9, eyes_only, 3, 3, 3))
    assert episode.end == on(ONSET + 3)


def test_after_an_episode_ends_a_new_one_can_begin():
    days = history(*CALM, 9, 9, 9, 3, 3, 3, *CALM, 9, 9, 9)
    first, second = episodes(days)
    assert (first.onset, first.end) == (on(ONSET), on(ONSET + 2))
    assert (second.onset, second.end) == (on(2 * ONSET + 6), None)
    assert second.baseline.score == 2


def test_the_peak_is_the_highest_score_first_reached():
    (episode,) = episodes(history(*CALM, 6, 12, 9, 12, 3, 3, 3))
    assert (episode.peak_date, episode.peak_score) == (on(ONSET + 1), 12)


def test_the_peak_of_an_ended_episode_lies_between_onset_and_end():
    # The 4s after the end are not the episode's; neither are days after it closed.
    (episode,) = episodes(history(*CALM, 6, 6, 6, 3, 3, 3, 4, 4))
    assert (episode.peak_date, episode.peak_score) == (on(ONSET), 6)


def test_the_peak_of_an_ongoing_episode_counts_every_day_since_onset():
    (episode,) = episodes(history(*CALM, 6, 6, 6, 3, 3, 11))
    assert (episode.peak_date, episode.peak_score) == (on(ONSET + 5), 11)


def test_length_days_counts_onset_and_end():
    (episode,) = episodes(history(*CALM, 9, 9, 9, 9, 3, 3, 3))
    assert episode.length_days(on(100)) == 4


def test_length_days_of_an_ongoing_episode_runs_to_today():
    (episode,) = episodes(history(*CALM, 9, 9, 9))
    assert episode.length_days(on(ONSET + 2)) == 3
    assert episode.length_days(on(ONSET + 9)) == 10
    assert episode.last_day(on(ONSET + 9)) == on(ONSET + 9)


def test_overlaps_a_period():
    (episode,) = episodes(history(*CALM, 9, 9, 9, 9, 3, 3, 3))  # days 14 to 17
    assert episode.overlaps(on(17), on(30))
    assert episode.overlaps(on(0), on(14))
    assert not episode.overlaps(on(18), on(30))
    assert not episode.overlaps(on(0), on(13))


def test_an_ongoing_episode_overlaps_every_period_after_its_onset():
    (episode,) = episodes(history(*CALM, 9, 9, 9))
    assert episode.overlaps(on(400), on(500))
    assert not episode.overlaps(on(0), on(13))


# --- possible triggers ----------------------------------------------------------------------------


@pytest.mark.parametrize("days_before", [0, 1, 27, 28])
def test_a_trigger_in_the_28_days_before_onset_is_a_possible_trigger(days_before):
    stress = trigger(ONSET - days_before)
    assert possible_triggers(on(ONSET), [stress]) == (PossibleTrigger(stress, days_before),)


@pytest.mark.parametrize("days_before", [29, 60, -1, -10])
def test_a_trigger_earlier_than_28_days_or_after_onset_is_not(days_before):
    assert possible_triggers(on(ONSET), [trigger(ONSET - days_before)]) == ()


def test_possible_triggers_are_listed_farthest_first_with_days_to_onset():
    found = possible_triggers(on(40), [trigger(38, "vaccination"), trigger(20), trigger(40)])
    assert [(p.trigger.type, p.days_before_onset) for p in found] == [
        ("stress", 20),
        ("vaccination", 2),
        ("stress", 0),
    ]


def test_episodes_carry_their_possible_triggers():
    triggers = [trigger(0, "vaccination"), trigger(ONSET + 1), trigger(ONSET - 29)]
    (episode,) = episodes(history(*CALM, 9, 9, 9), triggers)
    assert [(p.trigger.type, p.days_before_onset) for p in episode.possible_triggers] == [
        ("vaccination", ONSET)
    ]
    assert not episode.illness_associated


def test_triggers_do_not_change_when_an_episode_begins_or_ends():
    days = history(*CALM, 9, 9, 9, 3, 3, 3)
    plain = [(e.onset, e.end, e.peak_date) for e in episodes(days)]
    with_fever = [(e.onset, e.end, e.peak_date) for e in episodes(days, [trigger(13, "fever")])]
    assert plain == with_fever


@pytest.mark.parametrize(
    ("start", "end", "associated"),
    [
        (10, 20, True),  # onset during the illness
        (14, None, True),  # onset on the day of a one-day fever
        (5, 11, True),  # onset 3 days after it ended
        (5, 10, False),  # 4 days after
        (17, 20, True),  # onset 3 days before it began
        (18, 20, False),  # 4 days before
        (11, None, True),  # 3 days after a one-day fever
        (10, None, False),  # 4 days after
    ],
)
@pytest.mark.parametrize("kind", ["fever", "illness"])
def test_an_onset_during_or_within_three_days_of_illness_is_illness_associated(
    kind, start, end, associated
):
    assert illness_associated(on(14), [trigger(start, kind, end)]) is associated


def test_a_vaccination_is_not_an_illness():
    assert not illness_associated(on(14), [trigger(14, "vaccination"), trigger(13, "stress")])


def test_episodes_are_labelled_illness_associated():
    (episode,) = episodes(history(*CALM, 9, 9, 9), [trigger(ONSET + 2, "fever", ONSET + 5)])
    assert episode.illness_associated
    # A fever after onset is not a possible trigger, but it still labels the onset.
    assert episode.possible_triggers == ()


PREDNISOLONE = Course(
    "Prednisolone",
    start=on(0),
    end=on(40),
    doses=((on(0), 2.0), (on(10), 1.5), (on(20), 1.0), (on(25), 1.5), (on(30), 1.5)),
    unit="mg/kg",
)


def test_each_dose_reduction_of_a_course_is_a_trigger_and_its_stop_too():
    # Increases (day 25) and unchanged doses (day 30) are not triggers. The course's end is its
    # last day given, so the child is without it from the day after: the stop is dated then.
    assert treatment_triggers([PREDNISOLONE]) == [
        Trigger(on(10), DOSE_REDUCTION, "Prednisolone lowered 2 → 1.5 mg/kg"),
        Trigger(on(20), DOSE_REDUCTION, "Prednisolone lowered 1.5 → 1 mg/kg"),
        Trigger(on(41), TREATMENT_STOPPED, "Prednisolone stopped"),
    ]


def test_the_triggers_of_several_courses_come_in_date_order():
    ivig = Course("IVIG", on(0), on(14), ((on(0), 2.0), (on(15), 1.0)), unit="g/kg")
    found = treatment_triggers([PREDNISOLONE, ivig])
    assert [(t.date, t.type) for t in found] == [
        (on(10), DOSE_REDUCTION),
        (on(15), DOSE_REDUCTION),
        (on(15), TREATMENT_STOPPED),
        (on(20), DOSE_REDUCTION),
        (on(41), TREATMENT_STOPPED),
    ]


def test_a_change_logged_as_an_event_is_not_counted_twice_with_the_course():
    logged = Trigger(on(10), "immunotherapy_change", "Prednisolone lowered")
    stress = trigger(20)
    found = with_treatment_triggers([stress, logged], treatment_triggers([PREDNISOLONE]))
    assert [(t.date, t.type) for t in found] == [
        (on(10), "immunotherapy_change"),
        (on(20), DOSE_REDUCTION),
        (on(20), "stress"),
        (on(41), TREATMENT_STOPPED),
    ]


def test_a_course_still_running_has_no_stop():
    course = dataclasses.replace(PREDNISOLONE, end=None, doses=((on(0), 1.0), (on(9), 2.0)))
    assert treatment_triggers([course]) == []


def test_doses_given_out_of_order_are_read_in_date_order():
    course = dataclasses.replace(PREDNISOLONE, end=None, doses=((on(10), 1.0), (on(0), 2.0)))
    assert [t.date for t in treatment_triggers([course])] == [on(10)]


def test_a_dose_reduction_without_a_unit_has_a_tidy_label():
    course = Course("IVIG", on(0), None, ((on(0), 2.0), (on(5), 1.0)))
    assert treatment_triggers([course])[0].label == "IVIG lowered 2 → 1"


def test_the_dose_on_a_day_is_the_last_one_given_from_or_before_it():
    assert PREDNISOLONE.dose_on(on(-1)) is None
    assert PREDNISOLONE.dose_on(on(0)) == 2.0
    assert PREDNISOLONE.dose_on(on(19)) == 1.5
    assert PREDNISOLONE.dose_on(on(20)) == 1.0


def test_a_dose_reduction_before_onset_is_a_possible_trigger():
    triggers = treatment_triggers([PREDNISOLONE])
    # Onset on day 30: the reductions on days 10 and 20 are 20 and 10 days before it.
    days = history(*CALM, *CALM, 2, 2, 9, 9, 9)
    (episode,) = episodes(days, triggers)
    assert episode.onset == on(30)
    assert [(p.trigger.type, p.days_before_onset) for p in episode.possible_triggers] == [
        (DOSE_REDUCTION, 20),
        (DOSE_REDUCTION, 10),
    ]


# --- the 7-day mean -------------------------------------------------------------------------------


def test_the_seven_day_mean_has_a_gap_with_fewer_than_four_logged_days():
    days = history(None, None, None, None, 3, 6, 9)
    assert seven_day_means(days, on(6), on(6)) == [(on(6), None)]


def test_the_seven_day_mean_of_four_logged_days():
    days = history(None, None, None, 0, 3, 6, 9)
    assert seven_day_means(days, on(6), on(6)) == [(on(6), 4.5)]


def test_the_seven_day_mean_covers_the_seven_days_ending_on_the_day():
    days = history(15, 1, 1, 1, 1, 1, 1, 8)  # day 0 is eight days before day 7
    assert seven_day_means(days, on(7), on(7)) == [(on(7), 2.0)]


def test_seven_day_means_give_one_value_per_day_from_first_to_last():
    days = history(*[3] * 10)
    means = seven_day_means(days, on(0), on(13))
    assert [day for day, _ in means] == [on(offset) for offset in range(14)]
    assert [mean for _, mean in means] == [None] * 3 + [3] * 10 + [None]


# --- status ---------------------------------------------------------------------------------------


def test_status_is_stable_with_enough_calm_days():
    found = status(history(*CALM), on(13))
    assert found.kind == "stable"
    assert found.baseline.score == 2
    assert found.logged_in_window == 14
    assert found.since is None


def test_status_is_rising_after_one_raised_day():
    found = status(history(*CALM, 9), on(ONSET))
    assert (found.kind, found.raised_days) == ("rising", 1)


def test_status_is_rising_after_two_raised_days():
    found = status(history(*CALM, 9, None, 9), on(ONSET + 2))
    assert (found.kind, found.raised_days) == ("rising", 2)


def test_status_is_stable_again_after_a_calm_day():
    assert status(history(*CALM, 9, 9, 2), on(ONSET + 2)).kind == "stable"


@pytest.mark.parametrize("days_later", [1, 3])
def test_rising_is_remembered_over_a_short_gap_before_today(days_later):
    found = status(history(*CALM, 9), on(ONSET + days_later))
    assert (found.kind, found.raised_days) == ("rising", 1)


def test_rising_is_forgotten_after_a_gap_longer_than_max_gap_days_before_today():
    # Days 15 to 18 missing: four, more than three.
    assert status(history(*CALM, 9), on(ONSET + 5)).kind == "stable"


def test_rising_is_remembered_while_a_raised_day_logged_today_would_continue_the_run():
    days = history(*CALM, 9)
    today = on(ONSET + 4)  # days 15, 16 and 17 missing; today not logged yet
    assert status([*days, Day(today, spread(9))], today).raised_days == 2  # holds
    assert status(days, today).kind == "rising"


def test_status_is_relapse_since_onset():
    days = history(*CALM, 9, 9, 9, 9)
    (episode,) = episodes(days)
    found = status(days, on(ONSET + 3))
    assert (found.kind, found.since, found.baseline) == ("relapse", on(ONSET), episode.baseline)


def test_status_is_stable_once_the_episode_has_ended():
    assert status(history(*CALM, 9, 9, 9, 3, 3, 3), on(ONSET + 5)).kind == "stable"


def test_status_ignores_days_after_today():
    days = history(*CALM, 9, 9, 9)
    assert status(days, on(ONSET - 1)).kind == "stable"
    assert status(days, on(ONSET + 1)).kind == "rising"


def test_a_relapse_outlasts_a_long_gap_before_today():
    assert status(history(*CALM, 9, 9, 9), on(ONSET + 60)).kind == "relapse"


# --- recent against before ------------------------------------------------------------------------


def test_recent_against_before_compares_the_last_seven_days_with_the_28_before():
    days = history(15, *[2] * 28, *[6] * 7)  # day 0 is 36 days before today, left out
    today = on(35)
    recent, before = recent_against_before(days, today)
    assert (recent.first, recent.last, recent.logged_days, recent.score) == (on(29), today, 7, 6)
    assert (before.first, before.last, before.logged_days, before.score) == (on(1), on(28), 28, 2)
    assert recent.items == {name: value for name, value in spread(6).items()}
    assert before.items["opsoclonus"] == 1
    assert before.items["ataxia"] == 0


def test_recent_against_before_leaves_missing_days_out_of_the_means():
    days = history(*[None] * 28, 4, None, None, 8, None, None, None)
    recent, before = recent_against_before(days, on(34))
    assert (recent.logged_days, recent.score) == (2, 6)
    assert (before.logged_days, before.score) == (0, None)
    assert before.items == dict.fromkeys(CORE_FIELDS)


def test_recent_against_before_takes_other_lengths():
    recent, before = recent_against_before(history(*[1] * 20), on(19), recent=3, before=5)
    assert (recent.first, recent.last, before.first, before.last) == (
        on(17),
        on(19),
        on(12),
        on(16),
    )


def test_period_means_of_items_rated_on_some_days_only():
    days = days_from(START, [{"opsoclonus": 2}, {"opsoclonus": 1, "rage": 3}])
    found = period_means(days, on(0), on(1))
    assert found.items["opsoclonus"] == 1.5
    assert found.items["rage"] == 3
    assert found.items["sleep"] is None
    assert found.score == 3


# --- the record of triggers -----------------------------------------------------------------------


def an_episode(onset: int) -> Episode:
    return Episode(on(onset), None, on(onset), 9, Baseline(2, {}, 14))


def test_trigger_record_counts_each_type_in_the_period_and_those_followed():
    found = [an_episode(100), an_episode(200)]
    triggers = [
        trigger(72, "fever"),  # 28 days before onset 100: followed
        trigger(71, "fever"),  # 29 days before: not
        trigger(100, "fever"),  # on the onset day: followed, 0 days
        trigger(190, "fever"),  # 10 days before onset 200
        trigger(300, "fever"),  # no onset after it
        trigger(150, "vaccination"),  # 50 days before onset 200
        trigger(10, "stress"),  # before the period
        trigger(400, "stress"),  # after the period
    ]
    assert trigger_record(triggers, found, on(50), on(350)) == [
        TriggerRecord("fever", occurred=5, followed=3, median_days_to_onset=10),
        TriggerRecord("vaccination", occurred=1, followed=0, median_days_to_onset=None),
    ]


def test_trigger_record_includes_the_first_and_last_days_of_the_period():
    (record,) = trigger_record([trigger(5), trigger(9)], [], on(5), on(9))
    assert record.occurred == 2


def test_a_trigger_after_onset_is_not_followed_by_that_episode():
    (record,) = trigger_record([trigger(101)], [an_episode(100)], on(0), on(200))
    assert (record.followed, record.median_days_to_onset) == (0, None)


def test_trigger_record_says_when_there_are_too_few():
    few = trigger_record([trigger(day) for day in range(4)], [], on(0), on(10))
    enough = trigger_record([trigger(day) for day in range(5)], [], on(0), on(10))
    assert few[0].too_few
    assert not enough[0].too_few
    assert few[0].label == "Major stress"


def test_trigger_record_uses_the_rules_trigger_window():
    rule = RelapseRule(trigger_window_days=7)
    record = trigger_record([trigger(92), trigger(93)], [an_episode(100)], on(0), on(200), rule)
    assert record[0].followed == 1


def test_trigger_record_lists_the_most_frequent_first():
    triggers = [trigger(1, "vaccination"), trigger(2), trigger(3), trigger(4, "fever")]
    assert [r.type for r in trigger_record(triggers, [], on(0), on(9))] == [
        "stress",
        "fever",
        "vaccination",
    ]


# --- every number of the rule is honoured ---------------------------------------------------------


def test_a_shorter_baseline_looks_back_fewer_days():
    days = history(*[9] * 7, *[2] * 7)
    assert baseline_before(days, on(14)).score == 5.5
    assert baseline_before(days, on(14), RelapseRule(baseline_days=7)).score == 2


def test_min_logged_days_sets_how_many_days_a_baseline_needs():
    days = history(2, 2, 2, 2)
    assert baseline_before(days, on(4)) is None
    assert baseline_before(days, on(4), RelapseRule(min_logged_days=4)).logged_days == 4


def test_score_rise_sets_how_far_above_baseline_a_raised_day_is():
    rule = RelapseRule(score_rise=4)
    assert episodes(history(*CALM, 5, 5, 5), rule=rule) == []
    assert onsets(history(*CALM, 6, 6, 6), rule=rule) == [on(ONSET)]


def test_item_rise_sets_how_far_above_its_baseline_an_item_raises_a_day():
    eyes = rated(opsoclonus=2, myoclonus=1)  # eyes one above their usual 1, score 3
    assert onsets(history(*CALM, eyes, eyes, eyes), rule=RelapseRule(item_rise=1)) == [on(ONSET)]
    balance = rated(opsoclonus=1, myoclonus=1, ataxia=2)
    assert episodes(history(*CALM, balance, balance, balance), rule=RelapseRule(item_rise=3)) == []


def test_raised_run_sets_how_many_raised_days_open_an_episode():
    assert onsets(history(*CALM, 9, 9), rule=RelapseRule(raised_run=2)) == [on(ONSET)]
    assert episodes(history(*CALM, 9, 9, 9, 2), rule=RelapseRule(raised_run=4)) == []


def test_calm_margin_sets_what_a_calm_day_is():
    (ongoing,) = episodes(history(*CALM, 9, 9, 9, 3, 3, 3), rule=RelapseRule(calm_margin=0))
    assert ongoing.ongoing
    (ended,) = episodes(history(*CALM, 9, 9, 9, 4, 4, 4), rule=RelapseRule(calm_margin=2))
    assert ended.end == on(ONSET + 2)


def test_calm_run_sets_how_many_calm_days_end_an_episode():
    (ended,) = episodes(history(*CALM, 9, 9, 9, 9, 3, 3), rule=RelapseRule(calm_run=2))
    assert ended.end == on(ONSET + 3)
    (ongoing,) = episodes(history(*CALM, 9, 9, 9, 3, 3, 3), rule=RelapseRule(calm_run=4))
    assert ongoing.ongoing


def test_max_gap_days_sets_which_gap_breaks_a_run():
    rule = RelapseRule(max_gap_days=1)
    assert onsets(history(*CALM, 9, None, 9, 9), rule=rule) == [on(ONSET)]
    assert episodes(history(*CALM, 9, None, None, 9, 9), rule=rule) == []
    assert status(history(*CALM, 9), on(ONSET + 2), rule).kind == "rising"
    assert status(history(*CALM, 9), on(ONSET + 3), rule).kind == "stable"


def test_trigger_window_days_sets_how_far_back_triggers_are_looked_for():
    rule = RelapseRule(trigger_window_days=7)
    found = possible_triggers(on(20), [trigger(13), trigger(12)], rule)
    assert [p.days_before_onset for p in found] == [7]


def test_illness_window_days_sets_how_near_an_illness_labels_an_onset():
    rule = RelapseRule(illness_window_days=1)
    assert illness_associated(on(14), [trigger(10, "fever", 13)], rule)
    assert not illness_associated(on(14), [trigger(10, "fever", 12)], rule)
    assert illness_associated(on(14), [trigger(15, "illness")], rule)
    assert not illness_associated(on(14), [trigger(16, "illness")], rule)


def test_a_lighter_rule_altogether():
    rule = RelapseRule(raised_run=2, score_rise=4, baseline_days=7, min_logged_days=4)
    # Four logged days of 2 in the 7 before day 8; day 0 (a 15) is too far back to count.
    days = history(15, None, None, None, 2, 2, 2, 2, 6, 6, 2, 2, 2)
    (episode,) = episodes(days, rule=rule)
    assert (episode.onset, episode.end, episode.baseline.logged_days) == (on(8), on(9), 4)
    assert episode.baseline.score == 2
    assert episodes(days) == []  # the default rule has too little data


def test_the_rule_in_words_shows_every_one_of_its_numbers():
    rule = RelapseRule(
        baseline_days=21,
        recent_days_left_out=10,
        min_logged_days=9,
        baseline_reach_days=45,
        score_rise=4,
        score_motor_part=2,
        item_rise=3,
        sleep_rage_rise=1,
        motor_rise=7,
        raised_run=5,
        raised_run_after_trigger=3,
        motor_peak_after_trigger=8,
        score_peak_after_trigger=6,
        run_slack=1,
        days_dated_back=12,
        dated_back_margin=13,
        calm_margin=2,
        calm_run=6,
        max_gap_days=8,
        trigger_window_days=30,
        illness_window_days=11,
    )
    words = " ".join(rule.sentences())
    for name in RULE_FIELDS:
        assert re.search(rf"\b{getattr(rule, name)}\b", words), name
    assert len(RULE_FIELDS) == 21


# --- properties of the rule -----------------------------------------------------------------------
#
# A history is a list of per-day ratings: None for a missing day, else the five core ratings in
# CORE_FIELDS order (an item may be None in `partial` histories). It is drawn in stretches at one
# level with a little noise, and gaps of up to six days, so that calm spells, flares and broken
# runs all come up.

PROPERTY = settings(max_examples=200, deadline=None)


def day_choices(level: int, top: int, partial: bool) -> list[tuple[int | None, ...] | None]:
    """Every day at `level`, each item one either side of it (or unrated, if partial), and one
    missing day for every nine of them: one draw a day keeps the search fast."""
    values: list[int | None] = list(range(max(0, level - 1), min(top, level + 1) + 1))
    if partial:
        values.append(None)
    rated_days = list(itertools.product(values, repeat=len(CORE_FIELDS)))
    return [*rated_days, *[None] * (len(rated_days) // 9)]


@st.composite
def histories(draw, min_days=20, max_days=120, top=MAX_RATING, partial=False):
    length = draw(st.integers(min_days, max_days))
    drawn: list[tuple[int | None, ...] | None] = []
    while len(drawn) < length:
        if draw(st.integers(0, 4)) == 0:
            drawn.extend([None] * draw(st.integers(1, 6)))
            continue
        level = draw(st.integers(0, top))
        span = draw(st.integers(1, 12))
        day = st.sampled_from(day_choices(level, top, partial))
        drawn.extend(draw(st.lists(day, min_size=span, max_size=span)))
    return drawn[:length]


@st.composite
def rules(draw):
    """Rules within the ranges a family may choose (journal.models.RULE_RANGES), kept small
    enough that the drawn histories reach them."""
    baseline_days = draw(st.integers(7, 21))
    item_rise = draw(st.integers(1, 3))
    return RelapseRule(
        baseline_days=baseline_days,
        baseline_reach_days=baseline_days,  # the first rule's: never reaching further back
        min_logged_days=draw(st.integers(3, baseline_days)),
        score_rise=draw(st.integers(1, 6)),
        item_rise=item_rise,
        sleep_rage_rise=item_rise,  # the first rule's: every item raises a day alike
        raised_run=draw(st.integers(2, 5)),
        calm_margin=draw(st.integers(0, 3)),
        calm_run=draw(st.integers(1, 5)),
        max_gap_days=draw(st.integers(0, 5)),
        trigger_window_days=draw(st.integers(1, 40)),
        illness_window_days=draw(st.integers(0, 5)),
    )


def as_days(drawn, start=START) -> list[Day]:
    return [
        Day(start + datetime.timedelta(days=offset), dict(zip(CORE_FIELDS, values, strict=True)))
        for offset, values in enumerate(drawn)
        if values is not None
    ]


def logged_dates(days) -> list[datetime.date]:
    return sorted(day.date for day in days if day.score is not None)


def dates_of(found) -> list[tuple]:
    return [(e.onset, e.end, e.peak_date) for e in found]


def confirming_day(episode, days, rule=DEFAULT_RULE) -> datetime.date:
    """The logged day that completed the run of raised days opening the episode."""
    dates = logged_dates(days)
    return dates[dates.index(episode.onset) + rule.raised_run - 1]


def read_day_by_day(days, rule=DEFAULT_RULE) -> list[tuple]:
    """The episodes as DOMAIN.md words the rule, worked out slowly and independently of the
    module: (onset, end, peak date, peak score) each, oldest first.

    Each logged day's baseline comes from the logged days 1 to `baseline_days` calendar days
    before it. An episode opens on the first day of `raised_run` logged days in a row (none more
    than `max_gap_days` after the one before), each raised against its own baseline; its baseline
    is then frozen. From the day after that run, `calm_run` logged days in a row scoring at most
    frozen + `calm_margin` close it; its end is the last day raised against the frozen baseline up
    to the closing day, or the last day of the opening run if none is. The next episode is looked
    for from the day after the closing day. A day raised by an item alone is never calm, whatever
    its score: it prolongs the episode.
    """
    logged = {day.date: day for day in days if day.score is not None}
    dates = sorted(logged)

    def baseline(date):
        window = [logged[d] for d in dates if 1 <= (date - d).days <= rule.baseline_days]
        if len(window) < rule.min_logged_days:
            return None
        items = {}
        for name in CORE_FIELDS:
            values = [d.ratings[name] for d in window if d.ratings.get(name) is not None]
            if values:
                items[name] = statistics.median(values)
        return statistics.median(d.score for d in window), items

    def raised(index, against):
        if against is None:
            return False
        day = logged[dates[index]]
        score, items = against
        return day.score - score >= rule.score_rise or any(
            day.ratings.get(name) is not None and day.ratings[name] - usual >= rule.item_rise
            for name, usual in items.items()
        )

    def follows(index):
        return (dates[index] - dates[index - 1]).days - 1 <= rule.max_gap_days

    found = []
    first = 0
    while first + rule.raised_run <= len(dates):
        run = range(first, first + rule.raised_run)
        if not all(raised(i, baseline(dates[i])) for i in run) or not all(
            follows(i) for i in run[1:]
        ):
            first += 1
            continue
        frozen = baseline(dates[first])
        closing, calm = None, 0
        for i in range(run[-1] + 1, len(dates)):
            if logged[dates[i]].score > frozen[0] + rule.calm_margin or raised(i, frozen):
                calm = 0
            else:
                calm = (calm if follows(i) else 0) + 1
            if calm == rule.calm_run:
                closing = i
                break
        if closing is None:
            last, end = len(dates) - 1, None
        else:
            later = [i for i in range(run[-1] + 1, closing + 1) if raised(i, frozen)]
            last = max([run[-1], *later])
            end = dates[last]
        peak = max(range(first, last + 1), key=lambda i: (logged[dates[i]].score, -i))
        found.append((dates[first], end, dates[peak], logged[dates[peak]].score))
        if closing is None:
            break
        first = closing + 1
    return found


@PROPERTY
@given(histories())
def test_episodes_follow_the_rule_read_day_by_day(drawn):
    days = as_days(drawn)
    found = episodes(days)
    assert [(*dates, e.peak_score) for e, dates in zip(found, dates_of(found), strict=True)] == (
        read_day_by_day(days)
    )


@PROPERTY
@given(histories(partial=True), rules())
def test_episodes_follow_any_rule_read_day_by_day(drawn, rule):
    days = as_days(drawn)
    found = episodes(days, rule=rule)
    assert [(*dates, e.peak_score) for e, dates in zip(found, dates_of(found), strict=True)] == (
        read_day_by_day(days, rule)
    )


@st.composite
def calm_histories(draw):
    """Histories in which no day can be raised: every score 0-2, every item 0-1, and Eyes, Jerks
    and Balance together at most 1 (two of them at 1 for three days against a usual total of 0
    are a rise of 2, which the fourth rule raises)."""
    motor = [CORE_FIELDS.index(name) for name in MOTOR_FIELDS]
    calm = [
        r
        for r in itertools.product((0, 1), repeat=len(CORE_FIELDS))
        if sum(r) <= 2 and sum(r[i] for i in motor) <= 1
    ]
    return draw(st.lists(st.sampled_from([*calm, None, None]), min_size=20, max_size=120))


@PROPERTY
@given(calm_histories(), st.data())
def test_a_lone_bad_day_never_opens_an_episode(drawn, data):
    spike = data.draw(st.integers(0, len(drawn) - 1), label="spike")
    drawn[spike] = (MAX_RATING,) * 5
    days = as_days(drawn)
    assert episodes(days) == []
    assert status(days, days[-1].date).kind != "relapse"


@PROPERTY
@given(histories(), st.data())
def test_filling_a_missing_day_keeps_every_onset_confirmed_before_it(drawn, data):
    """Formulation: let D be a missing day of the history, and fill it with any ratings. Every
    episode whose onset and whose whole opening run (onset to the raised_run-th raised logged
    day, the day that confirmed it) lie before D keeps its onset: the episodes confirmed before
    D are, onset for onset, the first episodes after the filling. (Nothing is claimed for
    episodes confirmed on or after D: a calm day filled into a raised run rightly breaks it.)
    The rule is causal: a day's baseline and runs look only backwards."""
    missing = [offset for offset, values in enumerate(drawn) if values is None]
    assume(missing)
    filled = data.draw(st.sampled_from(missing), label="filled")
    before = episodes(as_days(drawn))
    drawn[filled] = data.draw(st.tuples(*[st.integers(0, MAX_RATING)] * 5), label="ratings")
    after = episodes(as_days(drawn))
    confirmed = [e for e in before if confirming_day(e, as_days(drawn)) < on(filled)]
    assert [e.onset for e in after[: len(confirmed)]] == [e.onset for e in confirmed]


@PROPERTY
@given(st.integers(1, MAX_RATING).flatmap(lambda k: st.tuples(st.just(k), histories(top=3 - k))))
def test_raising_every_rating_by_the_same_amount_changes_no_episode(shifted):
    rise, drawn = shifted
    days = as_days(drawn)
    higher = as_days([None if r is None else tuple(v + rise for v in r) for r in drawn])
    found, found_higher = episodes(days), episodes(higher)
    assert dates_of(found_higher) == dates_of(found)
    for episode, raised_episode in zip(found, found_higher, strict=True):
        assert raised_episode.peak_score == episode.peak_score + 5 * rise
        assert raised_episode.baseline.score == episode.baseline.score + 5 * rise
    today = on(len(drawn) - 1)
    assert status(higher, today).kind == status(days, today).kind


@PROPERTY
@given(histories(partial=True), rules())
def test_episodes_come_in_order_and_never_overlap(drawn, rule):
    found = episodes(as_days(drawn), rule=rule)
    for earlier, later in itertools.pairwise(found):
        assert earlier.end is not None
        assert earlier.end < later.onset
    assert all(not e.ongoing for e in found[:-1])


@PROPERTY
@given(histories(partial=True), rules())
def test_onset_end_and_peak_are_logged_days_of_the_episode(drawn, rule):
    days = as_days(drawn)
    dates = logged_dates(days)
    scores = {day.date: day.score for day in days if day.score is not None}
    for episode in episodes(days, rule=rule):
        last = episode.end or dates[-1]
        assert episode.onset in scores
        assert episode.end is None or episode.end in scores
        assert episode.onset <= confirming_day(episode, days, rule) <= last
        assert episode.onset <= episode.peak_date <= last
        within = [scores[d] for d in dates if episode.onset <= d <= last]
        assert episode.peak_score == scores[episode.peak_date] == max(within)
        assert episode.length_days(dates[-1]) == (last - episode.onset).days + 1


@PROPERTY
@given(histories(partial=True), rules())
def test_every_onset_is_raised_against_its_own_baseline_which_is_then_frozen(drawn, rule):
    days = as_days(drawn)
    by_date = {day.date: day for day in days}
    for episode in episodes(days, rule=rule):
        own = baseline_before(days, episode.onset, rule)
        assert episode.baseline == own
        assert own.logged_days >= rule.min_logged_days
        assert is_raised(by_date[episode.onset], own, rule)
        if episode.end is not None:
            assert is_raised(by_date[episode.end], own, rule) or episode.end == confirming_day(
                episode, days, rule
            )


@PROPERTY
@given(histories(partial=True), rules(), st.integers(0, 10))
def test_status_is_relapse_exactly_when_the_last_episode_is_ongoing(drawn, rule, later):
    days = as_days(drawn)
    today = on(len(drawn) - 1 + later)
    found = episodes(days, rule=rule)
    now = status(days, today, rule)
    if found and found[-1].ongoing:
        assert (now.kind, now.since, now.baseline) == (
            "relapse",
            found[-1].onset,
            found[-1].baseline,
        )
    else:
        assert now.kind != "relapse"
        assert now.since is None
    if now.kind == "rising":
        assert 1 <= now.raised_days < rule.raised_run
        last = logged_dates(days)[-1]
        assert (today - last).days - 1 <= rule.max_gap_days
        assert is_raised({d.date: d for d in days}[last], baseline_before(days, last, rule), rule)


@PROPERTY
@given(histories(partial=True), rules(), st.data())
def test_status_ignores_every_day_after_today(drawn, rule, data):
    today = on(data.draw(st.integers(0, len(drawn) - 1), label="today"))
    days = as_days(drawn)
    known = [day for day in days if day.date <= today]
    assert status(days, today, rule) == status(known, today, rule)


@PROPERTY
@given(histories(partial=True), st.randoms(use_true_random=False))
def test_the_order_the_days_come_in_does_not_matter(drawn, random):
    days = as_days(drawn)
    shuffled = random.sample(days, len(days))
    assert episodes(shuffled) == episodes(days)
    assert status(shuffled, on(len(drawn))) == status(days, on(len(drawn)))


@PROPERTY
@given(histories())
def test_a_day_with_nothing_rated_is_the_same_as_a_missing_day(drawn):
    unrated = dict.fromkeys(CORE_FIELDS)
    days = as_days(drawn)
    with_unrated = days + [Day(on(i), unrated) for i, r in enumerate(drawn) if r is None]
    assert episodes(with_unrated) == episodes(days)
    today = on(len(drawn) - 1)
    assert status(with_unrated, today) == status(days, today)
    assert seven_day_means(with_unrated, on(0), today) == seven_day_means(days, on(0), today)


@PROPERTY
@given(
    histories(partial=True),
    st.lists(
        st.tuples(
            st.integers(-10, 130), st.sampled_from(sorted(TRIGGER_LABELS)), st.integers(0, 10)
        ),
        max_size=8,
    ),
)
def test_triggers_label_episodes_but_never_move_them(drawn, drawn_triggers):
    triggers = [
        Trigger(on(day), kind, TRIGGER_LABELS[kind], on(day + length) if length else None)
        for day, kind, length in drawn_triggers
    ]
    days = as_days(drawn)
    found = episodes(days, triggers)
    assert dates_of(found) == dates_of(episodes(days))
    for episode in found:
        assert episode.possible_triggers == possible_triggers(episode.onset, triggers)
        for possible in episode.possible_triggers:
            assert 0 <= possible.days_before_onset <= DEFAULT_RULE.trigger_window_days
            assert possible.trigger.date + datetime.timedelta(possible.days_before_onset) == (
                episode.onset
            )
        near_illness = any(
            t.type in {"fever", "illness"}
            and t.date - datetime.timedelta(3)
            <= episode.onset
            <= t.last_date + datetime.timedelta(3)
            for t in triggers
        )
        assert episode.illness_associated is near_illness


@PROPERTY
@given(histories(partial=True))
def test_the_seven_day_mean_is_the_mean_of_at_least_four_logged_days_of_the_week(drawn):
    days = as_days(drawn)
    scores = {day.date: day.score for day in days if day.score is not None}
    for date, mean in seven_day_means(days, on(0), on(len(drawn) + 3)):
        week = [scores[d] for d in scores if 0 <= (date - d).days < 7]
        if len(week) < 4:
            assert mean is None
        else:
            assert mean == pytest.approx(sum(week) / len(week))


@PROPERTY
@given(histories(), st.one_of(rules(), st.just(analysis.DEFAULT_RULE)), st.integers(-10, 10))
def test_status_and_episodes_at_once_are_status_and_episodes(drawn, rule, shift):
    """One pass for both (the overview's) gives what each gives alone, for a day judged before,
    on or after the last logged day, with today's rule too (a trigger lets it flag sooner)."""
    days = as_days(drawn)
    assume(days)
    triggers = [Trigger(days[len(days) // 2].date, "fever", "Fever")]
    today = days[-1].date + datetime.timedelta(days=shift)
    together = status_and_episodes(days, today, triggers, rule)
    assert together == (status(days, today, rule, triggers), episodes(days, triggers, rule))


# --- A day's temperature is a fever ---------------------------------------------------------


def hot(day: datetime.date, temperature: float | None) -> Day:
    return Day(day, {}, {"max_temperature_c": temperature})


def test_a_days_temperature_of_38_or_more_is_a_fever_on_that_day():
    days = [hot(on(3), 37.9), hot(on(5), 38.0), hot(on(9), 39.6), hot(on(10), None)]

    fevers = entry_fevers(days, [])

    assert [(f.date, f.end_date, f.type, f.entry_temperature_c) for f in fevers] == [
        (on(5), None, "fever", 38.0),
        (on(9), None, "fever", 39.6),
    ]
    assert fevers[1].label == "Fever: 39.6 °C (day's temperature)"
    assert all(f.from_entries for f in fevers)


def test_days_of_fever_in_a_row_are_one_fever_to_its_highest():
    days = [hot(on(4), 38.2), hot(on(5), 39.9), hot(on(6), 38.5), hot(on(8), 38.1)]

    fevers = entry_fevers(days, [])

    assert [(f.date, f.end_date, f.entry_temperature_c) for f in fevers] == [
        (on(4), on(6), 39.9),
        (on(8), None, 38.1),
    ]


def test_a_fever_event_covering_the_day_counts_it_once():
    logged = Trigger(on(5), "fever", "Fever", end_date=on(7))
    illness = Trigger(on(10), "illness", "Illness", end_date=on(12))
    days = [
        hot(on(4), 38.4),
        hot(on(5), 39.0),
        hot(on(7), 39.0),
        hot(on(8), 38.6),
        hot(on(11), 38.3),
    ]

    fevers = entry_fevers(days, [logged, illness])

    # Only days no fever event covers; an illness event does not stand for a fever.
    assert [(f.date, f.end_date) for f in fevers] == [(on(4), None), (on(8), None), (on(11), None)]


def test_an_onset_during_or_just_after_a_days_fever_is_illness_associated():
    fevers = entry_fevers([hot(on(10), 39.6), hot(on(11), 37.0)], [])

    assert illness_associated(on(10), fevers)
    assert illness_associated(on(10 + DEFAULT_RULE.illness_window_days), fevers)
    assert not illness_associated(on(11 + DEFAULT_RULE.illness_window_days), fevers)
    assert not illness_associated(on(10), entry_fevers([hot(on(10), 37.9)], []))
    found = possible_triggers(on(14), fevers)
    assert [(p.trigger.label, p.days_before_onset) for p in found] == [
        ("Fever: 39.6 °C (day's temperature)", 4)
    ]


def test_a_flagged_relapse_that_began_on_a_fevers_day_says_so():
    days = history(*CALM, 7, 7, 7)
    days[ONSET] = dataclasses.replace(days[ONSET], details={"max_temperature_c": 38.5})

    found = episodes(days, entry_fevers(days, []))

    assert [e.onset for e in found] == [on(ONSET)]
    assert found[0].illness_associated
