"""Days and times written for people, in the active language.

Each pattern is itself a message, so that a translator puts day, month and year in the order
of the language; Django's date format then writes the month's name in that language.
"""

import datetime

from django.utils.formats import date_format
from django.utils.translation import pgettext


def long_date(day: datetime.date) -> str:
    # Translators: a day written out in full, as Django's date format: "1 January 2026".
    return date_format(day, pgettext("date format", "j F Y"))


def short_date(day: datetime.date) -> str:
    # Translators: a day with a short month, as Django's date format: "1 Jan 2026".
    return date_format(day, pgettext("date format", "j M Y"))


def day_month(day: datetime.date) -> str:
    # Translators: a day and a short month, as Django's date format: "1 Jan".
    return date_format(day, pgettext("date format", "j M"))


def weekday_date(day: datetime.date) -> str:
    # Translators: a weekday, day and month, as Django's date format: "Monday 1 January".
    return date_format(day, pgettext("date format", "l j F"))


def short_date_time(moment: datetime.datetime) -> str:
    # Translators: a day and a time, as Django's date format: "1 Jan 2026, 14:05".
    return date_format(moment, pgettext("date format", "j M Y, H:i"))
