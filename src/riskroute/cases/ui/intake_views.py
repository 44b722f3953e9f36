"""The upload pages of bulk referral intake: upload, check, then confirm (`cases.intake`).

The uploaded file is checked first (`import_referrals(..., apply=False)`: nothing written) and
the summary shown: the new cases with their bands, the lines in error, the subjects matched to
existing cases. Between the check and the confirmation the text is kept server-side in a
`PendingImport` owned by the user, encrypted like any personal data; confirming applies it with
the same rules and deletes it. Another user's pending import is "not found". An upload not
confirmed within `PENDING_HOURS` is deleted (as is a user's earlier upload when they upload
again), so uploaded personal data does not linger.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from riskroute.cases.errors import NotFound
from riskroute.cases.intake import check_may_import, import_referrals
from riskroute.cases.models import PendingImport
from riskroute.cases.ui.govuk import GovForm
from riskroute.cases.ui.pages import page, refusals, signed_in_user

#: How long a checked upload waits for its confirmation before it is deleted.
PENDING_HOURS = 24
#: The largest file the page takes (about 20,000 referrals); larger files go through the CLI.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportForm(GovForm):
    """A JSON Lines file, or the same text pasted."""

    file = forms.FileField(
        label="Upload a file",
        required=False,
        help_text="A JSON Lines file (.jsonl): one referral a line, as the case API takes it, "
        "with the source's own external_reference.",
    )
    text = forms.CharField(
        label="Or paste the lines",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                self.add_error(
                    "file", "The file must be smaller than 20 MB; import larger files with the command"
                )
                return data
            try:
                data["content"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", "The file must be UTF-8 text in JSON Lines format")
                return data
        else:
            data["content"] = data.get("text") or ""
        if not data["content"].strip():
            self.add_error("file", "Choose a file of referrals or paste the lines")
        return data


def _live_pending() -> QuerySet[PendingImport]:
    """Pending uploads still waiting for confirmation; the expired ones are deleted first."""
    PendingImport.objects.filter(created__lt=timezone.now() - dt.timedelta(hours=PENDING_HOURS)).delete()
    return PendingImport.objects.all()


@login_required
@refusals
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Take a file, check it without writing anything, and show what applying it would do."""
    user = signed_in_user(request)
    check_may_import(user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["content"]
        summary = import_referrals(user, text, apply=False)
        _live_pending().filter(owner=user).delete()  # only the latest upload can be confirmed
        pending = PendingImport.objects.create(owner=user, text=text)
        return page(
            request,
            "cases/import_summary.html",
            {"title": "Check the referrals before importing", "summary": summary, "pending": pending},
        )
    return page(
        request,
        "cases/import.html",
        {"title": "Import referrals", "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@refusals
@require_http_methods(["POST"])
def apply(request: HttpRequest, pending_id: int) -> HttpResponse:
    """Import a checked file as its owner, then forget the uploaded text."""
    user = signed_in_user(request)
    check_may_import(user)
    pending = _live_pending().filter(pk=pending_id, owner=user).first()
    if pending is None:
        raise NotFound(f"import {pending_id} not found")
    summary = import_referrals(user, pending.text)
    pending.delete()
    return page(
        request,
        "cases/import_summary.html",
        {"title": "Referrals imported", "summary": summary, "pending": None},
    )
