"""Issue 9 in the case service: the edges where a wrong answer could be acted on.

- the case's own timeline (every date checked against the dates the case holds), per HTML form
  with the Django test client and through the API;
- safeguarding completeness derived from the record, with the position-of-trust steps;
- no approval overrides a safety exclusion, and an approved departure carries reasons;
- after prosecution for the original offence (s.24): an acquittal carries no sentence and ends
  the caution's notification; a conviction recomputes it;
- pages in the user's language, and "not known" never shown as "no".
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client

from riskroute.cases import safeguarding, services
from riskroute.cases.errors import ValidationFailed
from riskroute.cases.models import Case, CaseEvent, Prosecution, Safeguarding
from riskroute.cases.templatetags.caseformat import cite, day
from riskroute.cases.timeline import RULES
from tests.clients import Api, assert_error, browser
from tests.factories import (
    LOW_RISK_FACTS,
    SAFEGUARDING_DONE,
    TODAY,
    World,
    breach_to_prosecution,
    caution_data,
    days_ago,
    fresh,
    referral,
    to_assessed,
    to_caution_active,
    to_diversion_approved,
)
from tests.formdata import date_fields

# --- helpers --------------------------------------------------------------------------------


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def submit(client: Client, case: Case, step: str, data: dict[str, Any]) -> Any:
    """Post a step form with the case's current version; a refusal must change nothing."""
    before = fresh(case)
    events = CaseEvent.objects.filter(case=case).count()
    response = client.post(f"/cases/{case.pk}/{step}/", {"version": before.version, **data})
    if response.status_code != 302:
        assert fresh(case).version == before.version, "a refused form changed the case"
        assert CaseEvent.objects.filter(case=case).count() == events, "a refused form wrote an event"
    return response


def field_error(response: Any, text: str) -> None:
    """The form came back (422) with `text` in its error summary."""
    assert response.status_code == 422, response.status_code
    page = response.content.decode()
    summary = page[page.index("govuk-error-summary") :]
    assert text.lower() in summary.lower(), summary[:2000]


# --- E. the case's own timeline: one test per form ------------------------------------------


def test_every_date_rule_names_a_field_of_its_form() -> None:
    """The table is the only place date order is defined; each rule's field is an input field."""
    from riskroute.cases import schemas

    inputs = {
        "record_enforcement": schemas.EnforcementIn,
        "record_safeguarding": schemas.SafeguardingIn,
        "record_caution": schemas.CautionIn,
        "record_notification": schemas.NotifiedIn,
        "record_periodic_notification": schemas.NotifiedIn,
        "record_attendance": schemas.AttendanceIn,
        "complete_caution": schemas.CompletionIn,
        "record_breach": schemas.BreachIn,
        "update_prosecution": schemas.ProsecutionIn,
        "record_outcome": schemas.OutcomeIn,
        "close_case": schemas.CloseIn,
    }
    assert set(RULES) == set(inputs)
    for action, rules in RULES.items():
        assert all(rule.field in inputs[action].model_fields for rule in rules), action


def test_caution_form_refuses_a_signature_before_the_arrest_or_the_approval(world: World) -> None:
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    client = browser("om", case)
    form = caution_data(case, world)
    form = {k: v for k, v in form.items() if k not in ("version", "signed_on", "programme_deadline")}
    form |= {"window_weeks": "16", **date_fields("programme_deadline", TODAY + dt.timedelta(days=100))}
    before_arrest = submit(client, case, "caution", {**form, **date_fields("signed_on", ago(55))})
    field_error(before_arrest, "must not be before the arrest")
    before_approval = submit(client, case, "caution", {**form, **date_fields("signed_on", ago(25))})
    field_error(before_approval, "must not be before the approval of the diversion")
    assert submit(client, case, "caution", {**form, **date_fields("signed_on", ago(10))}).status_code == 302


def test_caution_api_refuses_a_signature_before_the_approval(world: World) -> None:
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    deadline = (TODAY + dt.timedelta(days=60)).isoformat()  # inside the 16-week window either way
    body = caution_data(case, world, signed_on=days_ago(30), programme_deadline=deadline)
    details = assert_error(Api(world["om"]).post(f"/cases/{case.pk}/caution", body), 422, "invalid_input")
    assert len(details) == 1 and details[0]["path"] == "signed_on" and "approval" in details[0]["message"]


