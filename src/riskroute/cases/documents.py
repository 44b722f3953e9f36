"""JSON documents of cases for the API: the full record for police users, the minimum for providers.

Built only from a case already fetched through `queries` (so scope is already checked); this
module decides *how much* of a visible case a user's role gets, never *whether* they see it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from riskroute.accounts.models import Role, User
from riskroute.cases import safeguarding
from riskroute.cases.commands import next_actions
from riskroute.cases.models import Case
from riskroute.cases.queries import CaseRow


def _name(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.get_full_name() or user.username}


def _overdue(case: Case) -> bool:
    return bool(
        case.action_taken_on is None and case.action_deadline and case.action_deadline < timezone.localdate()
    )


def case_summary(row: CaseRow) -> dict[str, Any]:
    """One row of a case list: no personal data beyond the subject's name."""
    assignee = row.assigned_to
    return {
        "id": row.pk,
        "reference": row.reference,
        "state": row.state,
        "version": row.version,
        "subject_name": row.subject_name,
        "priority_band": row.priority_band or None,
        "priority_reason": row.priority_reason or None,
        "action_deadline": row.action_deadline,
        "overdue": row.is_overdue,
        "assigned_to": assignee._asdict() if assignee else None,
        "received_on": row.received_on,
    }


#: What a provider is shown of the caution: the programme, not the other conditions or the checks.
PROVIDER_CAUTION_FIELDS = "programme_name sessions programme_deadline signed_on completed_on"


def provider_minimum(user: User, case: Case) -> bool:
    """A provider who is not also a police caseworker on this case gets the minimum document."""
    return user.has_role(Role.REHABILITATION_PROVIDER) and user.force_id != case.force_id


