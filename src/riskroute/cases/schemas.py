"""Input documents of every service write, as pydantic models shared by the API and the HTML forms.

Each write quotes the case `version` it read (optimistic concurrency). Unknown fields are
rejected, so a misspelt field is an error rather than silently ignored. Services accept either a
model instance or a plain mapping (form data), and report problems as `ValidationFailed` with the
field's dotted path.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from riskroute.cases.vocabulary import (
    ChildAgeBand,
    ChildRelationship,
    CourtOutcome,
    CpsDecision,
    DbsDecision,
    DisposalKind,
    ErasureScope,
    NotificationKind,
    OffenceId,
    ReferralSource,
    ReviewOutcome,
    S47Outcome,
    SentenceType,
)
from riskroute.core.facts import Activity, AgeBand, CaseFacts

Text = Annotated[str, Field(min_length=1, max_length=5000)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
OptionalText = Annotated[str, Field(max_length=5000)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Version = Annotated[int, Field(ge=1, description="The case version this change is based on.")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Write(_In):
    version: Version


class SubjectIn(_In):
    full_name: ShortText
    date_of_birth: date
    address: Text


class ReferralIn(_In):
    """A new referral: where it came from, what is suspected, who, and the facts known so far."""

    source: ReferralSource
    received_on: date
    summary: Text
    suspected_activities: list[Activity] = Field(default_factory=list, max_length=6)
    offence: OffenceId | None = Field(
        default=None, description="Defaults from the activities: possession only is s.160, otherwise PCA s.1."
    )
    subject: SubjectIn
    facts: CaseFacts = Field(default_factory=CaseFacts)
    unit_id: int | None = Field(default=None, description="Defaults to the creating user's unit.")
    assigned_to_id: int | None = Field(
        default=None, description="Defaults to the creator if an investigator."
    )


class FactsIn(_Write):
    facts: CaseFacts


class AssignIn(_Write):
    assigned_to_id: int


class ProviderReferralIn(_Write):
    provider_organisation_id: int | None


class EnforcementIn(_Write):
    """Enforcement action and the forensic summary: counts only, never images or paths."""

    warrant_on: date | None = None
    arrested_on: date | None = None
    devices_seized: Count | None = None
    count_a: Count | None = None
    count_b: Count | None = None
    count_c: Count | None = None
    youngest_depicted: AgeBand | None = None
    videos: bool | None = None
    stories: bool | None = None
    collection_span_years: Annotated[float, Field(ge=0, le=120)] | None = None
    distribution_evidence: bool | None = None
    #: Images offered in a peer-to-peer shared folder (distribution in law); kept as a case fact.
    peer_to_peer_sharing: bool | None = None


class SafeguardingIn(_Write):
    social_care_referred_on: date | None = None
    strategy_discussion_on: date | None = None
    s47_outcome: S47Outcome | None = None
    children_safeguarded: Count | None = None
    safeguarded_on: date | None = None
    position_of_trust_known_on: date | None = Field(
        default=None,
        description="Position of trust only: when police learnt of it (starts the LADO deadline).",
    )
    lado_referred_on: date | None = None
    employer_notified_on: date | None = None
    employer_or_regulator: Annotated[str, Field(max_length=200)] | None = None
    dbs_considered_on: date | None = None
    dbs_decision: DbsDecision | None = None


class ChildLinkIn(_Write):
    """Children the subject has access to: relationship, age band and how many (no names)."""

    relationship: ChildRelationship
    age_band: ChildAgeBand
    count: Annotated[int, Field(ge=1, le=100)]


class AssessmentIn(_Write):
    """Run the assessment. OSP inputs are the instruments' own items (see docs/cli.md)."""

    osp_dc: dict[str, object] | None = None
    osp_iic: dict[str, object] | None = None


class ProposalIn(_Write):
    kind: DisposalKind
    reason: Text
    admission: bool | None = None
    consent: bool | None = None
    exceptional_circumstances: OptionalText = ""
    departure_reason: OptionalText = ""


class DecisionIn(_Write):
    reason: OptionalText = ""


class CautionIn(_Write):
    """Conditions of the conditional caution and the date the document was signed."""

    programme_name: ShortText
    provider_organisation_id: int
    sessions: Annotated[int, Field(ge=1, le=100)]
    programme_deadline: date
    window_weeks: Literal[16, 20] = 16
    exceptional_window_reason: OptionalText = ""
    reparative_hours: Annotated[float, Field(ge=0, le=1000)] = 0
    punitive_hours: Annotated[float, Field(ge=0, le=1000)] = 0
    other_conditions: OptionalText = ""
    explained_and_warned: bool = Field(
        description="The offender was told what the caution means and warned that a breach means prosecution."
    )
    signed_on: date
    mappa_level: Annotated[int, Field(ge=1, le=3)] | None = Field(
        default=None, description="MAPPA management level; defaults to the level the core suggests."
    )


class MappaIn(_Write):
    """The MAPPA management level, a judgement of the responsible authority (CJA 2003 s.325)."""

    level: Annotated[int, Field(ge=1, le=3)]


class NotifiedIn(_Write):
    kind: NotificationKind
    notified_on: date


class AttendanceIn(_Write):
    session_number: Annotated[int, Field(ge=1, le=100)]
    session_on: date
    attended: bool
    note: OptionalText = ""


class CompletionIn(_Write):
    completed_on: date


class BreachIn(_Write):
    occurred_on: date
    description: Text
    reasonable_excuse: bool
    excuse_details: OptionalText = ""


class ProsecutionIn(_Write):
    charged_on: date | None = None
    cps_decision: CpsDecision | None = None
    cps_decision_on: date | None = None
    court: Annotated[str, Field(max_length=200)] | None = None
    first_hearing_on: date | None = None


class OutcomeIn(_Write):
    """Court outcome; a conviction carries the sentence, from which notification is recomputed."""

    outcome: CourtOutcome
    outcome_on: date
    sentence_type: SentenceType | None = None
    custody_months: Annotated[float, Field(gt=0, le=1200)] | None = None
    discharge_months: Annotated[int, Field(ge=1, le=36)] | None = None
    sentenced_on: date | None = None


class CloseIn(_Write):
    closed_on: date
    reason: Text
    review_dates: list[date] = Field(min_length=1, max_length=10)


#: A reason that explains itself: long enough to say why, short enough to read in the log.
Reason = Annotated[str, Field(min_length=10, max_length=500)]
#: The longest a cross-force share may run before it must be granted again.
MAX_SHARE_DAYS = 90


class ShareIn(_In):
    """Let another force's caseworkers read this case (never change it) until the share expires."""

    recipient_force: ShortText = Field(description="The code of the force receiving access.")
    days: int = Field(ge=1, le=MAX_SHARE_DAYS, description="How long the share lasts.")
    reason: Reason


class ErasureIn(_Write):
    """Erase the subject's personal data and the free text of a case, or the whole case record."""

    scope: ErasureScope
    reason: Reason


class ReviewIn(_Write):
    """A retention review of a closed record: retain it until a later review, or decide to erase."""

    reviewed_on: date
    outcome: ReviewOutcome
    next_review_on: date | None = Field(
        default=None, description="Required when retaining; at most 10 years after the review."
    )
    reason: Reason
