"""Safeguarding: the social-care steps, the position-of-trust steps and the children linked."""

from __future__ import annotations

from riskroute.accounts.models import User
from riskroute.cases import timeline
from riskroute.cases.commands import support
from riskroute.cases.commands.registry import Command, Done, Page, Route, register
from riskroute.cases.errors import ValidationFailed
from riskroute.cases.models import Case, ChildLink, Safeguarding
from riskroute.cases.schemas import ChildLinkIn, SafeguardingIn
from riskroute.cases.ui import forms as f
from riskroute.cases.ui import step_context as ctx

UNTIL_CLOSURE = "safeguarding is recorded until the case is closed"
#: Choice fields a blank answer clears (stored as "").
_CLEARED_TO_BLANK = ("s47_outcome", "employer_or_regulator", "dbs_decision")


def record_safeguarding(user: User, case: Case, payload: SafeguardingIn) -> Done:
    """Record the social-care referral, strategy discussion, s.47 outcome and children safeguarded,
    and for a subject in a position of trust the LADO, employer or regulator and DBS steps. The
    record decides `process.safeguarding_checks_complete` (`cases.safeguarding`)."""
    fields = payload.model_dump(exclude={"version"}, exclude_unset=True)
    for name, value in fields.items():
        if name.endswith("_on"):
            support.not_future(name, value)
    if fields.get("children_safeguarded") is None and "children_safeguarded" in fields:
        fields["children_safeguarded"] = 0
    for name in _CLEARED_TO_BLANK:
        if name in fields and fields[name] is None:
            fields[name] = ""
    record = support.safeguarding_record(case)
    changes = support.changed(record or Safeguarding(), fields)
    if not changes:
        raise support.nothing_changed()
    stored = {name: getattr(record, name) for name in SafeguardingIn.model_fields if hasattr(record, name)}
    values = {**stored, **fields}
    if values.get("children_safeguarded") and not values.get("safeguarded_on"):
        raise ValidationFailed.field("safeguarded_on", "give the date the children were safeguarded")
    timeline.check("record_safeguarding", case, values)
    record, _ = Safeguarding.objects.get_or_create(case=case)
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()
    return Done(case, "Safeguarding recorded", {"fields": sorted(changes)})


register(
    Command(
        "record_safeguarding",
        SafeguardingIn,
        "safeguard",
        record_safeguarding,
        label="Record safeguarding",
        stage="safeguarding",
        route=Route("/safeguarding", "4. Safeguarding"),
        page=Page(
            "safeguarding",
            "safeguarding",
            "Safeguarding",
            "cases/step_safeguarding.html",
            f.SafeguardingForm,
            "Safeguarding recorded.",
            initial=ctx.safeguarding_initial,
            extra=ctx.safeguarding_page,
        ),
        refused_because=UNTIL_CLOSURE,
    )
)


def link_children(user: User, case: Case, payload: ChildLinkIn) -> Done:
    """Record children the subject has access to; this sets the access fact to yes (conservative)."""
    link = ChildLink.objects.create(
        case=case, relationship=payload.relationship, age_band=payload.age_band, count=payload.count
    )
    support.merge_facts(case, {"access_to_children": {payload.relationship: True}})
    change = support.reprioritise(case, user, f"children linked ({payload.relationship})")
    return Done(
        link,
        f"{payload.count} child(ren) linked: {link.get_relationship_display()}",
        {"priority": change},
    )


register(
    Command(
        "link_children",
        ChildLinkIn,
        "safeguard",
        link_children,
        label="Record safeguarding",
        stage="safeguarding",
        route=Route("/children", "4. Link children (no names)"),
        page=Page(
            "children",
            "safeguarding/children",
            "Safeguarding",
            "cases/step_safeguarding.html",
            ctx.ChildLinkForm,
            "Children linked; the access fact is now yes.",
            extra=ctx.safeguarding_page,
            form_key="child_form",
        ),
        offered_on="safeguarding",
        refused_because=UNTIL_CLOSURE,
    )
)
