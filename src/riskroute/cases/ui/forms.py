"""HTML forms of the case pages. Each turns its cleaned data into the service's input document.

The forms only shape input; every rule (dates, limits, two-person approval, workflow) is checked
by the service, whose field-path errors are attached back to these fields. A fact left as
"Not known" is sent as null, never as "no".
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django import forms

from riskroute.cases.ui.govuk import GovDateField, GovForm, TriStateField
from riskroute.cases.vocabulary import (
    Activity,
    AgeBand,
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
    RiskLevel,
    S47Outcome,
    SentenceType,
    Sex,
)
from riskroute.core.facts import FACT_PATHS

ACTIVITY_LABELS = dict(Activity.choices)
ACTIVITY_CHOICES = Activity.choices
#: The blank choice: the answer is not (yet) recorded. It is never one of a vocabulary's values, so
#: it can never be read as an answer (least of all as "no").
NOT_RECORDED = ""

#: Plain-English label of every case fact, keyed by its path in the facts document.
FACT_LABELS: dict[str, str] = {
    "subject.age": "Age (years)",
    "subject.age_at_offence": "Age at the (earliest) offence (years)",
    "subject.sex": "Sex",
    "subject.never_married": "Never married",
    "offence.activities": "Activities",
    "offence.image_counts.A": "Category A images (count)",
    "offence.image_counts.B": "Category B images (count)",
    "offence.image_counts.C": "Category C images (count)",
    "offence.youngest_depicted": "Youngest child depicted",
    "offence.csem_videos": "Material includes videos",
    "offence.csem_stories": "Material includes written stories about children",
    "offence.collection_span_years": "Collection span (years)",
    "offence.more_boys_than_girls_csem": "More boys than girls in the illegal material",
    "offence.more_boys_than_girls_other_child_content": "More boys than girls in other child depictions",
    "offence.peer_to_peer_sharing": "Images offered in a peer-to-peer shared folder",
    "history.any_prior_criminal_history": "Any previous charge or conviction",
    "history.any_failure_on_conditional_release": "Any failure on bail, probation or parole",
    "history.prior_sexual_sanctions": "Previous sexual-offence sanctions (count)",
    "history.prior_contact_sexual_sanctions": "Previous contact sexual-offence sanctions (count)",
    "history.prior_image_sanctions": "Previous indecent-image sanctions (count)",
    "history.prior_violent_sanctions": "Previous violent-offence sanctions (count)",
    "history.contact_offence_allegations": "Allegations of contact offending",
    "access_to_children.checked": "Checks on access to children completed",
    "access_to_children.household": "Children in the household",
    "access_to_children.occupation": "Access to children through work",
    "access_to_children.volunteering": "Access to children through volunteering",
    "access_to_children.family_or_friends": "Access to children of family or friends",
    "behaviour.sexual_communication_with_child": "Sexual communication with a child",
    "behaviour.grooming_or_incitement": "Grooming or incitement",
    "behaviour.sexual_interest_in_children": "Admitted or indicated sexual interest in children",
    "process.admits_offence": "Admits the offence",
    "process.sufficient_evidence_to_charge": "Sufficient evidence to charge",
    "process.consents_to_caution": "Consents to a caution",
    "process.safeguarding_checks_complete": "Safeguarding checks complete (from the safeguarding record)",
    "process.structured_judgement_risk": "Risk concluded by a structured professional judgement",
}
FACT_SECTIONS: dict[str, str] = {
    "subject": "About the person",
    "offence": "The offence (counts only)",
    "history": "Criminal history",
    "access_to_children": "Access to children",
    "behaviour": "Behaviour",
    "process": "Process",
}
#: Facts the service derives from records, never asked on a form (`cases.safeguarding`).
DERIVED_FACTS = frozenset({"process.safeguarding_checks_complete"})
_PATHS = [path for path, _ in FACT_PATHS if path not in DERIVED_FACTS]
#: Facts asked as radio choices, whose "not known" answer is the NOT_RECORDED choice.
_CHOICE_PATHS = ("subject.sex", "offence.youngest_depicted", "process.structured_judgement_risk")
_COUNT_PATHS = {p for p in _PATHS if p.startswith(("offence.image_counts.", "history.prior_"))}


def fact_field_name(path: str) -> str:
    return "facts__" + path.replace(".", "__")


def _fact_field(path: str) -> forms.Field:
    label = FACT_LABELS[path]
    if path in ("subject.age", "subject.age_at_offence"):
        return forms.IntegerField(label=label, required=False, min_value=10, max_value=120)
    if path == "process.structured_judgement_risk":
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[*RiskLevel.choices, (NOT_RECORDED, "Not recorded")],
            widget=forms.RadioSelect,
            help_text="Needed where CPORT does not apply (it was validated on adult men only).",
        )
    if path == "subject.sex":
        field = forms.ChoiceField(
            label=label,
            required=False,
            choices=[*Sex.choices, (NOT_RECORDED, "Not known")],
            widget=forms.RadioSelect,
        )
        field.inline = True  # type: ignore[attr-defined]
        return field
    if path == "offence.activities":
        return forms.MultipleChoiceField(
            label=label,
            required=False,
            choices=ACTIVITY_CHOICES,
            widget=forms.CheckboxSelectMultiple,
            help_text="Leave all unticked if not yet known.",
        )
    if path == "offence.youngest_depicted":
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[*AgeBand.choices, (NOT_RECORDED, "Not recorded")],
            widget=forms.RadioSelect,
        )
    if path == "offence.collection_span_years":
        return forms.FloatField(label=label, required=False, min_value=0, max_value=120)
    if path in _COUNT_PATHS:
        return forms.IntegerField(label=label, required=False, min_value=0)
    return TriStateField(label=label)


class FactsMixin(forms.Form):
    """Every case fact as a field named ``facts__<section>__<name>``; blank means unknown."""

    def add_fact_fields(self, facts: dict[str, Any] | None = None) -> None:
        for path in _PATHS:
            name = fact_field_name(path)
            self.fields[name] = _fact_field(path)
            if facts is not None:
                value: Any = facts
                for part in path.split("."):
                    value = value.get(part) if isinstance(value, dict) else None
                if value is None and path in _CHOICE_PATHS:
                    value = NOT_RECORDED
                self.initial.setdefault(name, value)

    def fact_sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Bound fact fields grouped under their section heading, for the template."""
        out: dict[str, list[forms.BoundField]] = {}
        for path in _PATHS:
            out.setdefault(path.split(".")[0], []).append(self[fact_field_name(path)])
        return [(FACT_SECTIONS[key], fields) for key, fields in out.items()]

    def facts_document(self) -> dict[str, Any]:
        """The cleaned facts as a CaseFacts document; unknown answers are simply absent."""
        document: dict[str, Any] = {}
        for path in _PATHS:
            value = self.cleaned_data.get(fact_field_name(path))
            if value in (None, NOT_RECORDED, []):
                continue
            node = document
            *parents, leaf = path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = list(value) if isinstance(value, list) else value
        return document


