"""Who may do what to which case, as `rules` predicates (force, unit, role, assignment).

The services test these before every read and write; views never decide scope themselves. The
rules are kept in their own rule set (not Django's permission framework) so that no superuser
shortcut can bypass them.

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
from typing import Any

import rules

from riskroute.accounts.models import Role

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
CAUTION_IN_FORCE = "caution_active"


def _provider_for_case(user: Any, case: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.has_role(Role.REHABILITATION_PROVIDER)
        and user.provider_organisation_id is not None
        and case.provider_organisation_id == user.provider_organisation_id
        and case.state == CAUTION_IN_FORCE
    )


def _has_force(user: Any) -> bool:
    return user.force_id is not None


def _shared_with_force(user: Any, case: Any) -> bool:
    """An unexpired, unrevoked share of this case with the user's force (read access only)."""
    if user.force_id is None or user.force_id == case.force_id:
        return False
    from riskroute.cases.models import CaseShare  # models import this module's callers, not it

    return CaseShare.objects.active().filter(case_id=case.pk, recipient_force_id=user.force_id).exists()


same_force = _predicate(_same_force)
is_assigned = _predicate(_is_assigned)
is_supervisor = _predicate(_is_supervisor)
provider_for_case = _predicate(_provider_for_case)
has_force = _predicate(_has_force)
shared_with_force = _predicate(_shared_with_force)
investigator = _has_role(Role.INVESTIGATOR)
safeguarding_officer = _has_role(Role.SAFEGUARDING_OFFICER)
offender_manager = _has_role(Role.OFFENDER_MANAGER)
analyst = _has_role(Role.ANALYST)
administrator = _has_role(Role.ADMINISTRATOR)
police_caseworker = investigator | is_supervisor | safeguarding_officer | offender_manager | administrator
assigned_investigator = investigator & is_assigned

case_rules = _RuleSet()
case_rules.add_rule("view_case", ((same_force | shared_with_force) & police_caseworker) | provider_for_case)
case_rules.add_rule("view_history", (same_force | shared_with_force) & police_caseworker)
case_rules.add_rule("create_case", has_force & (investigator | is_supervisor))
case_rules.add_rule("investigate", same_force & (assigned_investigator | is_supervisor))
case_rules.add_rule("assign", same_force & (is_supervisor | administrator))
case_rules.add_rule("safeguard", same_force & (safeguarding_officer | assigned_investigator | is_supervisor))
case_rules.add_rule("approve", same_force & is_supervisor)
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
