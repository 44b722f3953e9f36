"""The one place the case service calls the decision core (riskroute.core).

Everything here is a thin translation between stored records and the core's documents; no
knowledge of the field lives in this module. Core results are stored whole, so any past
recommendation can be shown and reproduced exactly (policy id, version and sha256 included).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import orjson

from riskroute.core import instruments
from riskroute.core.diversion import safety_exclusions as safety_exclusions  # the case page lists them
from riskroute.core.errors import InvalidInput
from riskroute.core.facts import CaseFacts
from riskroute.core.law import (
    CautionProposal,
    NotificationRequest,
    SentencingRequest,
    check_conditional_caution,
    mappa,
    sentencing,
)
from riskroute.core.law import notification as notification_requirements
from riskroute.core.law import renotification_dates as core_renotification_dates
from riskroute.core.triage import triage

#: How many annual re-notification dates to list ahead.
RENOTIFICATION_DATES_SHOWN = 5


def _plain(document: Mapping[str, Any]) -> dict[str, Any]:
    """The core's result as plain JSON values (spans, dates), exactly as the CLI would print it."""
    plain: dict[str, Any] = orjson.loads(orjson.dumps(document))
    return plain


def priority(facts: CaseFacts) -> dict[str, Any]:
    """The pre-arrest prioritisation tree on the current facts (band and target days)."""
    return _plain(instruments.priority(facts))


def priority_reason(result: Mapping[str, Any]) -> str:
    """The reason for the band of a `priority` result, as worklists show it beside the band: the
    tree's own words for the rules that set it ("not known: ..." when unknown facts did)."""
    return str(result["reason"]["text"])


def assess(facts: CaseFacts, policy_id: str, extra: dict[str, dict[str, object]]) -> dict[str, Any]:
    """Triage under the force's policy, plus any OSP instrument whose own inputs were given.

    Raises InvalidInput (paths prefixed with the instrument id) if an OSP document is invalid.
    """
    result = triage(facts, policy_id)
    scored: dict[str, Any] = {}
    for instrument_id, document in extra.items():
        try:
            scored[instrument_id] = instruments.score(instrument_id, orjson.dumps(document))
        except InvalidInput as exc:
            prefix = instrument_id.replace("-", "_")
            raise InvalidInput(
                [{"path": f"{prefix}.{d['path']}".rstrip(".$"), "message": d["message"]} for d in exc.details]
            ) from exc
    return _plain({"triage": result, "instruments": scored})


def notification(
    *,
    offence: str,
    youngest_depicted: str,
    age_at_offence: int,
    age_on_relevant_date: int,
    disposal: dict[str, Any],
    relevant_date: date,
) -> dict[str, Any]:
    """Notification requirements (SOA 2003 Part 2) for a disposal, with re-notification dates."""
    request = NotificationRequest.model_validate(
        {
            "offence": offence,
            "youngest_depicted": youngest_depicted,
            "age_at_offence": age_at_offence,
            "age_on_relevant_date": age_on_relevant_date,
            "disposal": disposal,
            "relevant_date": relevant_date,
        }
    )
    return _plain(notification_requirements(request))


def renotification_dates(initial: date, ends_on: date | None) -> list[date]:
    return core_renotification_dates(initial, ends_on, RENOTIFICATION_DATES_SHOWN)


def sentencing_guideline(category: str, activity: str) -> dict[str, Any]:
    """Sentencing Council step 1 (category x activity), for information only."""
    return _plain(sentencing(SentencingRequest.model_validate({"category": category, "activity": activity})))


def caution_check(proposal: dict[str, Any]) -> dict[str, Any]:
    """Check a conditional caution against CJA 2003 Part 3 and the guidance (core `cautions`)."""
    return _plain(check_conditional_caution(CautionProposal.model_validate(proposal)))


def mappa_arrangements(
    notifiable: bool | None, *, diverted_low_risk: bool, custody_months: float | None = None
) -> dict[str, Any]:
    """MAPPA category and default level (core `mappa`)."""
    return _plain(mappa(notifiable, custody_months, diverted_low_risk=diverted_low_risk))
