"""Read a page's form as a browser would submit it: every field with the value the page shows.

The step walks (tests/cases/ui/test_steps.py) fetch a step's page through Django's test client, take the form
as rendered (hidden version, the values already recorded, the radios already checked) and change
only what the user would type, so a page whose form cannot be submitted as shown fails here
without a browser.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any


class _Form(HTMLParser):
    def __init__(self, form_index: int) -> None:
        super().__init__()
        self.form_index = form_index
        self.seen = -1
        self.inside = False
        self.in_main = False
        self.fields: dict[str, Any] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._first_option: dict[str, str] = {}

    def _put(self, name: str, value: str, *, multiple: bool = False) -> None:
        if multiple:
            self.fields.setdefault(name, []).append(value)
        else:
            self.fields[name] = value

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "main":
            self.in_main = True
        if tag == "form":
            if not self.in_main:  # the header's sign-out form is not the page's own
                return
            self.seen += 1
            self.inside = self.seen == self.form_index
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self._put(name, a.get("value", "on"), multiple=kind == "checkbox")
            else:
                self._put(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            self._first_option.setdefault(self._select, a.get("value", ""))
            if "selected" in a:
                self.fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            self.fields.setdefault(self._select, self._first_option.get(self._select, ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.inside:
            self.fields[self._textarea] += data


def form_data(html: str, form_index: int = 0, **typed: Any) -> dict[str, Any]:
    """The `form_index`-th form in the page's main content as submitted unchanged, then the
    `typed` answers.

    A date answer (`datetime.date`) fills the field's day, month and year boxes.
    """
    parser = _Form(form_index)
    parser.feed(html)
    data = dict(parser.fields)
    data.pop("csrfmiddlewaretoken", None)
    for name, value in typed.items():
        if isinstance(value, dt.date):
            data |= date_fields(name, value)
        else:
            data[name] = value
    return data


def date_fields(name: str, value: dt.date) -> dict[str, str]:
    """A date as the day, month and year boxes of the GOV.UK date input named `name` submit it."""
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}
