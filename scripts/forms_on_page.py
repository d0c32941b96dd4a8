"""The forms of an HTML page as a browser would send them, for scripts that fill in real forms.

`forms_of(html)` reads each `<form>`: its action, method and the fields a browser sends when it
is submitted untouched (text inputs with their values, checked boxes and radios, each select's
selected option or its first, textareas), so that a script changes only what it means to.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # names of file inputs


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.select_value: str | None = None
        self.option_value: str | None = None
        self.option_text: list[str] = []
        self.textarea: str | None = None
        self.textarea_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self.form = Form(attrs.get("action", ""), attrs.get("method", "get").lower())
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input":
            self._input(attrs)
        elif tag == "select" and "name" in attrs:
            self.select, self.select_value = attrs["name"], None
        elif tag == "option" and self.select is not None:
            self.option_value, self.option_text = attrs.get("value"), []
            if "selected" in attrs or self.select_value is None:
                self._choose(attrs.get("value"), first="selected" not in attrs)
        elif tag == "textarea" and "name" in attrs:
            self.textarea, self.textarea_text = attrs["name"], []

    def _input(self, attrs):
        name, kind = attrs.get("name"), attrs.get("type", "text").lower()
        if not name or "disabled" in attrs or kind in ("submit", "button", "reset", "image"):
            return
        if kind == "file":
            self.form.files.append(name)
        elif kind in ("checkbox", "radio"):
            if "checked" in attrs:
                self.form.fields[name] = attrs.get("value", "on")
        else:
            self.form.fields[name] = attrs.get("value", "")

    def _choose(self, value, first: bool):
        # An option without a value sends its text: filled in when the option ends.
        self.select_value = value if value is not None else ""
        if not first or self.select not in self.form.fields:
            self.form.fields[self.select] = self.select_value

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea_text.append(data)
        elif self.option_value is None and self.select is not None:
            self.option_text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "option":
            self.option_value = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            self.form.fields[self.textarea] = "".join(self.textarea_text).removeprefix("\n")
            self.textarea = None


def forms_of(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def form_for(html: str, path: str) -> Form | None:
    """The POST form of the page that is sent to `path` (or to the page itself)."""
    for form in forms_of(html):
        if form.method == "post" and form.action in ("", path):
            return form
    return None
