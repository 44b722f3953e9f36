"""Check your answers before a one-way step (the GOV.UK pattern).

Approving a disposal, a breach that sends the case to prosecution, a court outcome, closing a case
and erasing data cannot be taken back in riskroute: later changes are new events, never edits. So
a valid form for such a step is not written at once. The user first sees the answers and what
cannot be undone, then confirms; "Change" brings the form back with the answers kept. Nothing is
stored between the two requests: the check page carries the submitted fields as hidden inputs, and
the confirmed request is validated again from the start (version included), so a case changed in
between is refused as usual. The check page is shown only for a submission that would succeed now:
the step is first run and rolled back (`run` on trial), so a refusal (wrong state, a date before the
case's own dates) comes at once, on the form, not after the user has confirmed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from riskroute.cases.formats import show_date
from riskroute.cases.models import Case
from riskroute.cases.ui.pages import page

#: The field a confirmed submission carries, and the one that asks for the form again.
T = TypeVar("T")

CONFIRMED = "confirmed"
CHANGE = "change"
_NOT_REPOSTED = {"csrfmiddlewaretoken", CONFIRMED, CHANGE}


class _RolledBack(Exception):
    """Raised inside the trial transaction so that everything it wrote is undone."""


def run(call: Callable[[], T], *, trial: bool) -> T | None:
    """Make the service call; on `trial`, roll back all it wrote (audit entries too) and return
    None. Either way its refusal propagates, so the form shows it."""
    if not trial:
        return call()
    try:
        with transaction.atomic():
            call()
            raise _RolledBack
    except _RolledBack:
        return None


def needs_check(request: HttpRequest, warning: str | None) -> bool:
    """A one-way submission (`warning` says what cannot be undone) that is not yet confirmed."""
    return bool(warning) and not is_confirmed(request)


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRMED) == "yes"


def wants_change(request: HttpRequest) -> bool:
    return CHANGE in request.POST


def _shown(field: forms.Field, bound: forms.BoundField, value: Any) -> str:
    """An answer as the user chose it: the choice's label, a date as "4 Jul 2026", "Not given"."""
    if isinstance(field, forms.ChoiceField):
        choices = cast(Iterable[tuple[Any, Any]], field.choices)  # flat choices on these forms
        labels = {str(key): str(label) for key, label in choices}
        raw = bound.value()
        return labels.get(str(raw), "Not given") if raw not in (None, "") else "Not given"
    if value is None or value == "" or value == []:
        return "Not given"
    if isinstance(value, dt.date):
        return show_date(value)
    return str(value)


def answers(form: forms.Form) -> list[tuple[str, str]]:
    """(label, answer) for every visible field of a valid form, in the form's order."""
    return [
        (str(field.label), _shown(field, form[name], form.cleaned_data.get(name)))
        for name, field in form.fields.items()
        if not field.widget.is_hidden
    ]


def check_page(
    request: HttpRequest,
    *,
    case: Case,
    heading: str,
    form: forms.Form,
    warning: str,
    confirm_label: str,
    back_url: str,
) -> HttpResponse:
    """The check page: the answers, the warning, and the confirm and change buttons."""
    reposted = [
        (key, value) for key, values in request.POST.lists() if key not in _NOT_REPOSTED for value in values
    ]
    return page(
        request,
        "cases/check_answers.html",
        {
            "title": f"Check your answers: {case.reference}",
            "heading": f"Check your answers: {heading.lower()}",
            "case": case,
            "answers": answers(form),
            "warning": warning,
            "confirm_label": confirm_label,
            "reposted": reposted,
            "back_url": back_url,
        },
    )