class VersionedForm(GovForm):
    """Every change quotes the case version it was based on (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def payload(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ReferralForm(FactsMixin, GovForm):
    source = forms.ChoiceField(
        label="Source of the referral", choices=ReferralSource.choices, widget=forms.RadioSelect
    )
    received_on = GovDateField(label="Date received", help_text="For example, 27 3 2026")
    summary = forms.CharField(label="Summary of the referral", widget=forms.Textarea, max_length=5000)
    suspected_activities = forms.MultipleChoiceField(
        label="Suspected activities",
        choices=ACTIVITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    offence = forms.ChoiceField(
        label="Offence",
        required=False,
        choices=[(NOT_RECORDED, "Decide from the activities"), *OffenceId.choices],
        widget=forms.RadioSelect,
        help_text="Possession alone is s.160; making, sharing or producing is s.1.",
    )
    subject__full_name = forms.CharField(label="Full name", max_length=200)
    subject__date_of_birth = GovDateField(label="Date of birth", help_text="For example, 31 3 1980")
    subject__address = forms.CharField(label="Address", widget=forms.Textarea, max_length=5000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_fact_fields()

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "source": data["source"],
            "received_on": data["received_on"],
            "summary": data["summary"],
            "suspected_activities": list(data["suspected_activities"]),
            "offence": data["offence"] or None,
            "subject": {
                "full_name": data["subject__full_name"],
                "date_of_birth": data["subject__date_of_birth"],
                "address": data["subject__address"],
            },
            "facts": self.facts_document(),
        }


class FactsForm(FactsMixin, VersionedForm):
    def __init__(self, *args: Any, facts: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_fact_fields(facts or {})

    def payload(self) -> dict[str, Any]:
        return {"version": self.cleaned_data["version"], "facts": self.facts_document()}


class EnforcementForm(VersionedForm):
    warrant_on = GovDateField(label="Date the warrant was executed", required=False)
    arrested_on = GovDateField(label="Date of arrest", required=False)
    devices_seized = forms.IntegerField(label="Devices seized (count)", required=False, min_value=0)
    count_a = forms.IntegerField(label="Category A images (count)", required=False, min_value=0)
    count_b = forms.IntegerField(label="Category B images (count)", required=False, min_value=0)
    count_c = forms.IntegerField(label="Category C images (count)", required=False, min_value=0)
    youngest_depicted = forms.ChoiceField(
        label="Youngest child depicted",
        required=False,
        choices=[*AgeBand.choices, (NOT_RECORDED, "Not recorded")],
        widget=forms.RadioSelect,
    )
    videos = TriStateField(label="Material includes videos")
    stories = TriStateField(label="Material includes written stories about children")
    collection_span_years = forms.FloatField(
        label="Collection span (years)", required=False, min_value=0, max_value=120
    )
    distribution_evidence = TriStateField(label="Evidence of distribution")
    peer_to_peer_sharing = TriStateField(
        label="Images offered in a peer-to-peer shared folder",
        help_text="Offering images for others to download is distribution in law.",
    )

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["youngest_depicted"] = data["youngest_depicted"] or None
        return data


class SafeguardingForm(VersionedForm):
    social_care_referred_on = GovDateField(label="Date referred to children's social care", required=False)
    strategy_discussion_on = GovDateField(label="Date of the strategy discussion", required=False)
    s47_outcome = forms.ChoiceField(
        label="Outcome of the section 47 enquiry",
        required=False,
        choices=[(NOT_RECORDED, "Not recorded"), *S47Outcome.choices],
    )
    children_safeguarded = forms.IntegerField(
        label="Children safeguarded (count)", required=False, min_value=0
    )
    safeguarded_on = GovDateField(label="Date the children were safeguarded", required=False)
    position_of_trust_known_on = GovDateField(
        label="Date the position of trust came to light",
        required=False,
        help_text="Only if the person works or volunteers with children. The LADO referral is due "
        "within one working day of this date.",
    )
    lado_referred_on = GovDateField(
        label="Date referred to the Local Authority Designated Officer (LADO)", required=False
    )
    employer_notified_on = GovDateField(label="Date the employer or regulator was told", required=False)
    employer_or_regulator = forms.CharField(
        label="Employer or regulator told",
        required=False,
        max_length=200,
        help_text="For example, the NHS trust",
    )
    dbs_considered_on = GovDateField(
        label="Date a referral to the Disclosure and Barring Service (DBS) was considered", required=False
    )
    dbs_decision = forms.ChoiceField(
        label="DBS decision", required=False, choices=[(NOT_RECORDED, "Not recorded"), *DbsDecision.choices]
    )

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("s47_outcome", "employer_or_regulator", "dbs_decision"):
            data[name] = data[name] or None
        return data


class AssignForm(VersionedForm):
    assigned_to_id = forms.TypedChoiceField(label="Investigator", coerce=int, choices=())

    def __init__(self, *args: Any, investigators: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to_id"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose an investigator"), *investigators]


class ChildLinkForm(VersionedForm):
    relationship = forms.ChoiceField(
        label="How the person has access", choices=ChildRelationship.choices, widget=forms.RadioSelect
    )
    age_band = forms.ChoiceField(label="Age of the children", choices=ChildAgeBand.choices)
    count = forms.IntegerField(label="Number of children", min_value=1, max_value=100)


class AssessmentForm(VersionedForm):
    """Runs the assessment; OSP needs the person's sanction history, so its inputs are optional."""

    osp_sex = forms.ChoiceField(
        label="Sex (for OSP)",
        required=False,
        choices=[(NOT_RECORDED, "Do not score OSP"), *Sex.choices],
    )
    osp_contact_adult = forms.IntegerField(
        label="Contact sexual sanctions against adults", required=False, min_value=0
    )
    osp_contact_child = forms.IntegerField(
        label="Contact sexual sanctions against children", required=False, min_value=0
    )
    osp_non_contact = forms.IntegerField(
        label="Non-contact sexual sanctions, excluding indecent images", required=False, min_value=0
    )
    osp_images = forms.IntegerField(label="Indecent-image sanctions", required=False, min_value=0)
    osp_total = forms.IntegerField(label="Total sanctions, all offences", required=False, min_value=0)
    osp_age_followup = forms.IntegerField(
        label="Age at start of follow-up", required=False, min_value=10, max_value=120
    )
    osp_age_last_sexual = forms.IntegerField(
        label="Age at last sexual sanction", required=False, min_value=10, max_value=120
    )
    osp_stranger = TriStateField(label="Current offence against a stranger")

    _DC = (
        ("contact_adult_sexual_sanctions", "osp_contact_adult"),
        ("contact_child_sexual_sanctions", "osp_contact_child"),
        ("non_contact_sexual_sanctions_excluding_images", "osp_non_contact"),
        ("indecent_image_sanctions", "osp_images"),
        ("total_sanctions", "osp_total"),
        ("age_at_start_of_followup", "osp_age_followup"),
        ("age_at_last_sexual_sanction", "osp_age_last_sexual"),
        ("current_offence_stranger_victim", "osp_stranger"),
    )
    _IIC = _DC[:4]
    PATHS: ClassVar[dict[str, str]] = {f"osp_dc.{k}": v for k, v in _DC} | {
        f"osp_iic.{k}": v for k, v in _IIC
    }

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {"version": data["version"]}
        if data["osp_sex"]:
            out["osp_iic"] = {"sex": data["osp_sex"]} | {key: data[name] for key, name in self._IIC}
            out["osp_dc"] = {"sex": data["osp_sex"]} | {key: data[name] for key, name in self._DC}
        return out

    def field_for_path(self, path: str) -> str | None:
        return self.PATHS.get(path) or super().field_for_path(path)


