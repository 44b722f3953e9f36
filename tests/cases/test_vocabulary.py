"""Each vocabulary is defined once (`cases.vocabulary`) and every layer reads that one definition.

- the model choices, the input schemas (and so the OpenAPI document) and the form choices of each
  vocabulary field hold exactly the vocabulary's values, with its labels on the forms;
- the vocabularies the core owns hold exactly the core's values;
- migration 0007 adds a database check to every vocabulary field, and the database (SQLite here,
  PostgreSQL in the rerun of tests/cases, tests/test_postgres.py) refuses a value outside it;
- blank ("not recorded") and "unknown" stay distinct from every answer: unknown is never "no".
"""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import pytest
from django import forms
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from pydantic import BaseModel

from riskroute.cases import schemas, services
from riskroute.cases.api import api
from riskroute.cases.corrections import CorrectionIn
from riskroute.cases.models import (
    Assessment,
    Case,
    ChildLink,
    DisposalProposal,
    Enforcement,
    NotificationRecord,
    PriorityRecord,
    Prosecution,
    RecordReview,
    Referral,
    Safeguarding,
)
from riskroute.cases.ui import forms as case_forms
from riskroute.cases.vocabulary import (
    ALL,
    Activity,
    AgeBand,
    CaseState,
    ChildAgeBand,
    ChildRelationship,
    CorrectedRecord,
    CourtOutcome,
    CpsDecision,
    DbsDecision,
    DisposalKind,
    ErasureScope,
    NotificationBasis,
    NotificationKind,
    OffenceId,
    PriorityBand,
    ProposalStatus,
    ProsecutionOrigin,
    Recommendation,
    ReferralSource,
    ReviewOutcome,
    RiskLevel,
    S47Outcome,
    SentenceType,
    Sex,
    Vocabulary,
)
from riskroute.cases.workflow import CaseWorkflow
from riskroute.core import facts as core_facts
from riskroute.core.law.notification import DisposalType
from riskroute.core.law.notification import OffenceId as CoreOffenceId
from tests.factories import World, referral

ModelField = tuple[type[models.Model], str]
SchemaField = tuple[type[BaseModel], str]
FormField = tuple[type[forms.Form], str]

#: Where each vocabulary is stored (model fields), accepted (input schemas) and asked (forms).
WHERE: dict[type[Vocabulary], tuple[list[ModelField], list[SchemaField], list[FormField]]] = {
    CaseState: ([(Case, "state")], [], []),
    ReferralSource: (
        [(Case, "referral_source"), (Referral, "source")],
        [(schemas.ReferralIn, "source")],
        [(case_forms.ReferralForm, "source")],
    ),
    OffenceId: (
        [(Case, "offence")],
        [(schemas.ReferralIn, "offence")],
        [(case_forms.ReferralForm, "offence")],
    ),
    PriorityBand: ([(Case, "priority_band"), (PriorityRecord, "band")], [], []),
    Activity: (
        [],
        [(schemas.ReferralIn, "suspected_activities")],
        [
            (case_forms.ReferralForm, "suspected_activities"),
            (case_forms.FactsForm, "facts__offence__activities"),
        ],
    ),
    AgeBand: (
        [(Enforcement, "youngest_depicted")],
        [(schemas.EnforcementIn, "youngest_depicted")],
        [
            (case_forms.EnforcementForm, "youngest_depicted"),
            (case_forms.FactsForm, "facts__offence__youngest_depicted"),
        ],
    ),
    Sex: (
        [],
        [],
        [(case_forms.AssessmentForm, "osp_sex"), (case_forms.FactsForm, "facts__subject__sex")],
    ),
    RiskLevel: ([], [], [(case_forms.FactsForm, "facts__process__structured_judgement_risk")]),
    ChildRelationship: (
        [(ChildLink, "relationship")],
        [(schemas.ChildLinkIn, "relationship")],
        [(case_forms.ChildLinkForm, "relationship")],
    ),
    ChildAgeBand: (
        [(ChildLink, "age_band")],
        [(schemas.ChildLinkIn, "age_band")],
        [(case_forms.ChildLinkForm, "age_band")],
    ),
    S47Outcome: (
        [(Safeguarding, "s47_outcome")],
        [(schemas.SafeguardingIn, "s47_outcome")],
        [(case_forms.SafeguardingForm, "s47_outcome")],
    ),
    DbsDecision: (
        [(Safeguarding, "dbs_decision")],
        [(schemas.SafeguardingIn, "dbs_decision")],
        [(case_forms.SafeguardingForm, "dbs_decision")],
    ),
    Recommendation: ([(Assessment, "recommendation"), (DisposalProposal, "recommendation")], [], []),
    DisposalKind: (
        [(DisposalProposal, "kind")],
        [(schemas.ProposalIn, "kind")],
        [(case_forms.ProposalForm, "kind")],
    ),
    ProposalStatus: ([(DisposalProposal, "status")], [], []),
    NotificationBasis: ([(NotificationRecord, "basis")], [], []),
    NotificationKind: ([], [(schemas.NotifiedIn, "kind")], [(case_forms.NotificationForm, "kind")]),
    ProsecutionOrigin: ([(Prosecution, "origin")], [], []),
    CpsDecision: (
        [(Prosecution, "cps_decision")],
        [(schemas.ProsecutionIn, "cps_decision")],
        [(case_forms.ProsecutionForm, "cps_decision")],
    ),
    CourtOutcome: (
        [(Prosecution, "outcome")],
        [(schemas.OutcomeIn, "outcome")],
        [(case_forms.OutcomeForm, "outcome")],
    ),
    SentenceType: (
        [(Prosecution, "sentence_type")],
        [(schemas.OutcomeIn, "sentence_type")],
        [(case_forms.OutcomeForm, "sentence_type")],
    ),
    ErasureScope: ([], [(schemas.ErasureIn, "scope")], [(case_forms.ErasureForm, "scope")]),
    CorrectedRecord: ([], [(CorrectionIn, "record")], []),
    ReviewOutcome: (
        [(RecordReview, "outcome")],
        [(schemas.ReviewIn, "outcome")],
        [(case_forms.ReviewForm, "outcome")],
    ),
}

