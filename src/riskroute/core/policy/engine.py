"""Diversion policies as decision tables, and the generic evaluator that reads them.

A policy is a list of rules, each "eligible only if CONDITION". A rule answers True (passes),
False (blocks diversion) or None (a fact it needs is unknown). Before any policy's own rules come
riskroute's safety exclusions (`policies/_safety.yaml`), which no policy file can drop: access to
children, contact indicators, distribution and production always block diversion.

The outcome follows from the answers, in this order:
1. any rule blocks on known facts → `prosecute` (even if other facts are missing);
2. otherwise any rule is unknown → `needs_information`, naming the facts to find;
3. otherwise → `divert` (a recommendation: a person decides).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from riskroute.core.conditions import Condition, Span, compile_condition
from riskroute.core.knowledge import Definition, DefinitionError, Mark, load_bundled

POLICY_IDS: tuple[str, ...] = ("npcc-2017", "justice-2019", "current-practice")
SAFETY_FILE = "policy/policies/_safety.yaml"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterSpec(_Spec):
    value: Any
    mark: Mark
    note: str


class RuleSpec(_Spec):
    id: str
    requires: Any
    reason: str
    citation: str
    mark: Mark


class SourceSpec(_Spec):
    citation: str
    mark: Mark


class PolicySpec(_Spec):
    id: str
    version: str
    name: str
    source: SourceSpec
    summary: str
    outcome_if_eligible: str
    parameters: dict[str, ParameterSpec] = {}
    rules: list[RuleSpec]


@dataclass(frozen=True)
class Rule:
    spec: RuleSpec
    condition: Condition
    kind: str  # "safety" (riskroute's exclusions) or "policy"


def _json_value(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    if type(value) is Span:
        return {"at_least": value.low, "at_most": value.high}
    return value


class Policy:
    """A compiled policy with riskroute's safety exclusions in front of its own rules."""

    def __init__(self, definition: Definition, safety: Definition) -> None:
        self.definition = definition
        self.safety = safety
        spec = _parse(definition)
        self.spec = spec
        params = {name: p.value for name, p in spec.parameters.items()}
        self.rules: list[Rule] = [
            Rule(r, compile_condition(r.requires, where=f"{safety.path}: {r.id}"), "safety")
            for r in _parse(safety).rules
        ] + [
            Rule(r, compile_condition(r.requires, params, where=f"{definition.path}: {r.id}"), "policy")
            for r in spec.rules
        ]
        ids = [rule.spec.id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise DefinitionError(f"{definition.path}: rule ids must be unique (safety rules included)")
        self.identity = definition.identity() | {"name": spec.name, "safety_sha256": safety.sha256}

    def evaluate(self, facts: Mapping[str, Any], provenance: Mapping[str, list[str]]) -> dict[str, Any]:
        """Evaluate every rule (all of them, for a full trace) and derive the recommendation.

        `provenance` maps a derived fact (such as `scores.cport.total`) to the case facts whose
        absence leaves it unknown, so `missing_facts` names things an investigator can find.
        """
        trace: list[dict[str, Any]] = []
        blocking: list[dict[str, str]] = []
        unknown: list[Rule] = []
        missing: dict[str, None] = {}
        for rule in self.rules:
            result = rule.condition.evaluate(facts)
            spec = rule.spec
            trace.append(
                {
                    "rule": spec.id,
                    "kind": rule.kind,
                    "result": result,
                    "facts": {p: _json_value(facts.get(p)) for p in rule.condition.paths},
                    "citation": spec.citation,
                    "mark": spec.mark.value,
                }
            )
            if result is False:
                blocking.append({"id": spec.id, "reason": spec.reason, "citation": spec.citation})
            elif result is None:
                unknown.append(rule)
                for path in rule.condition.unknown_paths(facts):
                    for fact in provenance.get(path, [path]):
                        missing[fact] = None
        if blocking:
            recommendation, eligible = "prosecute", False
            relied = [r for r in self.rules if r.spec.id in {b["id"] for b in blocking}]
        elif unknown:
            recommendation, eligible = "needs_information", None
            relied = list(self.rules)
        else:
            recommendation, eligible = "divert", True
            relied = list(self.rules)
        unverified = [
            {"id": r.spec.id, "mark": r.spec.mark.value, "citation": r.spec.citation}
            for r in relied
            if not r.spec.mark.is_verified
        ]
        unverified += [
            {"id": f"parameter:{name}", "mark": p.mark.value, "citation": p.note}
            for name, p in self.spec.parameters.items()
            if not p.mark.is_verified and recommendation != "prosecute"
        ]
        return {
            "recommendation": recommendation,
            "eligible_for_diversion": eligible,
            "blocking_rules": blocking,
            "missing_facts": list(missing),
            "unverified_rules": unverified,
            "trace": trace,
        }


def _parse(definition: Definition) -> PolicySpec:
    try:
        return PolicySpec.model_validate(definition.data)
    except ValidationError as exc:
        raise DefinitionError(f"{definition.path}: {exc}") from exc


@cache
def get_policy(policy_id: str) -> Policy:
    """A bundled policy by id (compiled once per process)."""
    if policy_id not in POLICY_IDS:
        raise KeyError(f"unknown policy {policy_id!r}; known: {', '.join(POLICY_IDS)}")
    return Policy(load_bundled(f"policy/policies/{policy_id}.yaml"), load_bundled(SAFETY_FILE))