class ProposalForm(VersionedForm):
    kind = forms.ChoiceField(
        label="Proposed disposal", choices=DisposalKind.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label="Reasons for the proposal", widget=forms.Textarea, max_length=5000)
    admission = TriStateField(label="The person has admitted the offence", help_text="Needed for diversion.")
    consent = TriStateField(
        label="The person consents to a conditional caution", help_text="Needed for diversion."
    )
    exceptional_circumstances = forms.CharField(
        label="Exceptional circumstances justifying diversion",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        help_text="Needed for diversion: why a caution rather than a charge is justified in this case.",
    )
    departure_reason = forms.CharField(
        label="Reasons for departing from the recommendation",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        help_text="Needed whenever the proposal differs from the recommendation.",
    )


class DecisionForm(VersionedForm):
    reason = forms.CharField(
        label="Reasons for your decision",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        help_text="Needed if you reject the proposal, or approve one that departs from the recommendation.",
    )


class CautionForm(VersionedForm):
    programme_name = forms.CharField(
        label="Rehabilitation programme", max_length=200, help_text="For example, Inform Plus"
    )
    provider_organisation_id = forms.TypedChoiceField(label="Provider", coerce=int, choices=())
    sessions = forms.IntegerField(label="Number of sessions", min_value=1, max_value=100)
    signed_on = GovDateField(label="Date the caution document was signed")
    programme_deadline = GovDateField(label="Date by which the programme must be completed")
    window_weeks = forms.TypedChoiceField(
        label="Completion window",
        coerce=int,
        choices=[(16, "16 weeks"), (20, "20 weeks (exceptional; give the reason)")],
        widget=forms.RadioSelect,
        initial=16,
    )
    exceptional_window_reason = forms.CharField(
        label="Reason for the 20-week window", widget=forms.Textarea, required=False, max_length=5000
    )
    reparative_hours = forms.FloatField(
        label="Reparative condition (hours)", required=False, min_value=0, initial=0
    )
    punitive_hours = forms.FloatField(
        label="Punitive condition (hours)",
        required=False,
        min_value=0,
        initial=0,
        help_text="Reparative and punitive attendance together must not exceed 20 hours.",
    )
    other_conditions = forms.CharField(
        label="Other conditions", widget=forms.Textarea, required=False, max_length=5000
    )
    explained_and_warned = forms.BooleanField(
        label="The person was told what the caution means and warned that a breach means prosecution",
        required=False,
        help_text="Criminal Justice Act 2003 s.23: needed before the caution is given.",
    )
    mappa_level = forms.TypedChoiceField(
        label="MAPPA management level",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Use the suggested level"), (1, "Level 1"), (2, "Level 2"), (3, "Level 3")],
    )

    def __init__(self, *args: Any, providers: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        field = self.fields["provider_organisation_id"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose a provider"), *providers]

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["reparative_hours"] = data["reparative_hours"] or 0
        data["punitive_hours"] = data["punitive_hours"] or 0
        return data


class NotificationForm(VersionedForm):
    kind = forms.ChoiceField(
        label="Notification",
        choices=NotificationKind.choices,
        widget=forms.RadioSelect,
    )
    notified_on = GovDateField(label="Date the person notified")


class AttendanceForm(VersionedForm):
    session_number = forms.IntegerField(label="Session number", min_value=1, max_value=100)
    session_on = GovDateField(label="Date of the session")
    attended = forms.TypedChoiceField(
        label="Did the person attend?",
        choices=[("yes", "Attended"), ("no", "Missed")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False, max_length=5000)


class CompletionForm(VersionedForm):
    completed_on = GovDateField(label="Date the conditions were completed")


class BreachForm(VersionedForm):
    occurred_on = GovDateField(label="Date of the breach")
    description = forms.CharField(label="What happened", widget=forms.Textarea, max_length=5000)
    reasonable_excuse = forms.TypedChoiceField(
        label="Did the person have a reasonable excuse?",
        choices=[("yes", "Yes: the caution continues"), ("no", "No: prosecute for the original offence")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    excuse_details = forms.CharField(
        label="The reasonable excuse", widget=forms.Textarea, required=False, max_length=5000
    )


class ProsecutionForm(VersionedForm):
    charged_on = GovDateField(label="Date charged", required=False)
    cps_decision = forms.ChoiceField(
        label="CPS decision",
        required=False,
        choices=[(NOT_RECORDED, "Not yet decided"), *CpsDecision.choices],
    )
    cps_decision_on = GovDateField(label="Date of the CPS decision", required=False)
    court = forms.CharField(label="Court", max_length=200, required=False)
    first_hearing_on = GovDateField(label="Date of the first hearing", required=False)

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["cps_decision"] = data["cps_decision"] or None
        data["court"] = data["court"] or None
        return data


SENTENCE_CHOICES = [(NOT_RECORDED, "No sentence (not convicted)"), *SentenceType.choices]


class OutcomeForm(VersionedForm):
    outcome = forms.ChoiceField(
        label="Court outcome",
        choices=CourtOutcome.choices,
        widget=forms.RadioSelect,
    )
    outcome_on = GovDateField(label="Date of the outcome")
    sentence_type = forms.ChoiceField(label="Sentence", choices=SENTENCE_CHOICES, required=False)
    custody_months = forms.FloatField(
        label="Custodial term (months)",
        required=False,
        min_value=0,
        help_text="For custody and suspended sentences.",
    )
    discharge_months = forms.IntegerField(
        label="Discharge period (months)",
        required=False,
        min_value=1,
        help_text="For a conditional discharge.",
    )
    sentenced_on = GovDateField(label="Date of sentence", required=False)

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["sentence_type"] = data["sentence_type"] or None
        return data


class ClosureForm(VersionedForm):
    closed_on = GovDateField(label="Date closed")
    reason = forms.CharField(label="Reason for closing", widget=forms.Textarea, max_length=5000)
    review_1 = GovDateField(label="First review date")
    review_2 = GovDateField(label="Second review date", required=False)
    review_3 = GovDateField(label="Third review date", required=False)

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        reviews: list[dt.date] = [d for d in (data["review_1"], data["review_2"], data["review_3"]) if d]
        return {
            "version": data["version"],
            "closed_on": data["closed_on"],
            "reason": data["reason"],
            "review_dates": reviews,
        }

    def field_for_path(self, path: str) -> str | None:
        if path.startswith("review_dates["):
            index = int(path[len("review_dates[") : path.index("]")])
            return f"review_{index + 1}" if index < 3 else "review_1"
        return super().field_for_path(path)


class JustificationForm(GovForm):
    """Why the user needs the case: asked once per case per session (DPA 2018 s.62)."""

    justification = forms.CharField(
        label="Why do you need to open this case?",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=500,
        help_text="For example, the investigation you are working on or the task you were given. "
        "It is recorded with every look at this case until you sign out.",
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False)


class ShareForm(GovForm):
    recipient_force = forms.ChoiceField(label="Force to share with", choices=(), widget=forms.RadioSelect)
    days = forms.IntegerField(
        label="Number of days the share lasts",
        min_value=1,
        max_value=90,
        help_text="At most 90 days; the other force can read the case, never change it.",
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
    )
    reason = forms.CharField(
        label="Reason for sharing", widget=forms.Textarea(attrs={"rows": 3}), min_length=10, max_length=500
    )

    def __init__(self, *args: Any, forces: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient_force"].choices = forces or []  # type: ignore[attr-defined]


class ErasureForm(VersionedForm):
    scope = forms.ChoiceField(
        label="What to erase",
        choices=ErasureScope.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason for erasure",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=500,
        help_text="For example, the outcome of the retention review. The reason is kept in the audit log.",
    )


class ReviewForm(VersionedForm):
    reviewed_on = GovDateField(label="Date of the review")
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
    )
    next_review_on = GovDateField(
        label="Next review date",
        required=False,
        help_text="If you retain the record. At most 10 years ahead; left empty, it is 10 years.",
    )
    reason = forms.CharField(
        label="Reasons for the outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=500,
    )