def test_notification_form_refuses_a_second_initial_and_one_before_the_relevant_date(world: World) -> None:
    case = to_caution_active(world)  # signed ten days ago: the relevant date
    client = browser("om", case)
    early = submit(client, case, "notification", {"kind": "initial", **date_fields("notified_on", ago(12))})
    field_error(early, "must not be before the relevant date")
    assert (
        submit(
            client, case, "notification", {"kind": "initial", **date_fields("notified_on", ago(9))}
        ).status_code
        == 302
    )
    again = submit(client, case, "notification", {"kind": "initial", **date_fields("notified_on", ago(8))})
    field_error(again, "initial notification is already recorded")
    api = Api(world["om"])
    details = assert_error(
        api.post(
            f"/cases/{case.pk}/notifications",
            {"version": fresh(case).version, "kind": "initial", "notified_on": days_ago(1)},
        ),
        422,
        "invalid_input",
    )
    assert details[0]["path"] == "kind"


def test_breach_form_refuses_a_breach_before_the_caution(world: World) -> None:
    case = to_caution_active(world)
    client = browser("om", case)
    data = {
        "description": "Missed a session",
        "reasonable_excuse": "no",
        **date_fields("occurred_on", ago(700)),
    }
    field_error(submit(client, case, "breach", data), "must not be before the caution was signed")
    assert fresh(case).state == "caution_active"


def test_attendance_form_keeps_sessions_inside_the_programme_window(world: World) -> None:
    case = to_caution_active(world)
    client = browser("om", case)
    early = {"session_number": "1", "attended": "yes", **date_fields("session_on", ago(11))}
    field_error(submit(client, case, "attendance", early), "must not be before the caution was signed")
    caution = fresh(case).caution
    caution.programme_deadline = ago(5)  # a window that has already closed
    caution.save()
    late = {"session_number": "1", "attended": "yes", **date_fields("session_on", ago(2))}
    field_error(submit(client, case, "attendance", late), "must not be after the end of the programme window")


def test_prosecution_form_refuses_a_charge_before_the_referral(world: World) -> None:
    case = breach_to_prosecution(world)
    client = browser("inv", case)
    data = {"cps_decision": "charge", **date_fields("charged_on", ago(400))}
    field_error(
        submit(client, case, "prosecution", data), "must not be before the date the referral was received"
    )
    details = assert_error(
        Api(world["inv"]).post(
            f"/cases/{case.pk}/prosecution", {"version": fresh(case).version, "charged_on": days_ago(400)}
        ),
        422,
        "invalid_input",
    )
    assert {d["path"] for d in details} == {"charged_on"}


def test_closure_form_refuses_a_closure_before_the_last_event(world: World) -> None:
    case = to_caution_active(world)
    for session in (1, 2, 3):
        services.record_attendance(
            world["om"],
            case.pk,
            {
                "version": fresh(case).version,
                "session_number": session,
                "session_on": days_ago(4 - session),
                "attended": True,
            },
        )
    services.complete_caution(
        world["om"], case.pk, {"version": fresh(case).version, "completed_on": days_ago(1)}
    )
    client = browser("inv", case)
    data = {
        "reason": "Done",
        **date_fields("closed_on", ago(30)),
        **date_fields("review_1", TODAY + dt.timedelta(days=700)),
    }
    field_error(submit(client, case, "close", data), "must not be before the last event of the case")
    data |= date_fields("closed_on", ago(0))
    assert b'id="check-answers"' in submit(client, case, "close", data).content  # one-way: check first
    assert submit(client, case, "close", data | {"confirmed": "yes"}).status_code == 302


@pytest.mark.parametrize("step", ["enforcement", "safeguarding", "prosecution"])
def test_a_form_submitted_with_nothing_entered_writes_nothing(world: World, step: str) -> None:
    case = services.create_referral(world["inv"], referral())
    if step == "prosecution":
        case = breach_to_prosecution(world)
    client = browser("sup", case)
    response = submit(client, case, step, {})
    field_error(response, "nothing was entered or changed")


