"""Who may do what to which case, as `rules` predicates (force, unit, role, assignment).

The services test these before every read and write; views never decide scope themselves. The
rules are kept in their own rule set, asked only through `allowed()`, and deliberately not
registered with Django's permission framework (`user.has_perm`), which grants everything to a
superuser before any rule is read: here no flag can bypass them.

Which cases a user may read is written once, as a `CaseScope` (`case_scope(user)`): the list
filter (`CaseScope.as_q`, used by `queries.visible_cases`) and the `view_case` object check
(`CaseScope.admits`) are two readings of that one description, and a property test holds them
in agreement for random users and cases.

- police roles see their own force's cases; analysts see aggregates only, never a case;
- a rehabilitation provider sees only cases referred to its organisation, only while the
  conditional caution is in force (`CAUTION_IN_FORCE`), records attendance, and never reads the
  case history;
- investigative steps need the assigned investigator or a supervisor of the same force;
- approval needs a supervisor (sergeant or above) of the same force, never the proposer (checked
  in the service, which knows the proposal);
- another force's caseworkers may read (never write) a case only while an explicit share of it
  with their force is in force (`CaseShare`); supervisors and administrators of the owning force
  grant shares; only administrators erase.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import rules
from django.db.models import Q, QuerySet

from riskroute.accounts.models import Role
from riskroute.cases.vocabulary import CaseState

# django-rules ships no type hints; these two names are its whole surface used here.
_predicate: Callable[..., Any] = rules.predicates.predicate
_RuleSet: Callable[[], Any] = rules.rulesets.RuleSet


def _has_role(role: str) -> Any:
    def check(user: Any) -> bool:
        return bool(user.is_authenticated and user.is_active and user.has_role(role))

    return _predicate(check, name=f"has_role:{role}")


def _same_force(user: Any, case: Any) -> bool:
    return bool(user.force_id is not None and user.force_id == case.force_id)


def _is_assigned(user: Any, case: Any) -> bool:
    return bool(case.assigned_to_id is not None and case.assigned_to_id == user.id)


def _is_supervisor(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_supervisor)


#: The one state in which a rehabilitation provider sees a case referred to it: the programme is
#: its work only while the caution is in force (not before it is signed, nor after it ends).
CAUTION_IN_FORCE = CaseState.CAUTION_ACTIVE.value


def _has_force(user: Any) -> bool:
    return user.force_id is not None


same_force = _predicate(_same_force)
is_assigned = _predicate(_is_assigned)
is_supervisor = _predicate(_is_supervisor)
has_force = _predicate(_has_force)
investigator = _has_role(Role.INVESTIGATOR)
safeguarding_officer = _has_role(Role.SAFEGUARDING_OFFICER)
offender_manager = _has_role(Role.OFFENDER_MANAGER)
analyst = _has_role(Role.ANALYST)
administrator = _has_role(Role.ADMINISTRATOR)
rehabilitation_provider = _has_role(Role.REHABILITATION_PROVIDER)
police_caseworker = investigator | is_supervisor | safeguarding_officer | offender_manager | administrator
assigned_investigator = investigator & is_assigned
#: Who approves or rejects a disposal proposal of their own force (`approve`); the approvals queue
#: is not read at all for anyone else (`queries.approvals_waiting`).
approver = is_supervisor


def _active_shares(force_id: int) -> QuerySet[Any]:
    from riskroute.cases.models import CaseShare  # models import this module's callers, not it

    return CaseShare.objects.active().filter(recipient_force_id=force_id)


@dataclass(frozen=True)
class CaseScope:
    """The cases one user may read, as data; each part is None where the user has no such access.

    - `own_force`: every case of this force (police caseworkers of the force);
    - `shared_with_force`: another force's cases while a share of them with this force is in force
      (read only; see `CaseShare`);
    - `provider`: the cases referred to this provider organisation, while the caution is in force.
    """

    own_force: int | None = None
    shared_with_force: int | None = None
    provider: int | None = None

    def as_q(self) -> Q:
        """The scope as a filter on `Case`, for lists.

        The cases shared with the force are read first (a short list, usually empty) rather than
        written as a subquery: `force = X OR id IN (subquery)` keeps PostgreSQL from reading a
        force's cases through the worklist-order index, so every list page sorted them all."""
        scope = Q(pk__in=[])
        if self.own_force is not None:
            scope |= Q(force_id=self.own_force)
        if self.shared_with_force is not None:
            shared = list(_active_shares(self.shared_with_force).values_list("case_id", flat=True))
            if shared:
                scope |= Q(pk__in=shared)
        if self.provider is not None:
            scope |= Q(provider_organisation_id=self.provider, state=CAUTION_IN_FORCE)
        return scope

    def admits(self, case: Any) -> bool:
        """Whether one loaded case is in the scope (the share is looked up only if nothing else holds)."""
        return (
            (self.own_force is not None and case.force_id == self.own_force)
            or (
                self.provider is not None
                and case.provider_organisation_id == self.provider
                and case.state == CAUTION_IN_FORCE
            )
            or (
                self.shared_with_force is not None
                and _active_shares(self.shared_with_force).filter(case_id=case.pk).exists()
            )
        )


