"""Case records for the whole lifecycle, from referral to closure.

Design rules, applied throughout:
- counts and facts only: the forensic summary holds counts by category, never an image, a hash
  or a path to one; linked children are held as relationship, age band and count, never names;
- personal data of the subject sits in `Subject` alone; it and every free-text note or summary
  (which may name people) are encrypted at rest field by field (`riskroute.crypto.fields`); the
  subject's name is searchable only by exact match through its blind index `name_index`;
- history is kept: priority changes, assessments, proposals, notification computations, breaches
  and every workflow step (`CaseEvent`) are rows that are added, never overwritten;
- `Case.version` is the optimistic-concurrency counter that every write must quote.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from riskroute.accounts.models import Force, ProviderOrganisation, Unit
from riskroute.cases.vocabulary import (
    AgeBand,
    CaseState,
    ChildAgeBand,
    ChildRelationship,
    CourtOutcome,
    CpsDecision,
    DbsDecision,
    DisposalKind,
    NotificationBasis,
    OffenceId,
    PriorityBand,
    ProposalStatus,
    ProsecutionOrigin,
    Recommendation,
    ReferralSource,
    ReviewOutcome,
    S47Outcome,
    SentenceType,
    Vocabulary,
)
from riskroute.crypto import blind_index
from riskroute.crypto.fields import EncryptedDateField, EncryptedJSONField, EncryptedTextField


def in_vocabulary(field: str, vocabulary: type[Vocabulary], *, blank: bool = False) -> models.CheckConstraint:
    """A database check that `field` holds a value of `vocabulary`, or is blank (not yet recorded)
    where `blank` allows it: the database refuses a value the code would not write."""
    allowed = [*vocabulary.values, *([""] if blank else [])]
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": allowed}), name=f"%(class)s_{field}_in_vocabulary"
    )


#: Priority bands, most urgent first.
BAND_URGENCY = (PriorityBand.VERY_HIGH, PriorityBand.HIGH, PriorityBand.MEDIUM, PriorityBand.LOW)
#: A case's band as its place in `BAND_URGENCY` (unprioritised last): the worklists' second key.
BAND_RANK = models.Case(
    *(
        models.When(priority_band=band.value, then=models.Value(rank))
        for rank, band in enumerate(BAND_URGENCY)
    ),
    default=models.Value(len(BAND_URGENCY)),
    output_field=models.IntegerField(),
)
#: Where a case without an action deadline sorts: after every date.
NO_DEADLINE = dt.date(9999, 12, 31)
#: A case's action deadline for ordering (none last): the worklists' third key.
DEADLINE_KEY = Coalesce("action_deadline", models.Value(NO_DEADLINE), output_field=models.DateField())


class Case(models.Model):
    """One person under investigation for one referral."""

    reference = models.CharField(max_length=40, unique=True)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="cases")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=32, choices=CaseState.choices, default=CaseState.REFERRAL.value, db_index=True
    )
    version = models.PositiveIntegerField(default=1)

    referral_source = models.CharField(max_length=32, choices=ReferralSource.choices)
    received_on = models.DateField()
    summary = EncryptedTextField()
    suspected_activities = EncryptedJSONField(default=list)
    offence = models.CharField(max_length=32, choices=OffenceId.choices)

    facts = EncryptedJSONField(default=dict, help_text="A riskroute.core.facts.CaseFacts document.")

    priority_band = models.CharField(max_length=16, choices=PriorityBand.choices, blank=True)
    priority_target_days = models.PositiveIntegerField(null=True, blank=True)
    #: Why the band, in the tree's words ("access to children through work", "not known: ..."), kept
    #: with the band so worklists show it without decoding a JSON column. Encrypted: it says what
    #: the facts say (decisions.priority_reason).
    priority_reason = EncryptedTextField(blank=True, default="")
    action_deadline = models.DateField(null=True, blank=True, db_index=True)
    action_taken_on = models.DateField(null=True, blank=True)

    provider_organisation = models.ForeignKey(
        ProviderOrganisation, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    personal_data_erased_on = models.DateField(
        null=True, blank=True, help_text="Set by the erasure service; the audit log holds the tombstone."
    )

    class Meta:
        ordering: ClassVar = ["action_deadline", "reference"]
        indexes: ClassVar = [
            models.Index(fields=["force", "state"], name="case_force_state"),
            # The dashboard's monthly referrals (by force and received date).
            models.Index(fields=["force", "received_on"], name="case_force_received"),
            # The worklist order within a force (`queries`: band, deadline, id), read a page at a time.
            models.Index(
                models.F("force"), BAND_RANK, DEADLINE_KEY, models.F("id"), name="case_worklist_order"
            ),
            # The same order for one assignee ("my cases"), so a page is read in order, not sorted.
            models.Index(
                models.F("assigned_to"), BAND_RANK, DEADLINE_KEY, models.F("id"), name="case_assignee_order"
            ),
        ]
        constraints: ClassVar = [
            in_vocabulary("state", CaseState),
            in_vocabulary("referral_source", ReferralSource),
            in_vocabulary("offence", OffenceId),
            in_vocabulary("priority_band", PriorityBand, blank=True),
        ]

    def __str__(self) -> str:
        return self.reference


class Subject(models.Model):
    """The person under investigation: the only personal data about them, kept apart and encrypted.

    The fields are NULL only after erasure. `name_index` is the blind index of `full_name`
    (`riskroute.crypto.blind_index(name, NAME_INDEX_PURPOSE)`); `identity_index` that of the
    normalised name together with the date of birth (`identity_index()`), which finds the same
    person referred again (bulk intake, `cases.intake`). `save()` keeps both in step; erasure
    blanks both with the fields.
    """

    NAME_INDEX_PURPOSE = "cases.subject.full_name"
    IDENTITY_INDEX_PURPOSE = "cases.subject.identity"

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="subject")
    full_name = EncryptedTextField(null=True)
    date_of_birth = EncryptedDateField(null=True)
    address = EncryptedTextField(null=True)
    name_index = models.CharField(max_length=64, blank=True, db_index=True)
    identity_index = models.CharField(max_length=64, blank=True, db_index=True)

    @classmethod
    def identity_index_of(cls, full_name: str | None, date_of_birth: dt.date | str | None) -> str:
        """The blind index of name and date of birth together; blank unless both are known."""
        if not full_name or not date_of_birth:
            return ""
        born = date_of_birth.isoformat() if isinstance(date_of_birth, dt.date) else str(date_of_birth)
        return blind_index(f"{full_name}|{born}", cls.IDENTITY_INDEX_PURPOSE)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_index = blind_index(self.full_name, self.NAME_INDEX_PURPOSE) if self.full_name else ""
        self.identity_index = self.identity_index_of(self.full_name, self.date_of_birth)
        super().save(*args, **kwargs)


class PriorityRecord(models.Model):
    """One run of the priority tree: band, target days and the deadline it set, with the reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="priority_history")
    band = models.CharField(max_length=16, choices=PriorityBand.choices)
    target_days = models.PositiveIntegerField()
    action_deadline = models.DateField()
    reason = models.CharField(max_length=200)
    output = EncryptedJSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        constraints: ClassVar = [in_vocabulary("band", PriorityBand)]


