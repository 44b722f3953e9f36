"""Every closed list of values the case service stores or accepts, each defined once, with its words.

Each vocabulary is a `StrEnum` whose members carry the label a page shows (`member.label`). The
model field choices and their database `CheckConstraint`s (`models`), the pydantic input schemas
(`schemas`, and so the OpenAPI document), the HTML form choices (`ui.forms`) and the labels pages
show (`ui.presenters`) all read these classes; none keeps a list of its own. Members compare equal
to their stored strings, so code and data written with plain strings keep working.

A few vocabularies belong to the pure core (`riskroute.core.facts`: activities, age bands, sex,
judged risk), which cannot import the case service; their values are repeated here only to carry
labels, and a test holds them equal to the core's (`tests/cases/test_vocabulary.py`).

"Unknown" is never "no": where a question may be answered "not known", that is a member of its
own (`AgeBand.UNKNOWN`), or the field is left blank (never recorded), and both stay distinct from
every answer.

This module imports nothing from Django, so pure code (schemas, core adapters) can use it.
"""

from __future__ import annotations

from enum import EnumType, StrEnum
from typing import Any, Self


class _VocabularyType(EnumType):
    """Adds the `choices` and `values` a Django field or form reads, as Django's TextChoices do."""

    @property
    def choices(cls) -> list[tuple[str, str]]:
        members: list[Vocabulary] = list(cls)
        return [(member.value, member.label) for member in members]

    @property
    def values(cls) -> list[str]:
        members: list[Vocabulary] = list(cls)
        return [member.value for member in members]


class Vocabulary(StrEnum, metaclass=_VocabularyType):
    """A closed list of stored values; each member is written `NAME = "value", "Label"`.

    `Vocabulary("value")` finds a member by its value as any enum does; the label is given only
    where a member is defined (its default exists for the type checker, and a test holds every
    label non-empty).
    """

    _value_: str
    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def label_of(cls, value: Any) -> str:
        """The label of a stored value, or the value itself if it is not (or no longer) in the list."""
        try:
            return cls(value).label
        except ValueError:
            return str(value)


# --- The case lifecycle ------------------------------------------------------------------------


class CaseState(Vocabulary):
    """Where a case is in its lifecycle (`Case.state`); the transitions are in `cases.workflow`."""

    REFERRAL = "referral", "Referral received and prioritised"
    INVESTIGATION = "investigation", "Arrested; under investigation"
    ASSESSED = "assessed", "Risk assessed"
    DECISION_PENDING = "decision_pending", "Disposal proposed; awaiting approval"
    DIVERSION_APPROVED = "diversion_approved", "Diversion approved; caution to be administered"
    CAUTION_ACTIVE = "caution_active", "Conditional caution in force"
    CAUTION_COMPLETE = "caution_complete", "Caution conditions completed"
    PROSECUTION = "prosecution", "Prosecution"
    PROSECUTION_CONCLUDED = "prosecution_concluded", "Prosecution concluded"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    CLOSED = "closed", "Closed"


# --- Referral ----------------------------------------------------------------------------------


class ReferralSource(Vocabulary):
    NCA_CEOP = "nca_ceop", "NCA / CEOP dissemination"
    INDUSTRY = "industry", "Industry report"
    LOCAL_INTELLIGENCE = "local_intelligence", "Local intelligence"


class OffenceId(Vocabulary):
    """The offence charged or investigated (named `OffenceId` as in the core's notification rules)."""

    PCA1978_S1 = "pca1978_s1", "Protection of Children Act 1978 s.1 (making, distributing)"
    CJA1988_S160 = "cja1988_s160", "Criminal Justice Act 1988 s.160 (possession)"


class PriorityBand(Vocabulary):
    VERY_HIGH = "very_high", "Very high"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# --- Facts owned by the core (riskroute.core.facts), labelled here ------------------------------


class Activity(Vocabulary):
    """Suspected or established offending activity (`core.facts.Activity`)."""

    POSSESSION = "possession", "Possession"
    MAKING = "making", "Making (downloading or opening)"
    DISTRIBUTION = "distribution", "Distribution (sharing)"
    PRODUCTION = "production", "Production"
    LIVE_STREAMING = "live_streaming", "Live streaming"
    ADVERTISING = "advertising", "Advertising"


class AgeBand(Vocabulary):
    """Youngest child depicted (`core.facts.AgeBand`); `UNKNOWN` is an answer, not a "no"."""

    UNDER_16 = "under_16", "Under 16"
    AGE_16_17 = "16_17", "16 or 17"
    UNKNOWN = "unknown", "Unknown"


class Sex(Vocabulary):
    """The subject's sex as the instruments read it (`core.facts.Sex`)."""

    MALE = "male", "Male"
    FEMALE = "female", "Female"


