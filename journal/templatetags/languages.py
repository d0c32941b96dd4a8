from django import template
from django.utils import translation

from journal.views.languages import catalog_url

register = template.Library()


@register.simple_tag
def javascript_catalog() -> str:
    """The address of the page's language's JavaScript catalog (journal/views/languages.py)."""
    return catalog_url(translation.get_language())
