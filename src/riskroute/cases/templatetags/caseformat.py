"""Template filters of the case pages: one way to write a date, a yes/no/not-known answer, an id
and a citation, so no page invents its own (`{% load caseformat %}`)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from riskroute.cases.formats import show_date, show_moment
from riskroute.cases.ui import case_rows
from riskroute.cases.ui.presenters import label as id_label

register = template.Library()

_URL = re.compile(r"https?://\S+")


@register.filter
def day(value: Any) -> str:
    """A date as "4 Jul 2026"."""
    return show_date(value)


@register.filter
def moment(value: Any) -> str:
    """A date and time as "4 Jul 2026 14:05"."""
    return show_moment(value)


@register.filter
def tri(value: bool | None) -> str:
    """A three-valued answer: "Yes", "No" or "Not known" (None is never shown as "No")."""
    return "Not known" if value is None else ("Yes" if value else "No")


register.filter("band_tag", case_rows.band_tag)
register.simple_tag(case_rows.case_rows)


@register.filter
def label(value: Any) -> str:
    """The plain words for a stored id ("very_high" -> "Very high")."""
    return id_label(value)


def _without_references(text: str) -> str:
    """Drop bracketed working references ("[law.md 51; ... [52]]", "[S]") from a citation."""
    out, depth = [], 0
    for char in text:
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        elif not depth:
            out.append(char)
    return re.sub(r"\s+", " ", "".join(out)).strip(" ;,")


@register.filter
def cite(citation: Any) -> SafeString | str:
    """A citation as its source's name, with a link to the source where the citation gives one."""
    text = str(citation or "")
    match = _URL.search(text)
    name = _without_references(_URL.sub("", text))
    if match is None:
        return name
    url = match.group(0).rstrip(").,;")
    host = (urlparse(url).hostname or url).removeprefix("www.")
    return format_html('{} (<a class="govuk-link" href="{}" rel="noreferrer">{}</a>)', name, url, host)
