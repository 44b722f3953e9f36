"""Which offence and which sentencing-guideline activity the recorded activities amount to.

Possession alone is the CJA 1988 s.160 offence; making, distributing, producing, live-streaming
or advertising are PCA 1978 s.1 (docs/law.md, "Rules the case service shares"). With no activity
recorded the offence is taken as PCA 1978 s.1: the wider offence, whose notification and
sentencing consequences are never lighter, so an unknown never makes the person look better
placed.

Triage (for the notification preview) and the case service (for a new case's default offence)
both ask this; it is written once here.
"""

from __future__ import annotations

from collections.abc import Iterable

from riskroute.core.law.notification import OffenceId
from riskroute.core.law.sentencing import SentencingActivity

_POSSESSION_ONLY = frozenset({"possession"})
#: The activities that put a case in the guideline's distribution column (production outranks them).
_DISTRIBUTION = frozenset({"distribution", "advertising", "live_streaming"})


def offence_for(activities: Iterable[str] | None) -> OffenceId:
    """CJA 1988 s.160 for possession alone (however often listed); PCA 1978 s.1 otherwise."""
    return "cja1988_s160" if activities is not None and set(activities) == _POSSESSION_ONLY else "pca1978_s1"


def sentencing_activity(activities: Iterable[str] | None) -> SentencingActivity | None:
    """The guideline's activity column for the most serious recorded activity (making counts as
    possession in the guideline); None while no activity is recorded, because the lowest column
    would understate the starting point shown (it is shown for information only)."""
    recorded = set(activities or ())
    if not recorded:
        return None
    if "production" in recorded:
        return "production"
    if recorded & _DISTRIBUTION:
        return "distribution"
    return "possession"
