"""The navigation bar: which pages each role sees, and which one is current.

Navigation only hides links a role has no use for; it is not access control (the service layer
refuses what a user may not do, whatever URL they type).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from riskroute.accounts.models import Role

#: (url name, link text, roles that see it; empty = every signed-in user)
_NAV: tuple[tuple[str, str, frozenset[str]], ...] = (
    (
        "cases-ui:my-cases",
        "My cases",
        frozenset(
            {
                Role.INVESTIGATOR,
                Role.SAFEGUARDING_OFFICER,
                Role.OFFENDER_MANAGER,
                Role.REHABILITATION_PROVIDER,
            }
        ),
    ),
    (
        "cases-ui:team",
        "Team worklist",
        frozenset({Role.INVESTIGATOR, Role.SUPERVISOR, Role.SAFEGUARDING_OFFICER, Role.OFFENDER_MANAGER}),
    ),
    ("cases-ui:overdue", "Overdue", frozenset({Role.INVESTIGATOR, Role.SUPERVISOR})),
    (
        "cases-ui:alerts",
        "Alerts",
        frozenset({Role.INVESTIGATOR, Role.SUPERVISOR, Role.OFFENDER_MANAGER, Role.REHABILITATION_PROVIDER}),
    ),
    ("cases-ui:referral", "New referral", frozenset({Role.INVESTIGATOR, Role.SUPERVISOR})),
    ("cases-ui:import", "Import referrals", frozenset({Role.INVESTIGATOR, Role.SUPERVISOR})),
    ("cases-ui:dashboard", "Dashboard", frozenset({Role.SUPERVISOR, Role.ANALYST, Role.ADMINISTRATOR})),
    ("cases-ui:records-review", "Records review", frozenset({Role.ADMINISTRATOR})),
    ("audit-case", "Audit log", frozenset({Role.AUDITOR})),
)


@dataclass(frozen=True)
class NavItem:
    href: str
    text: str
    current: bool


def nav_items(request: HttpRequest) -> list[NavItem]:
    """Links for the signed-in user's roles; the page being shown (or its section) is current."""
    user = request.user
    if not user.is_authenticated:
        return []
    roles = set(getattr(user, "roles", None) or [])
    items: list[NavItem] = []
    for name, text, allowed in _NAV:
        if allowed and not roles & allowed:
            continue
        href = reverse(name)
        items.append(NavItem(href=href, text=text, current=request.path == href))
    return items


def role_names(request: HttpRequest) -> str:
    """The user's roles in words, for the "Signed in as" line."""
    labels = dict(Role.choices)
    roles = getattr(request.user, "roles", None) or []
    return ", ".join(str(labels.get(role, role)) for role in roles)
