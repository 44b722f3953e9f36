"""Property test: the case list filter and the `view_case` object check never disagree.

Both read one description of scope (`permissions.case_scope`). Hypothesis draws users (any roles,
rank, force, provider organisation, active or not, superuser or not: stored users need not pass
`clean()`) and cases (any force, provider, state, with shares to either force that are in force,
revoked or expired). For every pair, the case is in `queries.visible_cases(user)` exactly when
`allowed("view_case", user, case)`; the worklists' `shared=False` scope is the same without the
shares. A superuser flag grants nothing: the rules are not Django permissions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskroute.accounts.models import Force, ProviderOrganisation, Rank, Role, Unit, User
from riskroute.cases import queries
from riskroute.cases.models import Case, CaseShare
from riskroute.cases.permissions import allowed, case_scope
from riskroute.cases.vocabulary import CaseState, OffenceId, ReferralSource

FORCES = ("alpha", "bravo")
ORGS = ("org_one", "org_two")
SHARE_STATES = ("in_force", "revoked", "expired")

users = st.lists(
    st.fixed_dictionaries(
        {
            "roles": st.lists(st.sampled_from(Role.values), max_size=3, unique=True),
            "rank": st.sampled_from(Rank.values),
            "force": st.sampled_from((*FORCES, None)),
            "org": st.sampled_from((*ORGS, None)),
            "is_active": st.booleans(),
            "is_superuser": st.booleans(),
        }
    ),
    min_size=1,
    max_size=6,
)
cases = st.lists(
    st.fixed_dictionaries(
        {
            "force": st.sampled_from(FORCES),
            "org": st.sampled_from((*ORGS, None)),
            "state": st.sampled_from(CaseState.values),
            "shares": st.lists(st.tuples(st.sampled_from(FORCES), st.sampled_from(SHARE_STATES)), max_size=2),
        }
    ),
    min_size=1,
    max_size=6,
)


def _build(
    user_specs: list[dict[str, Any]], case_specs: list[dict[str, Any]]
) -> tuple[list[User], list[Case]]:
    forces = {code: Force.objects.create(code=code, name=f"{code} (synthetic)") for code in FORCES}
    unit = {code: Unit.objects.create(force=force, name="Team") for code, force in forces.items()}
    orgs = {name: ProviderOrganisation.objects.create(name=name) for name in ORGS}
    creator = User.objects.create(username="creator", force=forces["alpha"], roles=[Role.INVESTIGATOR])
    built_users = [
        User.objects.create(
            username=f"user{n}",
            roles=spec["roles"],
            rank=spec["rank"],
            force=forces.get(spec["force"] or ""),
            unit=unit.get(spec["force"] or ""),
            provider_organisation=orgs.get(spec["org"] or ""),
            is_active=spec["is_active"],
            is_superuser=spec["is_superuser"],
        )
        for n, spec in enumerate(user_specs)
    ]
    now = timezone.now()
    built_cases = []
    for n, spec in enumerate(case_specs):
        case = Case.objects.create(
            reference=f"SYN-{n}",
            force=forces[spec["force"]],
            unit=unit[spec["force"]],
            created_by=creator,
            state=spec["state"],
            referral_source=ReferralSource.INDUSTRY,
            received_on=dt.date(2026, 1, 5),
            summary="Synthetic",
            offence=OffenceId.CJA1988_S160,
            provider_organisation=orgs.get(spec["org"] or ""),
        )
        for recipient, status in spec["shares"]:
            CaseShare.objects.create(
                case=case,
                recipient_force=forces[recipient],
                granted_by=creator,
                expires_at=now + dt.timedelta(days=-1 if status == "expired" else 30),
                reason="Synthetic share",
                revoked_at=now if status == "revoked" else None,
                revoked_by=creator if status == "revoked" else None,
            )
        built_cases.append(case)
    return built_users, built_cases


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(user_specs=users, case_specs=cases)
def test_the_list_filter_and_the_object_check_always_agree(
    user_specs: list[dict[str, Any]], case_specs: list[dict[str, Any]]
) -> None:
    with transaction.atomic():
        built_users, built_cases = _build(user_specs, case_specs)
        for user in [*built_users, AnonymousUser()]:
            listed = set(queries.visible_cases(user).values_list("pk", flat=True))
            own_work = set(queries.visible_cases(user, shared=False).values_list("pk", flat=True))
            unshared = case_scope(user, shared=False)
            for case in built_cases:
                fresh = Case.objects.get(pk=case.pk)  # what a service or page has loaded
                assert (case.pk in listed) == allowed("view_case", user, fresh), (user, case.state)
                assert (case.pk in own_work) == unshared.admits(fresh), (user, case.state)
        for user in built_users:
            if user.is_superuser:  # the flag grants nothing: the same scope as without it
                listed = set(queries.visible_cases(user).values_list("pk", flat=True))
                user.is_superuser = False
                assert listed == set(queries.visible_cases(user).values_list("pk", flat=True))
        transaction.set_rollback(True)