class Enforcement(models.Model):
    """Warrant, arrest, devices and the forensic summary (counts only, never content)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="enforcement")
    warrant_on = models.DateField(null=True, blank=True)
    arrested_on = models.DateField(null=True, blank=True)
    devices_seized = models.PositiveIntegerField(null=True, blank=True)
    count_a = models.PositiveIntegerField(null=True, blank=True)
    count_b = models.PositiveIntegerField(null=True, blank=True)
    count_c = models.PositiveIntegerField(null=True, blank=True)
    youngest_depicted = models.CharField(max_length=16, choices=AgeBand.choices, blank=True)
    videos = models.BooleanField(null=True)
    stories = models.BooleanField(null=True)
    collection_span_years = models.FloatField(null=True, blank=True)
    distribution_evidence = models.BooleanField(null=True)

    class Meta:
        constraints: ClassVar = [in_vocabulary("youngest_depicted", AgeBand, blank=True)]
        indexes: ClassVar = [models.Index(fields=["arrested_on"], name="enforcement_arrested_on")]


class ChildLink(models.Model):
    """Children the subject has access to, by relationship and age band, as a count (no names)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="child_links")
    relationship = models.CharField(max_length=32, choices=ChildRelationship.choices)
    age_band = models.CharField(max_length=16, choices=ChildAgeBand.choices)
    count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            in_vocabulary("relationship", ChildRelationship),
            in_vocabulary("age_band", ChildAgeBand),
        ]