class RiskLevel(Vocabulary):
    """Risk concluded by a structured professional judgement (`core.facts.RiskLevel`)."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


# --- Safeguarding ------------------------------------------------------------------------------


class ChildRelationship(Vocabulary):
    HOUSEHOLD = "household", "Lives in the household"
    FAMILY = "family_or_friends", "Family or friends"
    OCCUPATION = "occupation", "Through occupation"
    VOLUNTEERING = "volunteering", "Through volunteering"


class ChildAgeBand(Vocabulary):
    UNDER_5 = "under_5", "Under 5"
    AGE_5_11 = "5_11", "5 to 11"
    AGE_12_15 = "12_15", "12 to 15"
    AGE_16_17 = "16_17", "16 or 17"
    UNKNOWN = "unknown", "Unknown"


class S47Outcome(Vocabulary):
    PENDING = "pending", "Enquiry under way"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    CHILD_IN_NEED = "child_in_need", "Child in need plan"
    CHILD_PROTECTION_CONFERENCE = "child_protection_conference", "Child protection conference"
    NOT_APPLICABLE = "not_applicable", "No s.47 enquiry"


class DbsDecision(Vocabulary):
    REFERRED = "referred", "Referred to the DBS"
    NOT_REFERRED = "not_referred", "Considered; no referral to the DBS"


# --- Assessment and disposal -------------------------------------------------------------------


class Recommendation(Vocabulary):
    """The policy's recommendation (`core.policy`); a person decides the disposal."""

    DIVERT = "divert", "Divert"
    PROSECUTE = "prosecute", "Prosecute"
    NEEDS_INFORMATION = "needs_information", "Needs more information"


class DisposalKind(Vocabulary):
    DIVERSION = "diversion", "Diversion (conditional caution)"
    CHARGE = "charge", "Charge file to CPS"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class ProposalStatus(Vocabulary):
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# --- Notification ------------------------------------------------------------------------------


class NotificationBasis(Vocabulary):
    """What a notification record rests on."""

    CONDITIONAL_CAUTION = "conditional_caution", "conditional caution"
    SENTENCE = "sentence", "sentence"


class CorrectedRecord(Vocabulary):
    """The kinds of record a correction may change (`cases.corrections.CORRECTABLE`)."""

    ATTENDANCE = "attendance", "Programme attendance"
    BREACH = "breach", "Breach"
    OUTCOME = "outcome", "Court outcome"
    NOTIFICATION = "notification", "Notification"


class NotificationKind(Vocabulary):
    """Which notification the person made to the police."""

    INITIAL = "initial", "Initial notification"
    PERIODIC = "periodic", "Annual (periodic) notification"


# --- Prosecution -------------------------------------------------------------------------------


class ProsecutionOrigin(Vocabulary):
    CHARGE_DECISION = "charge_decision", "Charge decision"
    CAUTION_BREACH = "caution_breach", "Breach of conditional caution (CJA 2003 s.24)"


class CpsDecision(Vocabulary):
    CHARGE = "charge", "Charge"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    FURTHER_EVIDENCE_NEEDED = "further_evidence_needed", "Further evidence needed"


class CourtOutcome(Vocabulary):
    CONVICTED = "convicted", "Convicted"
    ACQUITTED = "acquitted", "Acquitted"
    DISCONTINUED = "discontinued", "Discontinued"


class SentenceType(Vocabulary):
    """A court's sentence: each is a disposal the notification rules know."""

    CUSTODY = "custody", "Immediate custody"
    SUSPENDED_SENTENCE = "suspended_sentence", "Suspended sentence"
    COMMUNITY_ORDER = "community_order", "Community order"
    FINE = "fine", "Fine"
    CONDITIONAL_DISCHARGE = "conditional_discharge", "Conditional discharge"
    ABSOLUTE_DISCHARGE = "absolute_discharge", "Absolute discharge"
    HOSPITAL_ORDER = "hospital_order", "Hospital order"
    HOSPITAL_ORDER_WITH_RESTRICTION = "hospital_order_with_restriction", "Hospital order with restriction"


# --- Records management ------------------------------------------------------------------------


class ErasureScope(Vocabulary):
    PERSONAL_DATA = (
        "personal_data",
        "The person's name, date of birth and address, and every free-text note",
    )
    CASE = "case", "The whole case record"


class ReviewOutcome(Vocabulary):
    RETAIN = "retain", "Retain until the next review"
    ERASE = "erase", "Erase (the erasure itself is a separate, logged step)"


#: Every vocabulary, for the tests that hold models, schemas and forms to the same values.
ALL: tuple[type[Vocabulary], ...] = tuple(Vocabulary.__subclasses__())
