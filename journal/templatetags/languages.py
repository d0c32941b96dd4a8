from django import template
from django.conf import settings
from django.utils import translation

from journal.languages import own_name
from journal.views.languages import catalog_url

register = template.Library()


@register.simple_tag
def javascript_catalog() -> str:
    """The address of the page's language's JavaScript catalog (journal/views/languages.py)."""
    return catalog_url(translation.get_language())


@register.simple_tag
def shipped_languages() -> list[tuple[str, str]]:
    """Each shipped language's code and its own name ("Deutsch"), for the language picker."""
    return [(code, own_name(code)) for code, _ in settings.LANGUAGES]
