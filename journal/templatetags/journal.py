from django import template

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
