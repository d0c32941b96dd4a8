from django import template

from journal import history, time_zones
from journal.models import plain_number

register = template.Library()


@register.filter
def plain(value) -> str:
    """7.500 as 7.5: doses and temperatures as a person writes them."""
    return plain_number(value)


@register.filter
def length_on(episode, today) -> int:
    """An episode's length in days, counting to `today` while it is ongoing."""
    return episode.length_days(today)


@register.filter
def person(user, absent: str = "someone") -> str:
    """A person as the care team knows them: the name they gave on their account page, else
    their username; `absent` for no one (an account deleted since)."""
    if user is None or user == "":
        return absent
    return user.get_full_name() or user.get_username()


@register.filter
def readable(value):
    """A value of the change history with its dates written as every page writes them."""
    return history.readable(value)


@register.filter
def zone_label(zone: str) -> str:
    """A time zone as a parent reads it: "France: Paris"."""
    return time_zones.label(zone)
