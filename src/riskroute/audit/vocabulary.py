"""The closed vocabulary of audit actions (DPA 2018 s.62 categories first, then security events).

Closed at three levels: this enum, the `record()` check, and a CHECK constraint in the database.
Adding an action means a migration, on purpose.
"""

from __future__ import annotations

from django.db import models


class Action(models.TextChoices):
    # DPA 2018 s.62: the processing operations that must be logged (DPA 2018 Part 3; docs/security.md).
    COLLECTION = "collection", "Collection"
    ALTERATION = "alteration", "Alteration"
    CONSULTATION = "consultation", "Consultation"
    DISCLOSURE = "disclosure", "Disclosure (including transfers)"
    COMBINATION = "combination", "Combination"
    ERASURE = "erasure", "Erasure"
    # Security events: self-monitoring and data security are permitted uses of the s.62 log.
    LOGIN = "login", "Signed in"
    LOGOUT = "logout", "Signed out"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    SHARE_GRANTED = "share_granted", "Cross-force share granted"
    SHARE_REVOKED = "share_revoked", "Cross-force share revoked"
    KEY_ROTATED = "key_rotated", "Field-encryption key rotated"


#: s.62: consultation and disclosure logs must make the justification possible to establish.
NEEDS_JUSTIFICATION = frozenset({Action.CONSULTATION, Action.DISCLOSURE})
#: s.62: disclosure logs must identify the recipients.
NEEDS_RECIPIENT = frozenset({Action.DISCLOSURE})
#: Actions on personal data, as opposed to security events.
PERSONAL_DATA_ACTIONS = frozenset(
    {
        Action.COLLECTION,
        Action.ALTERATION,
        Action.CONSULTATION,
        Action.DISCLOSURE,
        Action.COMBINATION,
        Action.ERASURE,
    }
)
#: What "who accessed this case" reports: the operations on personal data, and the shares that
#: opened (and closed) it to another force.
CASE_ACCESS_ACTIONS = PERSONAL_DATA_ACTIONS | frozenset({Action.SHARE_GRANTED, Action.SHARE_REVOKED})
