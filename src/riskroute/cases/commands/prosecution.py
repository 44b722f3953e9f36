"""The prosecution, after a charge decision or a breached caution: charge, CPS and court, then the
outcome, which on conviction sets notification and MAPPA from the sentence."""

from __future__ import annotations

import datetime as dt

from riskroute.accounts.models import User
from riskroute.cases import decisions, timeline
from riskroute.cases.commands import support
from riskroute.cases.commands.registry import Command, Done, Page, Route, register
from riskroute.cases.errors import ValidationFailed
from riskroute.cases.models import Case, Mappa
from riskroute.cases.schemas import OutcomeIn, ProsecutionIn
from riskroute.cases.ui import forms as f
from riskroute.cases.ui import step_context as ctx
from riskroute.core.law import sentences
from riskroute.core.law.offences import sentencing_activity

DURING_PROSECUTION = "the prosecution is recorded while it is under way"


def update_prosecution(user: User, case: Case, payload: ProsecutionIn) -> Done:
    """Record charge date, CPS decision and court while the prosecution is under way."""
    for name in ("charged_on", "cps_decision_on"):
        support.not_future(name, getattr(payload, name))
    prosecution = case.prosecution
    fields = payload.model_dump(exclude={"version"}, exclude_unset=True)
    fields = {k: "" if v is None and k in {"cps_decision", "court"} else v for k, v in fields.items()}
    if not support.changed(prosecution, fields):
        raise support.nothing_changed()
    stored = {name: getattr(prosecution, name) for name in ProsecutionIn.model_fields if name != "version"}
    timeline.check("update_prosecution", case, {**stored, **fields})
    for name, value in fields.items():
        setattr(prosecution, name, value)
    prosecution.save()
    return Done(prosecution, "Prosecution updated")


register(
    Command(
        "update_prosecution",
        ProsecutionIn,
        "investigate",
        update_prosecution,
        label="Record prosecution steps",
        stage="outcome",
        route=Route("/prosecution", "9. Charge, CPS, court"),
        page=Page(
            "prosecution",
            "prosecution",
            "Prosecution",
            "cases/step_prosecution.html",
            f.ProsecutionForm,
            "Prosecution updated.",
            initial=ctx.prosecution_initial,
            extra=ctx.prosecution_page,
        ),
        refused_because=DURING_PROSECUTION,
    )
)


def _most_serious_category(case: Case) -> str | None:
    counts = support.facts_of(case).offence.image_counts
    for category in ("A", "B", "C"):
        if (getattr(counts, category) or 0) > 0:
            return category
    return None


def _end_caution_notification(case: Case, acquitted_on: dt.date) -> None:
    """After s.24 the caution has ceased; acquitted of the original offence, the person has neither
    caution nor conviction for it, so the notification record resting on the caution ends, and
    with it the MAPPA arrangements (category 1 rests on the notification). Both stay on record."""
    reason = "acquitted of the original offence after the conditional caution ceased (CJA 2003 s.24)"
    case.notifications.filter(current=True, basis="conditional_caution", ended_on=None).update(
        ended_on=acquitted_on, ended_reason=reason
    )
    Mappa.objects.filter(case=case, ended_on=None).update(ended_on=acquitted_on)


def _sentence_consequences(case: Case, payload: OutcomeIn) -> None:
    """On conviction and sentence: the notification period and the MAPPA arrangements."""
    assert payload.sentence_type and payload.sentenced_on
    disposal = sentences.disposal(payload.sentence_type, payload.custody_months, payload.discharge_months)
    record = support.notify(case, "sentence", disposal, payload.sentenced_on)
    arrangements = decisions.mappa_arrangements(
        record.notifiable,
        diverted_low_risk=False,
        custody_months=payload.custody_months if payload.sentence_type == "custody" else None,
    )
    Mappa.objects.update_or_create(
        case=case,
        defaults={
            "category": arrangements["category"],
            "level": arrangements["level"],
            "output": arrangements,
        },
    )


def record_outcome(user: User, case: Case, payload: OutcomeIn) -> Done:
    """Record the court outcome; on conviction, recompute notification and MAPPA from the sentence.

    The sentencing-guideline starting point for the most serious category is stored for
    information only (it is never used to decide anything).
    """
    support.not_future("outcome_on", payload.outcome_on)
    support.not_future("sentenced_on", payload.sentenced_on)
    problems = sentences.outcome_problems(
        payload.outcome,
        payload.sentence_type,
        payload.custody_months,
        payload.discharge_months,
        payload.sentenced_on,
    )
    if problems:
        raise ValidationFailed(problems)
    timeline.check(
        "record_outcome", case, {"outcome_on": payload.outcome_on, "sentenced_on": payload.sentenced_on}
    )
    prosecution = case.prosecution
    prosecution.outcome, prosecution.outcome_on = payload.outcome, payload.outcome_on
    prosecution.sentence_type = payload.sentence_type or ""
    prosecution.custody_months = payload.custody_months
    prosecution.discharge_months = payload.discharge_months
    prosecution.sentenced_on = payload.sentenced_on
    category = _most_serious_category(case)
    activity = sentencing_activity(support.facts_of(case).offence.activities)
    if category is not None and activity is not None:
        prosecution.sentencing_guideline = decisions.sentencing_guideline(category, activity)
    prosecution.save()
    if payload.outcome == "convicted" and payload.sentence_type and payload.sentenced_on:
        _sentence_consequences(case, payload)
    if payload.outcome == "acquitted" and prosecution.origin == "caution_breach":
        _end_caution_notification(case, payload.outcome_on)
    return Done(prosecution, f"Court outcome: {payload.outcome}")


register(
    Command(
        "record_outcome",
        OutcomeIn,
        "investigate",
        record_outcome,
        label="Record prosecution steps",
        stage="outcome",
        route=Route("/prosecution/outcome", "9. Outcome, sentence"),
        page=Page(
            "outcome",
            "prosecution/outcome",
            "Prosecution",
            "cases/step_prosecution.html",
            ctx.OutcomeForm,
            "Court outcome recorded.",
            extra=ctx.prosecution_page,
            form_key="outcome_form",
            one_way=ctx.outcome_warning,
            confirm_label="Confirm and record the outcome",
        ),
        offered_on="prosecution",
        refused_because=DURING_PROSECUTION,
    )
)