class Safeguarding(models.Model):
    """Referral to children's social care, strategy discussion, s.47 outcome, children safeguarded,
    and for a subject in a position of trust the LADO, employer or regulator and DBS steps.

    The record decides whether the safeguarding checks are complete (`cases.safeguarding`).
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="safeguarding")
    social_care_referred_on = models.DateField(null=True, blank=True)
    strategy_discussion_on = models.DateField(null=True, blank=True)
    s47_outcome = models.CharField(max_length=32, choices=S47Outcome.choices, blank=True)
    children_safeguarded = models.PositiveIntegerField(default=0)
    safeguarded_on = models.DateField(null=True, blank=True)
    position_of_trust_known_on = models.DateField(null=True, blank=True)
    lado_referred_on = models.DateField(null=True, blank=True)
    employer_notified_on = models.DateField(null=True, blank=True)
    employer_or_regulator = EncryptedTextField(null=True, blank=True)
    dbs_considered_on = models.DateField(null=True, blank=True)
    dbs_decision = models.CharField(max_length=16, choices=DbsDecision.choices, blank=True)

    class Meta:
        constraints: ClassVar = [
            in_vocabulary("s47_outcome", S47Outcome, blank=True),
            in_vocabulary("dbs_decision", DbsDecision, blank=True),
        ]
        indexes: ClassVar = [models.Index(fields=["safeguarded_on"], name="safeguarding_safeguarded_on")]


class Assessment(models.Model):
    """A complete, reproducible snapshot: the facts read and every output of the core."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    facts = EncryptedJSONField()
    policy_id = models.CharField(max_length=64)
    policy_version = models.CharField(max_length=64)
    policy_sha256 = models.CharField(max_length=64)
    recommendation = models.CharField(max_length=32, choices=Recommendation.choices)
    triage = EncryptedJSONField()
    instruments = EncryptedJSONField(default=dict)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        constraints: ClassVar = [in_vocabulary("recommendation", Recommendation)]


class DisposalProposal(models.Model):
    """A proposed disposal and its approval by a second person (a supervisor, never the proposer)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(max_length=32, choices=DisposalKind.choices)
    status = models.CharField(
        max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PENDING.value
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="proposals")
    recommendation = models.CharField(max_length=32, choices=Recommendation.choices)
    departs_from_recommendation = models.BooleanField(default=False)
    departure_reason = EncryptedTextField(blank=True)
    reason = EncryptedTextField()
    admission = models.BooleanField(null=True)
    consent = models.BooleanField(null=True)
    exceptional_circumstances = EncryptedTextField(blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = EncryptedTextField(blank=True)

    class Meta:
        ordering: ClassVar = ["proposed_at", "id"]
        constraints: ClassVar = [
            in_vocabulary("kind", DisposalKind),
            in_vocabulary("status", ProposalStatus),
            in_vocabulary("recommendation", Recommendation),
        ]


class ConditionalCaution(models.Model):
    """Conditions of a conditional caution (CJA 2003 Part 3) and the signed-document date."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="caution")
    programme_name = EncryptedTextField()  # names a programme, and so often the place it runs
    provider = models.ForeignKey(ProviderOrganisation, on_delete=models.PROTECT, related_name="cautions")
    sessions = models.PositiveIntegerField()
    programme_deadline = models.DateField()
    window_weeks = models.PositiveIntegerField(default=16)
    exceptional_window_reason = EncryptedTextField(blank=True)
    reparative_hours = models.FloatField(default=0)
    punitive_hours = models.FloatField(default=0)
    other_conditions = EncryptedTextField(blank=True)
    signed_on = models.DateField()
    checks = EncryptedJSONField(default=dict)
    completed_on = models.DateField(null=True, blank=True)
    ceased_on = models.DateField(
        null=True, blank=True, help_text="Set when a breach ends the caution (s.24)."
    )

    class Meta:
        indexes: ClassVar = [models.Index(fields=["signed_on"], name="caution_signed_on")]


