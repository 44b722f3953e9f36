"""Whether the safeguarding checks are complete, derived from the safeguarding record (never typed).

The core reads `process.safeguarding_checks_complete`; the case service sets it from the record
every time it writes the facts (`derived_fact`), so nobody can answer "yes" by hand. The value is
`True` only when every step below is recorded with its date, and otherwise `None` ("not known"),
never `False`: a missing step is something still to record, and the core then asks for it
(`needs_information`) instead of reading it as an answer.

The steps (a local choice of this service, documented in docs/case-service.md, not a rule of law):
- always: the referral to children's social care, the strategy discussion, and a concluded
  outcome of the section 47 question (an outcome, or "no s.47 enquiry"; "under way" is not done);
- for a subject in a position of trust (access to children through occupation or volunteering,
  as in the Bradbury case): the date that came to light, the referral to the Local Authority
  Designated Officer (LADO), the notice to the employer or regulator (and who), and the
  Disclosure and Barring Service (DBS) consideration (and its decision). While either access fact
  is not known, whether these steps are needed is not known either, so the checks are not complete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import holidays

from riskroute.core.knowledge import Mark

#: The fact the core reads; the service owns its value.
FACT_PATH = "process.safeguarding_checks_complete"


@dataclass(frozen=True)
class Deadline:
    """A deadline as data, with where it comes from and how well that is verified."""

    working_days: int
    text: str
    citation: str
    url: str
    mark: Mark


#: The LADO referral deadline. Read in local safeguarding-partnership procedures that apply
#: Working Together to Safeguard Children (2023), chapter 4; the text of Working Together itself was
#: not checked, so the mark is "secondary" (a secondary source reporting a primary one).
LADO_DEADLINE = Deadline(
    working_days=1,
    text=(
        "An allegation that a person who works or volunteers with children may have harmed a "
        "child, or behaved in a way that shows they may pose a risk to children, is reported to "
        "the Local Authority Designated Officer within one working day."
    ),
    citation="Working Together to Safeguard Children 2023, ch. 4 (read in local procedures; not verified)",
    url="https://www.gov.uk/government/publications/working-together-to-safeguard-children--2",
    mark=Mark.SECONDARY,
)

_CONCLUDED_S47 = {"no_further_action", "child_in_need", "child_protection_conference", "not_applicable"}


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]))


def add_working_days(start: dt.date, days: int) -> dt.date:
    """`days` working days after `start` (weekends and England and Wales bank holidays skipped)."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in _bank_holidays(day.year):
            days -= 1
    return day


@dataclass
class Status:
    """What the record shows: complete (True or None), the steps still missing and the LADO deadline."""

    complete: bool | None
    position_of_trust: bool | None
    missing: list[tuple[str, str]] = field(default_factory=list)  # (field path, plain label)
    lado_due: dt.date | None = None
    lado_late: bool = False


def position_of_trust(facts: dict[str, Any]) -> bool | None:
    """True if access to children through occupation or volunteering; None while either is unknown."""
    access = facts.get("access_to_children") or {}
    values = [access.get("occupation"), access.get("volunteering")]
    if True in values:
        return True
    return None if None in values else False


def status(facts: dict[str, Any], record: Any | None) -> Status:
    """The safeguarding status of a case from its facts and its `Safeguarding` record (or None)."""
    trust = position_of_trust(facts)
    result = Status(complete=None, position_of_trust=trust)

    def need(name: str, label: str) -> None:
        if record is None or getattr(record, name) in (None, ""):
            result.missing.append((name, label))

    need("social_care_referred_on", "the referral to children's social care")
    need("strategy_discussion_on", "the strategy discussion")
    if record is None or record.s47_outcome not in _CONCLUDED_S47:
        result.missing.append(("s47_outcome", "the outcome of the section 47 enquiry"))
    if trust is None:
        result.missing.append(
            ("facts.access_to_children.occupation", "whether the person works or volunteers with children")
        )
    elif trust:
        need("position_of_trust_known_on", "the date the position of trust came to light")
        need("lado_referred_on", "the referral to the Local Authority Designated Officer (LADO)")
        need("employer_notified_on", "the notice to the employer or regulator")
        need("employer_or_regulator", "who the employer or regulator is")
        need("dbs_considered_on", "the Disclosure and Barring Service (DBS) consideration")
        need("dbs_decision", "the DBS decision")
        known_on = getattr(record, "position_of_trust_known_on", None)
        if record is not None and known_on is not None:
            result.lado_due = add_working_days(known_on, LADO_DEADLINE.working_days)
            referred = record.lado_referred_on
            result.lado_late = referred is not None and referred > result.lado_due
    result.complete = True if not result.missing else None
    return result


def derived_fact(facts: dict[str, Any], record: Any | None) -> dict[str, Any]:
    """The facts document with `process.safeguarding_checks_complete` set from the record."""
    complete = status(facts, record).complete
    process = dict(facts.get("process") or {})
    if complete is None:
        process.pop("safeguarding_checks_complete", None)
    else:
        process["safeguarding_checks_complete"] = complete
    return {**facts, "process": process} if process or "process" in facts else facts
