"""Plain-language labels for states, actions and facts, so templates hold no vocabulary of their own;
and the case page's context, read from the models."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from riskroute.accounts.models import User
from riskroute.cases import queries, safeguarding
from riskroute.cases.errors import IllegalTransition
from riskroute.cases.models import Case, Safeguarding
from riskroute.cases.safeguarding import LADO_DEADLINE
from riskroute.cases.ui.forms import ACTIVITY_LABELS, FACT_LABELS, FACT_SECTIONS
from riskroute.cases.vocabulary import (
    AgeBand,
    CaseState,
    CourtOutcome,
    CpsDecision,
    DbsDecision,
    NotificationBasis,
    PriorityBand,
    Recommendation,
    SentenceType,
    Sex,
)
from riskroute.cases.workflow import GUARD_REASONS
from riskroute.core.facts import FACT_PATHS


def state_label(state: str) -> str:
    return CaseState.label_of(state)


def _show(path: str, value: Any) -> str:
    if value is None:
        return "Not known"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if path == "offence.activities":
        return ", ".join(ACTIVITY_LABELS.get(a, a) for a in value) or "Not known"
    if path == "offence.youngest_depicted":
        return AgeBand.label_of(value)
    if path == "subject.sex":
        return Sex.label_of(value)
    return str(value)


def case_facts_rows(facts: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """Facts grouped by section as (label, shown value, is unknown) rows; unknowns are marked."""
    sections: dict[str, list[tuple[str, str, bool]]] = {}
    for path, _chain in FACT_PATHS:
        value: Any = facts
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        sections.setdefault(path.split(".")[0], []).append(
            (FACT_LABELS.get(path, path), _show(path, value), value is None)
        )
    return [(FACT_SECTIONS[key], rows) for key, rows in sections.items()]


RECOMMENDATION_LABELS = {
    Recommendation.DIVERT: "Divert: conditional caution with rehabilitation",
    Recommendation.PROSECUTE: "Prosecute: full criminal-justice response",
    Recommendation.NEEDS_INFORMATION: (
        "Needs more information: no recommendation until the missing facts are known"
    ),
}
#: A child's result: the adult policy never diverts a child, so its "prosecute" is not the answer.
YOUTH_ROUTE_LABEL = "Youth route: the adult diversion policy does not apply (see the options below)"

#: The words a page shows for an id the system stores (the `label` template filter reads this).
#: Built from the vocabularies; where two share a value ("no_further_action") their labels agree.
ID_LABELS: dict[str, str] = {
    value: label
    for vocabulary in (
        Recommendation,
        PriorityBand,
        CourtOutcome,
        CpsDecision,
        NotificationBasis,
        SentenceType,
        DbsDecision,
    )
    for value, label in vocabulary.choices
}


def label(value: Any) -> str:
    """The plain words for a stored id ("needs_information" -> "Needs more information")."""
    return ID_LABELS.get(str(value), str(value).replace("_", " ").capitalize()) if value else ""


def plain_refusal(error: IllegalTransition) -> str:
    """A workflow refusal as a sentence: the stage the case is at, and what to do first."""
    stage = state_label(error.state)
    reason = error.reason or GUARD_REASONS.get(error.action)
    text = f"This cannot be done while the case is at the stage “{stage}”."
    return f"{text} {reason[:1].upper()}{reason[1:]}." if reason else text


def _percent(probability: Any) -> str | None:
    if not isinstance(probability, int | float):
        return None
    return f"{probability * 100:.2f}%"


def assessment_context(assessment: Any) -> dict[str, Any]:
    """The stored assessment ready for the page: instruments in a fixed order, rates as percentages."""
    if assessment is None:
        return {}
    triage = assessment.triage
    results: list[tuple[str, dict[str, Any]]] = []
    for key, result in [*triage.get("scores", {}).items(), *(assessment.instruments or {}).items()]:
        results.append((key.replace("-", "_"), {**result, "percent": _percent(result.get("probability"))}))
    return {
        "triage": triage,
        "recommendation_label": (
            YOUTH_ROUTE_LABEL
            if triage.get("route") == "youth"
            else RECOMMENDATION_LABELS.get(assessment.recommendation, assessment.recommendation)
        ),
        "instrument_results": results,
        "missing_labels": [(FACT_LABELS.get(path, path), path) for path in triage.get("missing_facts", [])],
    }


#: The facts an approver must see before deciding (issue: approval cannot override a safety exclusion).
SAFETY_FACT_PATHS = (
    "access_to_children.checked",
    "access_to_children.household",
    "access_to_children.occupation",
    "access_to_children.volunteering",
    "access_to_children.family_or_friends",
    "offence.activities",
    "offence.image_counts.A",
    "offence.image_counts.B",
    "offence.image_counts.C",
    "history.contact_offence_allegations",
    "behaviour.sexual_communication_with_child",
    "behaviour.grooming_or_incitement",
)


def safety_rows(facts: dict[str, Any], triage: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(label, shown value, is unknown) for the key safety facts and the CPORT result."""
    rows = []
    for path in SAFETY_FACT_PATHS:
        value: Any = facts
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        rows.append((FACT_LABELS.get(path, path), _show(path, value), value is None))
    cport = (triage.get("scores") or {}).get("cport") or {}
    total = cport.get("total")
    shown = (
        f"Total {total}" + (f", band {label(cport['band'])}" if cport.get("band") else "")
        if total is not None
        else ""
    )
    rows.append(("CPORT", shown or "Not known (cannot be scored)", total is None))
    return rows