class NotificationRecord(models.Model):
    """Notification requirements computed by the core; a new row whenever the basis changes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    basis = models.CharField(max_length=32, choices=NotificationBasis.choices)
    relevant_date = models.DateField()
    notifiable = models.BooleanField(null=True, help_text="Null when a fact it depends on is unknown.")
    period_years = models.FloatField(null=True, blank=True)
    indefinite = models.BooleanField(default=False)
    ends_on = models.DateField(null=True, blank=True)
    initial_due = models.DateField(null=True, blank=True)
    renotification_dates = EncryptedJSONField(default=list)
    output = EncryptedJSONField(default=dict)
    current = models.BooleanField(default=True)
    initial_notified_on = models.DateField(null=True, blank=True)
    last_notified_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(
        null=True,
        blank=True,
        help_text="Set when the disposal it rests on falls away (acquittal after s.24).",
    )
    ended_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        constraints: ClassVar = [in_vocabulary("basis", NotificationBasis)]


class Mappa(models.Model):
    """MAPPA category and management level (CJA 2003 ss.325-327)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="mappa")
    category = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Null until determinable.")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    output = EncryptedJSONField(default=dict)
    ended_on = models.DateField(
        null=True, blank=True, help_text="Set when the notification it rests on ends."
    )


class Attendance(models.Model):
    """One programme session as recorded by the provider."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attendance")
    session_number = models.PositiveIntegerField()
    session_on = models.DateField()
    attended = models.BooleanField()
    note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["session_number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["case", "session_number"], name="attendance_one_per_session")
        ]


class Breach(models.Model):
    """A failure to comply with a condition; without reasonable excuse it leads to prosecution (s.24)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="breaches")
    occurred_on = models.DateField()
    description = EncryptedTextField()
    reasonable_excuse = models.BooleanField()
    excuse_details = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["occurred_on", "id"]
        indexes: ClassVar = [models.Index(fields=["occurred_on"], name="breach_occurred_on")]


class Prosecution(models.Model):
    """Charge, CPS decision, court, outcome and sentence (for the original offence after a breach)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="prosecution")
    origin = models.CharField(max_length=32, choices=ProsecutionOrigin.choices)
    charged_on = models.DateField(null=True, blank=True)
    cps_decision = models.CharField(max_length=32, choices=CpsDecision.choices, blank=True)
    cps_decision_on = models.DateField(null=True, blank=True)
    court = EncryptedTextField(blank=True)  # where a named person was tried
    first_hearing_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=32, choices=CourtOutcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    sentence_type = models.CharField(max_length=40, choices=SentenceType.choices, blank=True)
    custody_months = models.FloatField(null=True, blank=True)
    discharge_months = models.FloatField(null=True, blank=True)
    sentenced_on = models.DateField(null=True, blank=True)
    sentencing_guideline = EncryptedJSONField(default=dict)

    class Meta:
        constraints: ClassVar = [
            in_vocabulary("origin", ProsecutionOrigin),
            in_vocabulary("cps_decision", CpsDecision, blank=True),
            in_vocabulary("outcome", CourtOutcome, blank=True),
            in_vocabulary("sentence_type", SentenceType, blank=True),
        ]
        indexes: ClassVar = [models.Index(fields=["charged_on"], name="prosecution_charged_on")]


class Closure(models.Model):
    """Closure of the case with the dates on which the record must be reviewed."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="closure")
    closed_on = models.DateField()
    reason = EncryptedTextField()
    review_dates = EncryptedJSONField(default=list)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class CaseEvent(models.Model):
    """The case history: every write, who made it, the state before and after, and what changed."""

    # Indexed by `case_event_order`, which starts with the case.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=32)
    to_state = models.CharField(max_length=32)
    version = models.PositiveIntegerField()
    summary = EncryptedTextField()  # "Court outcome: acquitted" is about one person
    data = EncryptedJSONField(default=dict)

    class Meta:
        ordering: ClassVar = ["at", "id"]
        # A case's history in order, either way: a page of it is read from the index, not sorted
        # from every event of the case (the case page newest first, the API oldest first).
        indexes: ClassVar = [models.Index(fields=["case", "at", "id"], name="case_event_order")]


