"""The correction page: one recorded attendance, breach, court outcome or notification, its
correctable fields filled with what is recorded, and the reason (required).

The form is built from `cases.corrections.CORRECTABLE`, so the page offers exactly the fields the
service accepts, labelled by their titles there. Only the fields the user changed are sent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from riskroute.accounts.models import User
from riskroute.cases import corrections, services
from riskroute.cases.errors import CaseServiceError, NotFound
from riskroute.cases.ui.forms import VersionedForm
from riskroute.cases.ui.govuk import GovDateField
from riskroute.cases.ui.pages import attach_service_error, page, refusal, refusals
from riskroute.cases.ui.views import consult_case
from riskroute.cases.vocabulary import CorrectedRecord

_YES_NO = [("yes", "Yes"), ("no", "No")]


def _field(annotation: Any, title: str) -> forms.Field:
    if dt.date in getattr(annotation, "__args__", (annotation,)):
        return GovDateField(label=title, required=False)
    if bool in getattr(annotation, "__args__", (annotation,)):
        return forms.TypedChoiceField(
            label=title,
            choices=_YES_NO,
            coerce=lambda v: v == "yes",
            widget=forms.RadioSelect,
            required=False,
        )
    return forms.CharField(
        label=title, widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )


def correction_form(kind: corrections.Correctable) -> type[VersionedForm]:
    """A form class with one optional field per correctable field, and the reason."""
    fields: dict[str, Any] = {
        name: _field(info.annotation, info.title or name) for name, info in kind.fields.model_fields.items()
    }
    fields["reason"] = forms.CharField(
        label="Why is this correction needed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=2000,
        help_text="For example, what the record should have said and where the right value comes from.",
    )
    return cast(type[VersionedForm], type("CorrectionForm", (VersionedForm,), fields))


def _initial(record: Any, kind: corrections.Correctable) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for name in kind.fields.model_fields:
        value = getattr(record, name)
        initial[name] = ("yes" if value else "no") if isinstance(value, bool) else value
    return initial


@login_required
@refusals
@require_http_methods(["GET", "POST"])
def correction(request: HttpRequest, case_id: int, record: str, record_id: int | None = None) -> HttpResponse:
    """Show the record's correctable fields; on POST send only the changed ones, with the reason."""
    user = cast(User, request.user)
    try:
        kind_name = CorrectedRecord(record)
    except ValueError:
        return refusal(request, NotFound(f"there is no correction of '{record}'"))
    kind = corrections.CORRECTABLE[kind_name]
    case = consult_case(request, case_id)
    if isinstance(case, HttpResponse):
        return case
    # The form shows the record: only for who may correct it, when it may be corrected.
    refused = corrections.refusal_of(user, case, kind_name)
    if refused is not None:
        return refusal(request, refused)
    current = kind.find(case, record_id)
    if current is None:
        return refusal(request, NotFound(f"no {kind_name.label.lower()} to correct on case {case.reference}"))
    form_class = correction_form(kind)
    initial = {"version": case.version, **_initial(current, kind)}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {
            name: value.isoformat() if isinstance(value, dt.date) else value
            for name in kind.fields.model_fields
            if (value := form.cleaned_data.get(name)) not in (None, "") and value != getattr(current, name)
        }
        data = {
            "version": form.cleaned_data["version"],
            "record": kind_name.value,
            "record_id": record_id,
            "changes": changes,
            "reason": form.cleaned_data["reason"],
        }
        try:
            services.correct_record(user, case.pk, data)
        except CaseServiceError as error:
            if not attach_service_error(form, error):
                return refusal(request, error)
        else:
            messages.success(
                request, f"{kind_name.label} corrected. The history shows the correction and its reason."
            )
            return HttpResponseRedirect(reverse("cases-ui:case", args=[case.pk]))
    return page(
        request,
        "cases/step_correction.html",
        {
            "title": f"Correct the {kind_name.label.lower()}: {case.reference}",
            "heading": f"Correct the {kind_name.label.lower()}",
            "case": case,
            "form": form,
            "errors_form": form,
        },
        status=422 if form.errors else 200,
    )
