from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from journal import history, time_zones
from journal.models import plain_number

register = template.Library()


@register.filter
def plain(value) -> str:
    """7.500 as 7.5: doses and temperatures as a person writes them, with the decimal mark of
    the page's language (38,5 in French)."""
    text = plain_number(value)
    return formats.number_format(Decimal(text)) if text else text


@register.filter
def length_on(episode, today) -> int:
    """An episode's length in days, counting to `today` while it is ongoing."""
    return episode.length_days(today)


@register.filter
def person(user, absent: str | None = None) -> str:
    """A person as the care team knows them: the name they gave on their account page, else
    their username; `absent` (else "someone") for no one (an account deleted since)."""
    if user is None or user == "":
        return _("someone") if absent is None else absent
    return user.get_full_name() or user.get_username()


@register.filter
def readable(value):
    """A value of the change history with its dates written as every page writes them."""
    return history.readable(value)


@register.filter
def history_label(change) -> str:
    """What a change of the history was made to, in the page's language."""
    return history.shown_label(change.kind, change.label)


@register.filter
def history_name(name: str) -> str:
    """A field name of the change history in the page's language."""
    return history.shown_name(name)


@register.filter
def history_value(value, name: str):
    """A value of the change history in the page's language where it is one of ours."""
    return history.readable(history.shown_value(name, value))


@register.filter
def zone_label(zone: str) -> str:
    """A time zone as a parent reads it: "France: Paris"."""
    return time_zones.label(zone)