def case_document(user: User, case: Case) -> dict[str, Any]:
    """The case as the API returns it, with the actions this user may take next."""
    caution = getattr(case, "caution", None)
    base: dict[str, Any] = {
        "id": case.pk,
        "reference": case.reference,
        "state": case.state,
        "version": case.version,
        "personal_data_erased_on": case.personal_data_erased_on,
        "next_actions": next_actions(user, case),
        "caution": _caution(caution),
        "attendance": [
            {
                "session_number": a.session_number,
                "session_on": a.session_on,
                "attended": a.attended,
                "note": a.note,
            }
            for a in case.attendance.all()
        ],
    }
    if provider_minimum(user, case):  # the programme's work: who, which sessions, by when
        base["subject"] = {"full_name": case.subject.full_name}
        base["caution"] = _fields(caution, PROVIDER_CAUTION_FIELDS)
        return base
    enforcement = getattr(case, "enforcement", None)
    safeguarding = getattr(case, "safeguarding", None)
    prosecution = getattr(case, "prosecution", None)
    closure = getattr(case, "closure", None)
    mappa = getattr(case, "mappa", None)
    return base | {
        "force": case.force.code,
        "unit": case.unit.name,
        "assigned_to": _name(case.assigned_to),
        "provider_organisation": case.provider_organisation.name if case.provider_organisation else None,
        "referral": {
            "source": case.referral_source,
            "received_on": case.received_on,
            "summary": case.summary,
            "suspected_activities": case.suspected_activities,
            "offence": case.offence,
        },
        "subject": {
            "full_name": case.subject.full_name,
            "date_of_birth": case.subject.date_of_birth,
            "address": case.subject.address,
        },
        "facts": case.facts,
        "priority": {
            "band": case.priority_band or None,
            "target_days": case.priority_target_days,
            "action_deadline": case.action_deadline,
            "action_taken_on": case.action_taken_on,
            "overdue": _overdue(case),
            "history": [
                {
                    "band": p.band,
                    "target_days": p.target_days,
                    "action_deadline": p.action_deadline,
                    "reason": p.reason,
                    "at": p.created_at,
                }
                for p in case.priority_history.all()
            ],
        },
        "enforcement": _fields(
            enforcement,
            "warrant_on arrested_on devices_seized count_a count_b count_c youngest_depicted videos stories "
            "collection_span_years distribution_evidence",
        ),
        "safeguarding": _safeguarding(case, safeguarding),
        "children": [
            {"relationship": c.relationship, "age_band": c.age_band, "count": c.count}
            for c in case.child_links.all()
        ],
        "assessments": [
            {
                "id": a.pk,
                "at": a.created_at,
                "by": _name(a.created_by),
                "policy": {"id": a.policy_id, "version": a.policy_version, "sha256": a.policy_sha256},
                "recommendation": a.recommendation,
                "current": a.facts == case.facts,
                "triage": a.triage,
                "instruments": a.instruments,
            }
            for a in case.assessments.select_related("created_by")
        ],
        "proposals": [
            {
                "id": p.pk,
                "kind": p.kind,
                "status": p.status,
                "recommendation": p.recommendation,
                "departs_from_recommendation": p.departs_from_recommendation,
                "departure_reason": p.departure_reason,
                "reason": p.reason,
                "admission": p.admission,
                "consent": p.consent,
                "exceptional_circumstances": p.exceptional_circumstances,
                "proposed_by": _name(p.proposed_by),
                "proposed_at": p.proposed_at,
                "decided_by": _name(p.decided_by),
                "decided_at": p.decided_at,
                "decision_reason": p.decision_reason,
            }
            for p in case.proposals.select_related("proposed_by", "decided_by")
        ],
        "notifications": [
            {
                "basis": n.basis,
                "current": n.current,
                "relevant_date": n.relevant_date,
                "notifiable": n.notifiable,
                "period_years": n.period_years,
                "indefinite": n.indefinite,
                "ends_on": n.ends_on,
                "initial_due": n.initial_due,
                "initial_notified_on": n.initial_notified_on,
                "last_notified_on": n.last_notified_on,
                "renotification_dates": n.renotification_dates,
                "ended_on": n.ended_on,
                "ended_reason": n.ended_reason or None,
                "output": n.output,
            }
            for n in case.notifications.all()
        ],
        "mappa": _fields(mappa, "category level ended_on output"),
        "breaches": [
            {
                "occurred_on": b.occurred_on,
                "description": b.description,
                "reasonable_excuse": b.reasonable_excuse,
                "excuse_details": b.excuse_details,
            }
            for b in case.breaches.all()
        ],
        "prosecution": _fields(
            prosecution,
            "origin charged_on cps_decision cps_decision_on court first_hearing_on outcome outcome_on "
            "sentence_type custody_months discharge_months sentenced_on sentencing_guideline",
        ),
        "closure": _fields(closure, "closed_on reason review_dates"),
    }


def _safeguarding(case: Case, record: Any) -> dict[str, Any]:
    """The record (None before any step) and what it derives: complete (true or null), the steps
    still missing (field names) and, for a position of trust, the LADO deadline with its source."""
    status = safeguarding.status(case.facts, record)
    deadline = safeguarding.LADO_DEADLINE
    return {
        "record": _fields(
            record,
            "social_care_referred_on strategy_discussion_on s47_outcome children_safeguarded safeguarded_on "
            "position_of_trust_known_on lado_referred_on employer_notified_on employer_or_regulator "
            "dbs_considered_on dbs_decision",
        ),
        "checks_complete": status.complete,
        "missing": [name for name, _ in status.missing],
        "position_of_trust": status.position_of_trust,
        "lado_due": status.lado_due,
        "lado_deadline": {
            "working_days": deadline.working_days,
            "citation": deadline.citation,
            "url": deadline.url,
            "mark": deadline.mark.value,
        },
    }


def _caution(caution: Any) -> dict[str, Any] | None:
    document = _fields(
        caution,
        "programme_name sessions programme_deadline window_weeks exceptional_window_reason reparative_hours "
        "punitive_hours other_conditions signed_on completed_on ceased_on checks",
    )
    if document is not None:
        document["provider"] = caution.provider.name
    return document


def _fields(record: Any, names: str) -> dict[str, Any] | None:
    if record is None:
        return None
    out: dict[str, Any] = {}
    for name in names.split():
        value = getattr(record, name)
        out[name] = value if not isinstance(value, dt.datetime) else value.isoformat()
    return out