def case_scope(user: Any, *, shared: bool = True) -> CaseScope:
    """Which cases `user` may read, by force, share and role: the one definition of `view_case`.

    Police caseworkers read their own force's cases and (unless `shared=False`) the cases other
    forces share with it; a rehabilitation provider reads the cases referred to its organisation
    while the caution is in force; analysts, auditors and inactive users read no case.
    """
    police = bool(police_caseworker.test(user)) and user.force_id is not None
    provider = bool(rehabilitation_provider.test(user)) and user.provider_organisation_id is not None
    return CaseScope(
        own_force=user.force_id if police else None,
        shared_with_force=user.force_id if police and shared else None,
        provider=user.provider_organisation_id if provider else None,
    )


def _in_scope(user: Any, case: Any) -> bool:
    return case is not None and case_scope(user).admits(case)


def _in_police_scope(user: Any, case: Any) -> bool:
    """In scope as a police caseworker (own force or shared), not as the case's provider."""
    return case is not None and replace(case_scope(user), provider=None).admits(case)


def _provider_for_case(user: Any, case: Any) -> bool:
    """The case is in scope as one referred to the user's provider organisation."""
    provider = case_scope(user).provider
    return case is not None and provider is not None and CaseScope(provider=provider).admits(case)


in_scope = _predicate(_in_scope)
in_police_scope = _predicate(_in_police_scope)
provider_for_case = _predicate(_provider_for_case)

case_rules = _RuleSet()
case_rules.add_rule("view_case", in_scope)
case_rules.add_rule("view_history", in_police_scope)
case_rules.add_rule("create_case", has_force & (investigator | is_supervisor))
case_rules.add_rule("investigate", same_force & (assigned_investigator | is_supervisor))
case_rules.add_rule("assign", same_force & (is_supervisor | administrator))
case_rules.add_rule("safeguard", same_force & (safeguarding_officer | assigned_investigator | is_supervisor))
case_rules.add_rule("approve", same_force & approver)
case_rules.add_rule(
    "manage_offender", same_force & (offender_manager | assigned_investigator | is_supervisor)
)
case_rules.add_rule(
    "record_attendance", provider_for_case | (same_force & (offender_manager | is_supervisor))
)
case_rules.add_rule("view_dashboard", has_force & (analyst | police_caseworker))
case_rules.add_rule("view_worklists", has_force & police_caseworker)
case_rules.add_rule("share", same_force & (is_supervisor | administrator))
case_rules.add_rule("erase", same_force & administrator)
case_rules.add_rule("review_records", has_force & administrator)


def allowed(permission: str, user: Any, case: Any = None) -> bool:
    """True if `user` holds `permission` (on `case`, when the rule is about a case)."""
    return bool(case_rules.test_rule(permission, user, case))