MODEL_FIELDS = [(vocabulary, *where) for vocabulary, (fields, _, _) in WHERE.items() for where in fields]


def _schema_values(schema: type[BaseModel], field: str) -> set[str]:
    """The values the JSON schema of `schema.field` allows (through $ref, anyOf and list items)."""
    document = schema.model_json_schema()
    definitions = document.get("$defs", {})

    def allowed(node: dict[str, Any]) -> set[str]:
        if "$ref" in node:
            return allowed(definitions[node["$ref"].rsplit("/", 1)[-1]])
        found = set(node.get("enum", []))
        for part in node.get("anyOf", []):
            found |= allowed(part)
        if "items" in node:
            found |= allowed(node["items"])
        return found

    return allowed(document["properties"][field])


def _form_choices(form: type[forms.Form], field: str) -> dict[str, str]:
    """The answers a form offers for `field`, without the blank "not recorded" choice."""
    instance = form()
    return {str(value): str(label) for value, label in instance.fields[field].choices if value != ""}


def test_every_vocabulary_is_placed_and_labelled() -> None:
    assert set(WHERE) == set(ALL)
    for vocabulary in ALL:
        assert vocabulary.values, vocabulary
        for member in vocabulary:
            assert member.label.strip(), f"{vocabulary.__name__}.{member.name} has no label"
            assert member.value.strip(), "a blank value would be read as 'not recorded'"


@pytest.mark.parametrize("vocabulary", list(WHERE), ids=lambda v: v.__name__)
def test_models_schemas_and_forms_hold_the_same_values(vocabulary: type[Vocabulary]) -> None:
    model_fields, schema_fields, form_fields = WHERE[vocabulary]
    values = set(vocabulary.values)
    for model, name in model_fields:
        field = model._meta.get_field(name)
        assert {value for value, _ in field.choices} == values, f"{model.__name__}.{name}"
    for schema, name in schema_fields:
        assert _schema_values(schema, name) == values, f"{schema.__name__}.{name}"
    for form, name in form_fields:
        assert _form_choices(form, name) == dict(vocabulary.choices), f"{form.__name__}.{name}"


def test_the_openapi_document_offers_each_vocabulary_unchanged() -> None:
    """The API documents each vocabulary once, as a named enum of exactly its values."""
    components = api.get_openapi_schema()["components"]["schemas"]
    for vocabulary, (_, schema_fields, _) in WHERE.items():
        if schema_fields and vocabulary not in (Activity, AgeBand):  # those two are the core's
            assert components[vocabulary.__name__]["enum"] == vocabulary.values


def test_the_core_vocabularies_hold_the_cores_values() -> None:
    assert Activity.values == list(core_facts.ACTIVITIES)
    assert AgeBand.values == list(get_args(core_facts.AgeBand))
    assert Sex.values == list(get_args(core_facts.Sex))
    assert RiskLevel.values == list(get_args(core_facts.RiskLevel))
    assert set(SentenceType.values) <= set(get_args(DisposalType))
    assert OffenceId.values == list(get_args(CoreOffenceId))


