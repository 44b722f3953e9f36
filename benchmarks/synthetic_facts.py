"""The facts of a synthetic referral, mixed so that the core gives every priority band: shared by
the benchmarks that import referrals (`import_referrals.py`, `pages_scale.py`), each with its own
mixture. Synthetic only: counts by category and facts, never an image or anything pointing to one.
"""

from __future__ import annotations

import random
from typing import Any

#: Access to children checked and none found: with no other indicator, the lower bands.
NO_ACCESS_FOUND = {
    "checked": True,
    "household": False,
    "occupation": False,
    "volunteering": False,
    "family_or_friends": False,
}


def referral_facts(rng: random.Random, *, contact: float, sharing: float, no_access: float) -> dict[str, Any]:
    """A category C image count, then one of: a contact-offence indicator (very high), peer-to-peer
    sharing, access to children checked and none found, or nothing more (access not known). The
    three shares are the chances of the first three, in that order; the rest get nothing more."""
    facts: dict[str, Any] = {"offence": {"image_counts": {"C": rng.randrange(1, 500)}}}
    roll = rng.random()
    if roll < contact:
        facts["behaviour"] = {"sexual_communication_with_child": True}
    elif roll < contact + sharing:
        facts["offence"]["peer_to_peer_sharing"] = True
    elif roll < contact + sharing + no_access:
        facts["access_to_children"] = dict(NO_ACCESS_FOUND)
    return facts