def safeguarding_context(case: Case) -> dict[str, Any]:
    """The derived safeguarding status of the case and the LADO deadline it is measured against.

    The record comes with the case when it was read through `queries.get_case`."""
    record: Safeguarding | None = getattr(case, "safeguarding", None)
    return {"safeguarding_status": safeguarding.status(case.facts, record), "lado_deadline": LADO_DEADLINE}


def _sentence_point(point: dict[str, Any]) -> str:
    if point.get("type") == "community_order":
        return f"{point.get('level', '')} community order".strip()
    return str(point.get("label", ""))


def guideline_summary(guideline: dict[str, Any] | None) -> dict[str, str] | None:
    """The sentencing-guideline step 1 result as one line, with its weakest verification mark."""
    if not guideline or "starting_point" not in guideline:
        return None
    text = (
        f"{_sentence_point(guideline['starting_point'])}; range {_sentence_point(guideline['range_low'])} "
        f"to {_sentence_point(guideline['range_high'])}"
    )
    return {"text": text, "mark": str(guideline.get("verification", ""))}


#: Queries (SQL statements) the police case page makes at most, whatever the length of the case's
#: history; tested with `django_assert_max_num_queries` on a case with a long history.
CASE_PAGE_MAX_QUERIES = (
    2  # the session, and the signed-in user with their force and unit
    + 1  # the case with its subject, force, unit, assignee, provider and one-to-one records
    + 4  # the s.62 consultation entry: savepoint, last entry, insert, release (PostgreSQL: 3)
    + 1  # who made the pending proposal (only at decision_pending, for the approve/reject step)
    + 2  # the history: the number of events, and the page shown
    + 7  # latest assessment, proposals, notification, priority history, breaches, sessions, referrals
    + 3  # the session's renewal, at most once a minute (`SessionRenewalMiddleware`)
)


def case_page_context(user: User, case: Case, history_page: str | int | None) -> dict[str, Any]:
    """What the police case page shows, read from the models (never the API document): each
    related set once, the history one page at a time (`queries.HISTORY_PAGE_SIZE`, newest first).

    A set that rests on another record is read only when that record is there, so a case not
    yet assessed or cautioned reads four sets fewer. The database refuses any write that breaks
    these rules (migration `cases.0015_record_guards`), so none can be hidden:
    - a proposal rests on an assessment of its own case;
    - programme sessions and breaches are recorded against the case's caution;
    - a notification record follows a caution or a prosecution.
    `tests/cases/ui/test_case_page_reads.py` also holds the page's sets equal to unconditional
    reads after any sequence of service calls.

    `case` must come from `queries.get_case` (scope checked, read logged, records joined)."""
    caution = getattr(case, "caution", None)
    prosecution = getattr(case, "prosecution", None)
    events = queries.history_page(case, history_page)
    # The page shows the recommendation and its date: the triage document stays sealed
    # (and the facts it read, to flag it stale when the case's facts have changed since).
    latest_assessment = (
        case.assessments.order_by("-created_at", "-id")
        .only("case", "recommendation", "created_at", "facts")
        .first()
    )
    return {
        "case": case,
        "state_label": state_label(case.state),
        "facts_rows": case_facts_rows(case.facts),
        "events": events.object_list,
        "history": events,
        # The number the newest event on this page has in the whole history (the list counts down).
        "history_start": events.paginator.count - events.start_index() + 1,
        "record_actions": queries.record_actions(user, case),
        "latest_assessment": latest_assessment,
        "proposals": list(case.proposals.select_related("proposed_by", "decided_by").order_by("-id"))
        if latest_assessment
        else [],
        "notification": case.notifications.filter(current=True).first() if caution or prosecution else None,
        "priority_history": list(
            case.priority_history.order_by("-created_at", "-id").only(
                "case", "band", "action_deadline", "reason", "created_at"
            )
        ),
        "breaches": list(case.breaches.all()) if caution else [],
        "attendance": list(case.attendance.all()) if caution else [],
        "referrals": list(case.referrals.all()),
        "guideline": guideline_summary(getattr(prosecution, "sentencing_guideline", None)),
        "today": timezone.localdate(),
        **safeguarding_context(case),
    }