def test_the_workflow_states_are_the_case_states() -> None:
    assert [(s.value, s.name) for s in CaseWorkflow.states] == CaseState.choices


def test_unknown_is_an_answer_of_its_own_never_blank_or_no() -> None:
    for vocabulary in (AgeBand, ChildAgeBand):
        assert vocabulary("unknown").label == "Unknown"
    assert all("no" not in vocabulary.values and "" not in vocabulary.values for vocabulary in ALL)
    form = case_forms.EnforcementForm(data={"version": 1, "youngest_depicted": "unknown"})
    assert form.is_valid(), form.errors
    assert form.payload()["youngest_depicted"] == "unknown"
    form = case_forms.EnforcementForm(data={"version": 1, "youngest_depicted": ""})
    assert form.is_valid(), form.errors
    assert form.payload()["youngest_depicted"] is None  # not recorded, not "unknown" and not "no"


def test_label_of_a_stored_value() -> None:
    assert CpsDecision.label_of("further_evidence_needed") == "Further evidence needed"
    assert CaseState.label_of("caution_active") == "Conditional caution in force"
    assert SentenceType.label_of("retired_value") == "retired_value"  # shown, never hidden


# --- the database refuses a value outside the vocabulary -----------------------------------------


def _constraint_names() -> dict[str, set[str]]:
    """Check constraints named `*_in_vocabulary` in the live database, by table."""
    tables = {model._meta.db_table for _, model, _ in MODEL_FIELDS}
    with connection.cursor() as cursor:
        return {
            table: {
                name
                for name, info in connection.introspection.get_constraints(cursor, table).items()
                if info["check"] and name.endswith("_in_vocabulary")
            }
            for table in tables
        }


def _one_row_of_each(world: World, case: Case) -> dict[type[models.Model], models.Model]:
    """A valid row of every model that stores a vocabulary, all on one case."""
    today = dt.date(2026, 1, 5)
    assessment = Assessment.objects.create(
        case=case,
        created_by=world["inv"],
        facts={},
        policy_id="p",
        policy_version="1",
        policy_sha256="0" * 64,
        recommendation=Recommendation.NEEDS_INFORMATION,
        triage={},
    )
    # Before the notification record, which follows a prosecution (migration cases.0015).
    prosecution = Prosecution.objects.create(case=case, origin=ProsecutionOrigin.CHARGE_DECISION)
    return {
        Case: case,
        PriorityRecord: case.priority_history.get(),
        Enforcement: Enforcement.objects.create(case=case, youngest_depicted=AgeBand.UNKNOWN),
        ChildLink: ChildLink.objects.create(
            case=case, relationship=ChildRelationship.HOUSEHOLD, age_band=ChildAgeBand.UNKNOWN, count=1
        ),
        Safeguarding: Safeguarding.objects.create(case=case),
        Assessment: assessment,
        DisposalProposal: DisposalProposal.objects.create(
            case=case,
            kind=DisposalKind.CHARGE,
            assessment=assessment,
            recommendation=Recommendation.NEEDS_INFORMATION,
            reason="Synthetic",
            proposed_by=world["inv"],
        ),
        NotificationRecord: NotificationRecord.objects.create(
            case=case, basis=NotificationBasis.SENTENCE, relevant_date=today
        ),
        Prosecution: prosecution,
        RecordReview: RecordReview.objects.create(
            case=case, reviewed_on=today, reviewed_by=world["admin"], outcome=ReviewOutcome.RETAIN, reason="x"
        ),
        Referral: Referral.objects.create(
            case=case,
            force=case.force,
            source=ReferralSource.INDUSTRY,
            external_reference="VOCAB-1",
            received_on=today,
            created_by=world["inv"],
        ),
    }


@pytest.mark.django_db(transaction=True)
def test_migration_0007_makes_the_database_refuse_values_outside_each_vocabulary(world: World) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0006_safeguarding_and_timeline")])
    assert not any(_constraint_names().values())  # the checks come from 0007
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    present = _constraint_names()
    for _, model, name in MODEL_FIELDS:
        assert f"{model._meta.model_name}_{name}_in_vocabulary" in present[model._meta.db_table]

    rows = _one_row_of_each(world, services.create_referral(world["inv"], referral()))
    for _, model, name in MODEL_FIELDS:
        field = model._meta.get_field(name)
        rows_of_model = model.objects.filter(pk=rows[model].pk)
        for bad in ("bogus", "no", "" if not field.blank else None):
            if bad is None:
                continue
            with pytest.raises(IntegrityError), transaction.atomic():
                rows_of_model.update(**{name: bad})
        if field.blank:  # blank is "not recorded": allowed where the field may be left empty
            rows_of_model.update(**{name: ""})
