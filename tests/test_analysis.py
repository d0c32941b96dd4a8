"""journal.analysis: pure functions, tested without the database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal.analysis import daily_score, score_band, share_logged
from journal.scales import CORE_FIELDS, MAX_DAILY_SCORE, MAX_RATING

BANDS = ("calm", "mild", "marked", "severe")


def ratings(**values):
    """Every core item unrated, except those given."""
    return {field: values.get(field) for field in CORE_FIELDS}


# --- daily_score -------------------------------------------------------------------------------


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


# --- score_band --------------------------------------------------------------------------------


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


# --- share_logged ------------------------------------------------------------------------------


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


# --- properties --------------------------------------------------------------------------------

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