class CaseShareQuerySet(models.QuerySet["CaseShare"]):
    def active(self) -> CaseShareQuerySet:
        """Shares neither revoked nor expired now."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class CaseShare(models.Model):
    """An explicit, time-limited grant letting another force's caseworkers read (never write) a case.

    Cross-force access exists only through one of these: granted by a supervisor or administrator
    of the owning force with a reason, logged (`share_granted`, `share_revoked`), and over at
    `expires_at` or when revoked, whichever comes first.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    recipient_force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="shared_cases")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    reason = EncryptedTextField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CaseShareQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-granted_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["recipient_force", "expires_at"], name="share_force_expiry")
        ]


class RecordReview(models.Model):
    """A recorded retention review of a closed case (APP "Review, retention and disposal").

    IIOC cases are public-protection records (MoPI Group 1): they are reviewed at intervals and
    never deleted by a timer; each review is recorded with who decided, what and why.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=16, choices=ReviewOutcome.choices)
    next_review_on = models.DateField(null=True, blank=True)
    reason = EncryptedTextField()

    class Meta:
        ordering: ClassVar = ["reviewed_on", "id"]
        constraints: ClassVar = [in_vocabulary("outcome", ReviewOutcome)]


class Referral(models.Model):
    """One referral received for a case, as its source identified it (bulk intake).

    `external_reference` is the source's own reference; it is unique per force and source, so
    importing the same file again creates nothing. A case holds one row per referral received:
    the one that opened it and any later one about the same person (`cases.intake`).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=32, choices=ReferralSource.choices)
    external_reference = models.CharField(max_length=100)
    received_on = models.DateField()
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering: ClassVar = ["received_on", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["force", "source", "external_reference"], name="referral_unique_per_force_source"
            ),
            in_vocabulary("source", ReferralSource),
        ]


class PendingImport(models.Model):
    """An uploaded file of referrals between its check and its confirmation (web intake).

    The text names people, so it is encrypted like every other personal data; only its owner may
    apply it, and it is deleted once applied.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = EncryptedTextField()
    created = models.DateTimeField(auto_now_add=True)


#: What the dashboard counts by month (`MonthlyCount.measure`), in the order it shows them.
MONTHLY_MEASURES = ("referrals", "arrests", "children_safeguarded", "diversions", "charges", "breaches")


class MonthlyCount(models.Model):
    """One of the dashboard's monthly counts for a force: referrals received, arrests made,
    children safeguarded, cautions signed, charges brought or breaches without reasonable excuse,
    in one calendar month.

    Derived data, kept in the same transaction as each write that changes it
    (`cases.monthly_counts`), so the dashboard reads a few rows instead of counting every case.
    `riskroute counts rebuild` recounts it from the records after writes that bypassed the models
    (a bulk load, SQL by hand). Counts only: no case and no person.
    """

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month counted.")
    measure = models.CharField(max_length=32)
    count = models.IntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["force", "measure", "month"], name="monthly_count_unique"),
            models.CheckConstraint(
                condition=models.Q(measure__in=MONTHLY_MEASURES), name="monthlycount_measure_known"
            ),
        ]


class StateCount(models.Model):
    """How many cases of a force are in one workflow state, for the dashboard.

    Kept by the database itself: triggers on the case table (migration `cases.0013_state_counts`)
    move a count in the statement that inserts, deletes or changes the state of a case, whichever
    code or tool wrote it, so the count can never miss a write. The dashboard reads these rows
    instead of counting every case (10 ms at 100,000 cases in one force). A case that changes
    state takes one from its old state's count and adds one to the new, the two rows locked in
    the order of their keys, so two cases crossing between the same states never wait on each
    other the other way round. Counts only: no case and no person.
    """

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=32)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["force", "state"], name="state_count_unique"),
        ]
