"""Pure functions over plain dates and numbers: no ORM, no request.

The trends issue grows this module (baselines, possible-relapse episodes); the journal needs the
daily score and its colour band now.
"""

from collections.abc import Iterable, Mapping

from journal.scales import CORE_FIELDS, MAX_DAILY_SCORE


def daily_score(ratings: Mapping[str, int | None]) -> int | None:
    """Sum of the core five ratings that were observed (0-15).

    "Not observed" is not 0: an unrated item adds nothing, and a day with no core item rated has
    no score at all. This is a parent-reported score, never a Mitchell-Pike or OMS-ES score.
    """
    observed = [ratings[field] for field in CORE_FIELDS if ratings.get(field) is not None]
    if not observed:
        return None
    return sum(observed)


def score_band(score: int | None) -> str:
    """A word for the colour of a daily score: none, calm, mild, marked or severe."""
    if score is None:
        return "none"
    if not 0 <= score <= MAX_DAILY_SCORE:
        raise ValueError(f"a daily score lies between 0 and {MAX_DAILY_SCORE}, not {score}")
    if score <= 2:
        return "calm"
    if score <= 5:
        return "mild"
    if score <= 9:
        return "marked"
    return "severe"


def share_logged(logged_days: Iterable[object], days_in_period: int) -> float:
    """The share of the period's days that have an entry, between 0 and 1."""
    if days_in_period <= 0:
        return 0.0
    return min(1.0, len(set(logged_days)) / days_in_period)