def test_an_empty_api_write_writes_nothing(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    api = Api(world["inv"])
    for step in ("enforcement", "safeguarding"):
        details = assert_error(
            api.post(f"/cases/{case.pk}/{step}", {"version": case.version}), 422, "invalid_input"
        )
        assert details[0]["path"] == "$"
    assert fresh(case).version == case.version


# --- A7. safeguarding derived from the record -----------------------------------------------


def test_safeguarding_is_not_complete_until_the_record_says_so(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    assert "safeguarding_checks_complete" not in case.facts.get("process", {})
    partial = {
        "version": case.version,
        "social_care_referred_on": days_ago(10),
        "s47_outcome": "no_further_action",
    }
    case = services.record_safeguarding(world["safe"], case.pk, partial)
    assert "safeguarding_checks_complete" not in case.facts["process"]  # strategy discussion not recorded
    case = services.record_safeguarding(
        world["safe"], case.pk, {"version": case.version, "strategy_discussion_on": days_ago(9)}
    )
    assert case.facts["process"]["safeguarding_checks_complete"] is True


def test_safeguarding_cannot_be_typed_by_hand(world: World) -> None:
    facts = {**LOW_RISK_FACTS, "process": {**LOW_RISK_FACTS["process"], "safeguarding_checks_complete": True}}
    with pytest.raises(ValidationFailed) as refused:
        services.create_referral(world["inv"], referral(facts=facts))
    assert refused.value.details[0]["path"] == "facts.process.safeguarding_checks_complete"


def test_a_position_of_trust_needs_lado_employer_and_dbs_steps(world: World) -> None:
    facts = {
        **LOW_RISK_FACTS,
        "access_to_children": {**LOW_RISK_FACTS["access_to_children"], "occupation": True},
    }
    case = services.create_referral(world["inv"], referral(facts=facts))
    case = services.record_safeguarding(
        world["safe"], case.pk, {"version": case.version, **SAFEGUARDING_DONE}
    )
    record = Safeguarding.objects.get(case=case)
    status = safeguarding.status(case.facts, record)
    assert status.complete is None and status.position_of_trust is True
    assert {name for name, _ in status.missing} >= {
        "lado_referred_on",
        "employer_notified_on",
        "dbs_considered_on",
    }
    steps = {
        "position_of_trust_known_on": days_ago(45),
        "lado_referred_on": days_ago(44),
        "employer_notified_on": days_ago(44),
        "employer_or_regulator": "Synthetic NHS Trust",
        "dbs_considered_on": days_ago(40),
        "dbs_decision": "referred",
    }
    early = {**steps, "lado_referred_on": days_ago(50)}
    with pytest.raises(ValidationFailed) as refused:
        services.record_safeguarding(world["safe"], case.pk, {"version": case.version, **early})
    assert refused.value.details[0]["path"] == "lado_referred_on"
    case = services.record_safeguarding(world["safe"], case.pk, {"version": case.version, **steps})
    assert case.facts["process"]["safeguarding_checks_complete"] is True


def test_unknown_occupation_leaves_safeguarding_not_known(world: World) -> None:
    facts = {**LOW_RISK_FACTS, "access_to_children": {"checked": True, "household": False}}
    case = services.create_referral(world["inv"], referral(facts=facts))
    case = services.record_safeguarding(
        world["safe"], case.pk, {"version": case.version, **SAFEGUARDING_DONE}
    )
    assert "safeguarding_checks_complete" not in case.facts["process"]


def test_the_migration_re_derives_safeguarding_typed_before_this_release(world: World) -> None:
    from importlib import import_module

    from django.apps import apps

    typed = services.create_referral(world["inv"], referral())
    done = services.create_referral(world["inv"], referral())
    services.record_safeguarding(world["safe"], done.pk, {"version": done.version, **SAFEGUARDING_DONE})
    for case in (typed, done):  # as stored before: a "yes" typed by hand, whatever the record said
        facts = {**case.facts, "process": {**case.facts["process"], "safeguarding_checks_complete": True}}
        Case.objects.filter(pk=case.pk).update(facts=facts)
    import_module("riskroute.cases.migrations.0006_safeguarding_and_timeline").derive_existing(apps, None)
    assert "safeguarding_checks_complete" not in fresh(typed).facts["process"]
    assert fresh(done).facts["process"]["safeguarding_checks_complete"] is True


def test_lado_deadline_is_one_working_day_skipping_weekends_and_bank_holidays() -> None:
    assert safeguarding.add_working_days(dt.date(2026, 7, 3), 1) == dt.date(2026, 7, 6)  # Friday -> Monday
    assert safeguarding.add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 29)  # Christmas
    assert safeguarding.LADO_DEADLINE.mark.value == "secondary"  # not verified against the text


def test_the_safeguarding_form_asks_the_position_of_trust_steps(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    page = browser("safe", case).get(f"/cases/{case.pk}/safeguarding/").content.decode()
    assert "Local Authority Designated Officer" in page and "Disclosure and Barring Service" in page
    facts_page = browser("inv", case).get(f"/cases/{case.pk}/facts/").content.decode()
    assert "safeguarding_checks_complete" not in facts_page  # derived, never asked


# --- D. approval cannot override a safety exclusion -----------------------------------------

DIVERSION = {
    "kind": "diversion",
    "reason": "Wants to divert",
    "admission": True,
    "consent": True,
    "exceptional_circumstances": "Claimed exceptional",
    "departure_reason": "Supervisor will agree",
}


def test_diversion_is_refused_outright_when_a_safety_rule_blocks(world: World) -> None:
    facts = {
        **LOW_RISK_FACTS,
        "access_to_children": {**LOW_RISK_FACTS["access_to_children"], "occupation": True},
    }
    case = to_assessed(world, services.create_referral(world["inv"], referral(facts=facts)))
    assert case.assessments.get().recommendation == "prosecute"
    details = assert_error(
        Api(world["inv"]).post(f"/cases/{case.pk}/proposals", {"version": case.version, **DIVERSION}),
        422,
        "invalid_input",
    )
    assert any(d["path"] == "kind" and "excluded" in d["message"] for d in details)
    form = {k: ("yes" if v is True else v) for k, v in DIVERSION.items()}
    field_error(submit(browser("inv", case), case, "disposal/propose", form), "Diversion is excluded")
    assert fresh(case).state == "assessed"


def test_approval_rechecks_safety_after_children_are_linked(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    proposal = {k: v for k, v in DIVERSION.items() if k != "departure_reason"}
    services.propose_disposal(world["inv"], case.pk, {"version": case.version, **proposal})
    case = fresh(case)
    services.link_children(
        world["safe"],
        case.pk,
        {"version": case.version, "relationship": "household", "age_band": "5_11", "count": 1},
    )
    case = fresh(case)
    details = assert_error(
        Api(world["sup"]).post(
            f"/cases/{case.pk}/proposals/approve", {"version": case.version, "reason": "Agreed"}
        ),
        422,
        "invalid_input",
    )
    assert "excluded" in details[0]["message"]
    response = submit(browser("sup", case), case, "disposal/decide", {"decision": "approve", "reason": "ok"})
    field_error(response, "excluded")
    assert fresh(case).state == "decision_pending"


def test_the_approval_page_shows_safety_facts_and_offers_no_approval_over_an_exclusion(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    services.propose_disposal(
        world["inv"],
        case.pk,
        {"version": case.version, "kind": "charge", "reason": "r", "departure_reason": "d"},
    )
    page = browser("sup", case).get(f"/cases/{case.pk}/disposal/decide/").content.decode()
    assert 'id="safety-facts"' in page and "CPORT" in page and "Category A images" in page
    assert "Children in the household" in page and 'value="approve"' in page
    # An older pending diversion that a safety rule blocks (proposed before the refusal existed).
    case = fresh(case)
    proposal = case.proposals.get()
    proposal.kind = "diversion"
    proposal.assessment.triage["trace"][1]["result"] = False
    proposal.assessment.save()
    proposal.save()
    page = browser("sup", case).get(f"/cases/{case.pk}/disposal/decide/").content.decode()
    assert 'id="safety-exclusions"' in page and 'value="approve"' not in page


def test_approving_a_departure_needs_reasons(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    services.propose_disposal(
        world["inv"],
        case.pk,
        {"version": case.version, "kind": "charge", "reason": "r", "departure_reason": "d"},
    )
    case = fresh(case)
    response = submit(browser("sup", case), case, "disposal/decide", {"decision": "approve", "reason": ""})
    field_error(response, "give the reasons for approving it")
    services.approve_disposal(
        world["sup"], case.pk, {"version": case.version, "reason": "Aggravating features."}
    )
    assert case.proposals.get().decision_reason == "Aggravating features."


# --- B5. after prosecution for the original offence -----------------------------------------


def test_an_acquittal_carries_no_sentence(world: World) -> None:
    case = breach_to_prosecution(world)
    body = {
        "outcome": "acquitted",
        "outcome_on": days_ago(1),
        "sentence_type": "custody",
        "custody_months": 12,
    }
    details = assert_error(
        Api(world["inv"]).post(f"/cases/{case.pk}/prosecution/outcome", {"version": case.version, **body}),
        422,
        "invalid_input",
    )
    assert {d["path"] for d in details} == {"sentence_type", "custody_months"}
    form = {
        "outcome": "acquitted",
        "sentence_type": "custody",
        "custody_months": "12",
        **date_fields("outcome_on", ago(1)),
    }
    response = submit(browser("inv", case), case, "prosecution/outcome", form)
    field_error(response, "carries no sentence")


def test_acquittal_after_a_breach_ends_the_cautions_notification_and_mappa(world: World) -> None:
    case = breach_to_prosecution(world)
    services.record_outcome(
        world["inv"], case.pk, {"version": case.version, "outcome": "acquitted", "outcome_on": days_ago(1)}
    )
    case = fresh(case)
    record = case.notifications.get(current=True)
    assert record.basis == "conditional_caution" and record.ended_on == ago(1)
    assert case.mappa.ended_on == ago(1)
    page = browser("inv", case).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="notification-ended"' in page
    with pytest.raises(Exception):  # noqa: B017  (IllegalTransition: nothing in force any more)
        services.set_mappa_level(world["om"], case.pk, {"version": case.version, "level": 2})


def test_a_suspended_sentence_is_recorded_with_its_term(world: World) -> None:
    """Its s.82 period is that of imprisonment for the suspended term, so the term must reach the
    notification rules (it was dropped, and no suspended sentence could be recorded)."""
    case = breach_to_prosecution(world)
    convicted = {"version": case.version, "outcome": "convicted", "outcome_on": days_ago(1)}
    with pytest.raises(ValidationFailed) as refused:
        services.record_outcome(
            world["inv"],
            case.pk,
            convicted | {"sentence_type": "suspended_sentence", "sentenced_on": days_ago(1)},
        )
    assert [d["path"] for d in refused.value.details] == ["custody_months"]
    services.record_outcome(
        world["inv"],
        case.pk,
        convicted
        | {"sentence_type": "suspended_sentence", "custody_months": 12, "sentenced_on": days_ago(1)},
    )
    current = fresh(case).notifications.get(current=True)
    assert current.basis == "sentence" and current.period_years == 10 and current.ended_on is None


@pytest.mark.parametrize(
    ("sentence", "path"),
    [
        ({"sentence_type": "fine", "custody_months": 6}, "custody_months"),
        ({"sentence_type": "custody", "custody_months": 6, "discharge_months": 12}, "discharge_months"),
    ],
)
def test_a_term_the_sentence_cannot_carry_is_refused(
    world: World, sentence: dict[str, Any], path: str
) -> None:
    """A fine has no custodial term: one given by mistake was stored on the record and ignored."""
    case = breach_to_prosecution(world)
    with pytest.raises(ValidationFailed) as refused:
        services.record_outcome(
            world["inv"],
            case.pk,
            {"version": case.version, "outcome": "convicted", "outcome_on": days_ago(1)}
            | sentence
            | {"sentenced_on": days_ago(1)},
        )
    assert [d["path"] for d in refused.value.details] == [path]


def test_no_guideline_is_stored_while_the_activities_are_unknown(world: World) -> None:
    """The guideline's lowest column (possession) would understate the starting point shown."""
    case = breach_to_prosecution(world)
    case.facts = {**case.facts, "offence": {**case.facts["offence"], "activities": None}}
    case.save(update_fields=["facts"])  # as on a case charged before the activities were known
    services.record_outcome(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "outcome": "convicted",
            "outcome_on": days_ago(1),
            "sentence_type": "fine",
            "sentenced_on": days_ago(1),
        },
    )
    assert fresh(case).prosecution.sentencing_guideline == {}


def test_conviction_after_a_breach_recomputes_notification(world: World) -> None:
    case = breach_to_prosecution(world)
    services.record_outcome(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "outcome": "convicted",
            "outcome_on": days_ago(1),
            "sentence_type": "custody",
            "custody_months": 12,
            "sentenced_on": days_ago(1),
        },
    )
    current = fresh(case).notifications.get(current=True)
    assert current.basis == "sentence" and current.period_years == 10 and current.ended_on is None


# --- C2 / C3. the user's language; unknown is never "no" ------------------------------------

TEMPLATES = Path(__file__).resolve().parents[3] / "src" / "riskroute" / "cases" / "templates"


def test_no_template_renders_a_yes_no_value_with_yesno_or_a_date_with_its_own_format() -> None:
    """Yes/no values go through `|tri` (None is "Not known"; `yesno` would show a two-argument
    None as "No"), and every date through `|day` ("4 Jul 2026")."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        offenders += [f"{path.name}: {m}" for m in re.findall(r"\{\{[^}]*\|\s*yesno[^}]*\}\}", text)]
        offenders += [f"{path.name}: {m}" for m in re.findall(r"\|date:[^}|]*", text)]
    assert offenders == []


def test_unknown_notifiability_is_shown_as_not_known(world: World) -> None:
    facts = {**LOW_RISK_FACTS, "offence": {**LOW_RISK_FACTS["offence"], "youngest_depicted": "unknown"}}
    case = services.create_referral(world["inv"], referral(facts=facts))
    case = to_assessed(world, case)
    assessment = case.assessments.get()
    assert assessment.triage["notification_if_cautioned"]["notifiable"] is None
    client = browser("inv", case)
    page = client.get(f"/cases/{case.pk}/assessment/").content.decode()
    shown = re.search(r'id="notification-if-cautioned">(.*?)</span>', page, re.S)
    assert shown is not None and "Not known" in shown.group(1) and "Not notifiable" not in shown.group(1)
    assert "depicted" in page  # what is missing is said
    # A notification record follows a caution or a prosecution (the database holds to it,
    # migration cases.0015): the sentence's record, with the unknown age, made by hand.
    Prosecution.objects.create(case=case, origin="charge_decision", outcome="convicted", outcome_on=TODAY)
    record = case.notifications.create(basis="sentence", relevant_date=TODAY, notifiable=None)
    record.output = {"notes": ["The youngest depicted age is unknown."]}
    record.save()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    notifiable = re.search(r'id="notifiable">(.*?)</dd>', page, re.S)
    assert (
        notifiable is not None
        and "Not known" in notifiable.group(1)
        and "No" not in notifiable.group(1).split()
    )
    assert "youngest depicted age is unknown" in notifiable.group(1)


def test_three_valued_filter_renders_none_as_not_known() -> None:
    html = render_to_string(
        "cases/includes/safeguarding_status.html",
        {"status": safeguarding.status({}, None), "lado_deadline": safeguarding.LADO_DEADLINE},
    )
    assert "Not known" in html and ">No<" not in html and "Yes" not in html


def test_pages_speak_the_users_language(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral(received_on=days_ago(60))))
    client = browser("inv", case)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert day(ago(60)) in page and re.search(r"\b0\d [A-Z][a-z]{2} \d{4}", page) is None  # "4 Jul 2026"
    assert re.search(r'id="latest-recommendation">(Divert|Prosecute|Needs more information)<', page)
    assessment = client.get(f"/cases/{case.pk}/assessment/").content.decode()
    outside_details = re.sub(r"<details.*?</details>", "", assessment, flags=re.S)
    assert "law.md" not in assessment
    assert "access_to_children." not in outside_details and "no_access_occupation" not in outside_details
    # A workflow refusal is a sentence, not "'propose' is not allowed while the case is in state ...".
    refused = client.get(f"/cases/{case.pk}/disposal/decide/")
    refusal = client.post(
        f"/cases/{case.pk}/breach/",
        {
            "version": case.version,
            "description": "x",
            "reasonable_excuse": "no",
            **date_fields("occurred_on", ago(1)),
        },
    )
    for response in (refused, refusal):
        text = response.content.decode()
        assert "is not allowed while the case is in state" not in text and "'" + case.state + "'" not in text


def test_citations_are_a_named_source_with_a_link() -> None:
    shown = str(cite("SOA 2003 s.80(1) [law.md 50] https://www.legislation.gov.uk/ukpga/2003/42/part/2"))
    assert (
        shown.startswith("SOA 2003 s.80(1) (<a")
        and "legislation.gov.uk</a>" in shown
        and "law.md" not in shown
    )
    nested = str(
        cite("Sch 3 paras 13 and 15 [law.md 51; consistent with para 35C [52]] https://example.org/x")
    )
    assert nested.startswith("Sch 3 paras 13 and 15 (") and "[" not in nested
    assert cite("NPCC statement, 28 Feb 2017") == "NPCC statement, 28 Feb 2017"
