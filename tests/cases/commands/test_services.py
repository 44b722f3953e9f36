"""Service-layer tests: scope, two-person approval, workflow refusals, concurrency, legal recomputation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from riskroute.accounts.models import Rank, Role, User
from riskroute.cases import commands, queries, services
from riskroute.cases.errors import (
    ConflictError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from riskroute.cases.models import Case, CaseEvent
from riskroute.core.facts import CaseFacts
from riskroute.core.law.dates import add_months
from riskroute.core.triage import triage
from tests.factories import (
    LOW_RISK_FACTS,
    TODAY,
    World,
    breach_to_prosecution,
    caution_data,
    days_ago,
    referral,
    to_assessed,
    to_caution_active,
    to_diversion_approved,
)

#: The reason every case read quotes (DPA 2018 s.62; tested in tests/audit/test_case_log.py).
WHY = "Synthetic test: checking who may read this case"


def snapshot(case: Case) -> tuple[Any, ...]:
    """Everything a refused write must leave untouched."""
    case.refresh_from_db()
    return (case.state, case.version, case.facts, case.events.count(), case.proposals.count())


def deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in base.items()}
    for key, value in changes.items():
        out[key] = out.get(key, {}) | value
    return out


# --- referral and priority ------------------------------------------------------------------


def test_referral_is_prioritised_with_deadline_from_received_date(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    assert case.state == "referral" and case.version == 1
    assert case.reference.startswith("ALPHA-")
    assert case.priority_band == "low"
    assert case.action_deadline == case.received_on + dt.timedelta(days=case.priority_target_days or 0)
    assert case.priority_history.count() == 1
    assert case.assigned_to == world["inv"]
    # the subject's age is derived from the date of birth when the facts do not give it
    received = case.received_on
    assert case.facts["subject"]["age"] == received.year - 1980 - ((received.month, received.day) < (4, 1))


def test_changing_facts_reprioritises_and_keeps_history(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    facts = deep_merge(LOW_RISK_FACTS, {"access_to_children": {"household": True}})
    case = services.update_facts(world["inv"], case.pk, {"version": case.version, "facts": facts})
    assert case.priority_band == "high"
    bands = list(case.priority_history.values_list("band", flat=True))
    assert bands == ["low", "high"]
    assert case.action_deadline == case.received_on + dt.timedelta(days=case.priority_target_days or 0)


def test_overdue_cases_come_first_on_team_worklist(world: World) -> None:
    late = services.create_referral(world["inv"], referral(received_on=days_ago(200)))
    fresh = services.create_referral(world["inv"], referral(received_on=days_ago(1)))
    rows = queries.team_worklist(world["sup"])
    assert [c.pk for c in rows] == [late.pk, fresh.pk]
    assert rows[0].is_overdue and not rows[1].is_overdue  # type: ignore[attr-defined]
    assert [c.pk for c in queries.by_band(queries.overdue_cases(world["sup"]))["low"]] == [late.pk]
    assert any(a.kind == "overdue_action" and a.case_id == late.pk for a in queries.alerts(world["sup"]))


def test_invalid_facts_are_refused_with_field_paths(world: World) -> None:
    bad = deep_merge(LOW_RISK_FACTS, {"offence": {"image_counts": {"A": -1}}})
    with pytest.raises(ValidationFailed) as info:
        services.create_referral(world["inv"], referral(facts=bad))
    assert info.value.details[0]["path"] == "facts.offence.image_counts.A"
    assert Case.objects.count() == 0


# --- scope ----------------------------------------------------------------------------------


def test_other_force_sees_nothing_and_cannot_write(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    with pytest.raises(NotFound):
        queries.get_case(world["b_inv"], case.pk, justification=WHY)
    with pytest.raises(NotFound):
        services.update_facts(world["b_sup"], case.pk, {"version": 1, "facts": LOW_RISK_FACTS})
    assert list(queries.visible_cases(world["b_inv"])) == []
    assert queries.team_worklist(world["b_sup"]) == []


def test_analyst_sees_aggregates_but_no_case(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    with pytest.raises(NotFound):
        queries.get_case(world["analyst"], case.pk, justification=WHY)
    assert list(queries.visible_cases(world["analyst"])) == []
    counts = queries.dashboard(world["analyst"])
    assert sum(counts["series"]["referrals"]) == 1
    with pytest.raises(PermissionDenied):
        queries.team_worklist(world["analyst"])


def test_only_assigned_investigator_or_supervisor_may_investigate(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    queries.get_case(world["inv2"], case.pk, justification=WHY)  # same force: may read
    with pytest.raises(PermissionDenied):
        services.record_enforcement(
            world["inv2"], case.pk, {"version": case.version, "arrested_on": days_ago(5)}
        )
    with pytest.raises(PermissionDenied):
        services.record_enforcement(
            world["safe"], case.pk, {"version": case.version, "arrested_on": days_ago(5)}
        )
    services.record_safeguarding(
        world["safe"], case.pk, {"version": case.version, "social_care_referred_on": days_ago(3)}
    )
    case.refresh_from_db()
    services.record_enforcement(world["sup"], case.pk, {"version": case.version, "arrested_on": days_ago(5)})
    assert Case.objects.get(pk=case.pk).state == "investigation"


def test_provider_sees_only_cases_referred_to_its_organisation(world: World) -> None:
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    with pytest.raises(NotFound):
        queries.get_case(world["provider"], case.pk, justification=WHY)
    services.record_caution(world["om"], case.pk, caution_data(case, world))
    assert queries.get_case(world["provider"], case.pk, justification=WHY).pk == case.pk
    with pytest.raises(NotFound):
        queries.get_case(world["other_provider"], case.pk, justification=WHY)
    assert [c.pk for c in queries.my_cases(world["provider"])] == [case.pk]
    case.refresh_from_db()
    services.record_attendance(
        world["provider"],
        case.pk,
        {"version": case.version, "session_number": 1, "session_on": days_ago(5), "attended": True},
    )
    with pytest.raises(PermissionDenied):
        services.record_breach(
            world["provider"],
            case.pk,
            {
                "version": case.version + 1,
                "occurred_on": days_ago(1),
                "description": "x",
                "reasonable_excuse": False,
            },
        )


def test_supervisor_role_needs_sergeant_rank(world: World) -> None:
    constable = User(username="pc", force=world.alpha, roles=[Role.SUPERVISOR], rank=Rank.CONSTABLE)
    with pytest.raises(ValidationError):
        constable.full_clean()
    assert not constable.is_supervisor


# --- two-person approval ----------------------------------------------------------------------


def propose_diversion(world: World, case: Case, user: User | None = None, **extra: Any) -> None:
    case.refresh_from_db()
    services.propose_disposal(
        user or world["inv"],
        case.pk,
        {
            "version": case.version,
            "kind": "diversion",
            "reason": "Low risk.",
            "admission": True,
            "consent": True,
            "exceptional_circumstances": "No access to children; first offence.",
            **extra,
        },
    )
    case.refresh_from_db()


def test_nobody_approves_their_own_proposal(world: World) -> None:
    case = services.create_referral(world["sup2"], referral())
    assert case.assigned_to == world["sup2"]
    case = to_assessed(world, case)
    propose_diversion(world, case, world["sup2"])
    before = snapshot(case)
    with pytest.raises(PermissionDenied, match="own proposal"):
        services.approve_disposal(world["sup2"], case.pk, {"version": case.version})
    assert snapshot(case) == before
    assert "approve_disposal" not in commands.next_actions(world["sup2"], case)
    assert "approve_disposal" in commands.next_actions(world["sup"], case)


def test_approval_needs_a_supervisor(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    propose_diversion(world, case)
    before = snapshot(case)
    for user in ("inv2", "om", "safe", "b_sup"):
        with pytest.raises((PermissionDenied, NotFound)):
            services.approve_disposal(world[user], case.pk, {"version": case.version})
    assert snapshot(case) == before
    proposal = services.approve_disposal(
        world["sup"], case.pk, {"version": case.version, "reason": "Agreed."}
    )
    assert proposal.status == "approved" and proposal.decided_by == world["sup"]
    assert Case.objects.get(pk=case.pk).state == "diversion_approved"


def test_rejection_returns_to_assessed_with_reasons(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    propose_diversion(world, case)
    with pytest.raises(ValidationFailed) as info:
        services.reject_disposal(world["sup"], case.pk, {"version": case.version})
    assert info.value.details[0]["path"] == "reason"
    services.reject_disposal(
        world["sup"], case.pk, {"version": case.version, "reason": "Needs an interview."}
    )
    case.refresh_from_db()
    assert case.state == "assessed"
    assert case.proposals.get().status == "rejected"


def test_diversion_needs_admission_consent_and_justification(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as info:
        services.propose_disposal(
            world["inv"],
            case.pk,
            {"version": case.version, "kind": "diversion", "reason": "x", "admission": False},
        )
    paths = {d["path"] for d in info.value.details}
    assert paths == {"admission", "consent", "exceptional_circumstances"}
    assert snapshot(case) == before


def test_departing_from_the_recommendation_needs_reasons(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    assert case.assessments.get().recommendation == "divert"
    with pytest.raises(ValidationFailed) as info:
        services.propose_disposal(
            world["inv"], case.pk, {"version": case.version, "kind": "charge", "reason": "x"}
        )
    assert info.value.details[0]["path"] == "departure_reason"
    proposal = services.propose_disposal(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "kind": "charge",
            "reason": "x",
            "departure_reason": "Aggravating conduct.",
        },
    )
    assert proposal.departs_from_recommendation


# --- workflow refusals ------------------------------------------------------------------------


def test_illegal_transitions_are_refused_and_change_nothing(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    before = snapshot(case)
    attempts = [
        (services.approve_disposal, world["sup"], {}),
        (services.run_assessment, world["inv"], {}),
        (services.record_caution, world["om"], caution_data(case, world)),
        (services.complete_caution, world["om"], {"completed_on": days_ago(1)}),
        (
            services.close_case,
            world["inv"],
            {"closed_on": days_ago(1), "reason": "x", "review_dates": [TODAY.isoformat()]},
        ),
        (services.record_outcome, world["inv"], {"outcome": "acquitted", "outcome_on": days_ago(1)}),
    ]
    for action, user, data in attempts:
        with pytest.raises(IllegalTransition):
            action(user, case.pk, {**data, "version": case.version})
        assert snapshot(case) == before, action.__name__


def test_proposal_must_rest_on_an_assessment_of_the_current_facts(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    facts = deep_merge(LOW_RISK_FACTS, {"offence": {"image_counts": {"A": 0, "B": 4, "C": 130}}})
    services.update_facts(world["inv"], case.pk, {"version": case.version, "facts": facts})
    case.refresh_from_db()
    with pytest.raises(IllegalTransition, match="current facts"):
        propose_diversion(world, case)


def test_caution_cannot_complete_until_every_session_is_attended(world: World) -> None:
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    services.record_caution(world["om"], case.pk, caution_data(case, world, sessions=2))
    case.refresh_from_db()
    services.record_attendance(
        world["provider"],
        case.pk,
        {"version": case.version, "session_number": 1, "session_on": days_ago(5), "attended": True},
    )
    case.refresh_from_db()
    before = snapshot(case)
    with pytest.raises(IllegalTransition, match="not every programme session"):
        services.complete_caution(
            world["om"], case.pk, {"version": case.version, "completed_on": days_ago(1)}
        )
    assert snapshot(case) == before
    services.record_attendance(
        world["provider"],
        case.pk,
        {"version": case.version, "session_number": 2, "session_on": days_ago(2), "attended": True},
    )
    case.refresh_from_db()
    services.complete_caution(world["om"], case.pk, {"version": case.version, "completed_on": days_ago(1)})
    assert Case.objects.get(pk=case.pk).state == "caution_complete"


def test_caution_conditions_are_checked_by_the_core(world: World) -> None:
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    before = snapshot(case)
    late = (dt.date.fromisoformat(days_ago(10)) + dt.timedelta(weeks=17)).isoformat()
    with pytest.raises(ValidationFailed) as info:
        services.record_caution(
            world["om"], case.pk, caution_data(case, world, punitive_hours=18, programme_deadline=late)
        )
    assert {d["path"] for d in info.value.details} == {"punitive_hours", "programme_deadline"}
    with pytest.raises(ValidationFailed) as info:
        services.record_caution(world["om"], case.pk, caution_data(case, world, explained_and_warned=False))
    assert info.value.details[0]["path"] == "explained_and_warned"
    assert snapshot(case) == before
    # the 20-week window is allowed with a recorded reason
    services.record_caution(
        world["om"],
        case.pk,
        caution_data(
            case, world, programme_deadline=late, window_weeks=20, exceptional_window_reason="Shift work."
        ),
    )
    case.refresh_from_db()
    assert case.state == "caution_active"
    assert case.caution.checks["ok"] is True
    notification = case.notifications.get(current=True)
    assert notification.notifiable is True and notification.period_years == 2.0
    assert case.mappa.category == 1 and case.mappa.level == 1


# --- concurrency ----------------------------------------------------------------------------


def test_stale_version_is_a_conflict_never_a_lost_update(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    read_version = case.version
    first = deep_merge(LOW_RISK_FACTS, {"offence": {"csem_videos": True}})
    second = deep_merge(LOW_RISK_FACTS, {"offence": {"csem_stories": True}})
    services.update_facts(world["inv"], case.pk, {"version": read_version, "facts": first})
    with pytest.raises(ConflictError) as info:
        services.update_facts(world["sup"], case.pk, {"version": read_version, "facts": second})
    assert info.value.current_version == read_version + 1
    case.refresh_from_db()
    assert case.facts["offence"]["csem_videos"] is True
    assert "csem_stories" not in case.facts["offence"] or case.facts["offence"]["csem_stories"] is False
    assert case.version == read_version + 1


# --- assessment -----------------------------------------------------------------------------


def test_assessment_snapshot_reproduces_the_recommendation(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    assessment = case.assessments.get()
    assert assessment.policy_id == "npcc-2017"
    assert len(assessment.policy_sha256) == 64
    again = triage(CaseFacts.model_validate(assessment.facts), assessment.policy_id)
    assert again["policy"]["sha256"] == assessment.policy_sha256
    assert again["recommendation"] == assessment.recommendation
    assert again["blocking_rules"] == assessment.triage["blocking_rules"]


def test_household_child_link_blocks_diversion(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    services.link_children(
        world["safe"],
        case.pk,
        {"version": case.version, "relationship": "household", "age_band": "5_11", "count": 2},
    )
    case.refresh_from_db()
    assert case.facts["access_to_children"]["household"] is True
    assert case.priority_band == "high"
    case = to_assessed(world, case)
    assert case.assessments.get().recommendation == "prosecute"


# --- breach, prosecution, sentence ----------------------------------------------------------


def test_breach_with_reasonable_excuse_keeps_the_caution(world: World) -> None:
    case = to_caution_active(world)
    breach: dict[str, Any] = {
        "version": case.version,
        "occurred_on": days_ago(2),
        "description": "Missed session",
    }
    with pytest.raises(ValidationFailed):
        services.record_breach(world["om"], case.pk, breach | {"reasonable_excuse": True})
    services.record_breach(
        world["om"], case.pk, breach | {"reasonable_excuse": True, "excuse_details": "In hospital."}
    )
    case.refresh_from_db()
    assert case.state == "caution_active" and case.caution.ceased_on is None


def test_breach_leads_to_prosecution_and_sentence_recomputes_notification(world: World) -> None:
    case = breach_to_prosecution(world)
    assert case.state == "prosecution"
    assert case.prosecution.origin == "caution_breach"
    assert case.caution.ceased_on == dt.date.fromisoformat(days_ago(3))  # the caution stays on record
    services.update_prosecution(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "charged_on": days_ago(2),
            "cps_decision": "charge",
            "court": "Synthtown Crown Court",
        },
    )
    case.refresh_from_db()
    with pytest.raises(ValidationFailed) as info:
        services.record_outcome(
            world["inv"],
            case.pk,
            {
                "version": case.version,
                "outcome": "convicted",
                "outcome_on": days_ago(1),
                "sentence_type": "custody",
            },
        )
    assert {d["path"] for d in info.value.details} == {"sentenced_on", "custody_months"}
    services.record_outcome(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "outcome": "convicted",
            "outcome_on": days_ago(1),
            "sentence_type": "custody",
            "custody_months": 18,
            "sentenced_on": days_ago(1),
        },
    )
    case.refresh_from_db()
    assert case.state == "prosecution_concluded"
    records = list(case.notifications.order_by("id"))
    assert [(r.basis, r.current) for r in records] == [("conditional_caution", False), ("sentence", True)]
    assert records[1].period_years == 10.0  # more than 6 and less than 30 months: 10 years (s.82)
    assert case.mappa.category == 1 and case.mappa.level is None  # level: the responsible authority decides
    services.set_mappa_level(world["om"], case.pk, {"version": case.version, "level": 2})
    case.refresh_from_db()
    assert case.mappa.level == 2 and case.mappa.category == 1
    assert case.prosecution.sentencing_guideline["starting_point"]["weeks"] == 26  # category B possession
    actions = list(case.events.values_list("action", flat=True))
    assert actions.index("record_caution") < actions.index("record_breach") < actions.index("record_outcome")
    services.close_case(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "closed_on": days_ago(0),
            "reason": "Sentenced.",
            "review_dates": [(TODAY + dt.timedelta(days=700)).isoformat()],
        },
    )
    assert Case.objects.get(pk=case.pk).state == "closed"


def test_notification_is_recorded_and_sets_annual_dates(world: World) -> None:
    case = to_caution_active(world)
    with pytest.raises(ValidationFailed):
        services.record_notification(
            world["om"], case.pk, {"version": case.version, "kind": "periodic", "notified_on": days_ago(1)}
        )
    record = services.record_notification(
        world["om"], case.pk, {"version": case.version, "kind": "initial", "notified_on": days_ago(8)}
    )
    assert record.renotification_dates[0] == add_months(dt.date.fromisoformat(days_ago(8)), 12).isoformat()
    assert not any(a.kind == "overdue_notification" for a in queries.alerts(world["om"]))


def test_every_write_appends_a_history_event(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    events = list(
        CaseEvent.objects.filter(case=case).values_list("action", "from_state", "to_state", "version")
    )
    assert events == [
        ("create_referral", "", "referral", 1),
        ("record_enforcement", "referral", "investigation", 2),
        ("record_safeguarding", "investigation", "investigation", 3),
        ("run_assessment", "investigation", "assessed", 4),
    ]
