"""Helpers for the view tests: read a page back as a browser would.

- `form_values(response)`: what the page's forms would submit, so a test can check that what the
  caregiver typed is still there after a refusal.
- `error_beside(response, field)`: the message shown beside a field, failing unless the message
  sits in the same field wrapper as the field's input.
- `snapshot()`: every row of every journal table, to show that a refused request changed nothing;
  `full_snapshot()` the same over every model the journal app has, whatever it gains.
"""

import re
from html import unescape
from html.parser import HTMLParser

from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from journal.models import (
    Child,
    DailyEntry,
    DoseChange,
    Invitation,
    ItemRating,
    Membership,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
)

HTMX = {"HX-Request": "true"}

ERROR = re.compile(r'<p class="error" id="id_(?P<field>[\w-]+)_error">(?P<text>.*?)</p>', re.S)
# The elements a field and its message live in: `_field.html`'s div, or a rating's fieldset.
WRAPPERS = ('<div class="field', '<fieldset class="rating')


class FormReader(HTMLParser):
    """The values a browser would submit from every form on the page, by field name, but the
    language picker's (a form of its own on the log-in and sign-up pages)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._in_picker = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None

    def _add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self._in_picker = "language-picker" in (attributes.get("class") or "").split()
        if self._in_picker:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type") or "text"
            if kind in ("radio", "checkbox"):
                if "checked" in attributes:
                    value = attributes.get("value", "on")
                    self._add(name, value or "")
            elif kind not in ("submit", "button", "reset"):
                self._add(name, attributes.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self._add(self._select, attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_picker = False
        if tag == "textarea" and self._textarea:
            text = "".join(self._text)
            # Browsers drop the newline that Django writes right after <textarea>.
            self._add(self._textarea, text.removeprefix("\r\n").removeprefix("\n"))
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def child_url(name: str, child, obj=None) -> str:
    """The URL `name` of a child's page, or of one of its objects (an event, a course...)."""
    kwargs = {"child_id": child.pk}
    if obj is not None:
        kwargs["pk"] = obj.pk
    return reverse(name, kwargs=kwargs)


def html_of(response) -> str:
    if response.get("Content-Type") == "application/pdf":
        # Bytes, not UTF-8: read one character a byte, so that a test can still search it.
        return response.content.decode("latin-1")
    return response.content.decode()


def form_values(response) -> dict[str, list[str]]:
    reader = FormReader()
    reader.feed(html_of(response))
    return reader.values


def value_of(response, name: str) -> str:
    """The single value the page's form holds for `name` ("" if none is set)."""
    values = form_values(response).get(name, [])
    assert len(values) <= 1, f"{name} has several values: {values}"
    return values[0] if values else ""


def errors_shown(response) -> dict[str, str]:
    """Every message shown beside a field, by field name."""
    return {
        match["field"]: " ".join(unescape(match["text"]).split())
        for match in ERROR.finditer(html_of(response))
    }


def error_beside(response, field: str) -> str:
    """The message beside `field`; fails unless it is inside the field's own wrapper."""
    html = html_of(response)
    match = next((m for m in ERROR.finditer(html) if m["field"] == field), None)
    assert match, f"no message beside {field}; messages shown: {errors_shown(response)}"
    wrapper = max(html.rfind(start, 0, match.start()) for start in WRAPPERS)
    assert wrapper >= 0, f"the message for {field} is not inside a field"
    assert f'name="{field}"' in html[wrapper : match.start()], (
        f"the message for {field} is not beside its input"
    )
    return " ".join(unescape(match["text"]).split())


def is_fragment(response) -> bool:
    return "<html" not in html_of(response)


def text_of(response) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded, spaces squeezed."""
    return " ".join(unescape(re.sub(r"<[^>]*>", " ", html_of(response))).split())


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table a view can write, to compare before and after a request."""
    models = (
        get_user_model(),
        Child,
        Membership,
        Invitation,
        TrackedItem,
        DailyEntry,
        ItemRating,
        TriggerEvent,
        TreatmentCourse,
        DoseChange,
    )
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def full_snapshot() -> dict[str, list[dict]]:
    """Like `snapshot()`, over every table of the journal app (whatever models it gains, such as
    the change history) and the users: for tests that must notice any write at all."""
    models = (get_user_model(), *apps.get_app_config("journal").get_models())
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}
