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
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from riskroute.core.conditions import Condition, compile_condition
from riskroute.core.knowledge import Definition, DefinitionError, Mark, load_bundled
from riskroute.core.memo import Memo, MemoTable

POLICY_IDS: tuple[str, ...] = ("npcc-2017", "justice-2019", "current-practice")
SAFETY_FILE = "policy/policies/_safety.yaml"
RULE_MEMO_SIZE = 20_000


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

    def __post_init__(self) -> None:
        # The parts of a trace entry that never change, built once (the batch path is hot).
        spec = self.spec
        static = {"rule": spec.id, "kind": self.kind, "citation": spec.citation, "mark": spec.mark.value}
        object.__setattr__(self, "trace_static", static)
        object.__setattr__(
            self, "blocking", {"id": spec.id, "reason": spec.reason, "citation": spec.citation}
        )
        unverified = (
            None
            if spec.mark.is_verified
            else {"id": spec.id, "mark": spec.mark.value, "citation": spec.citation}
        )
        object.__setattr__(self, "unverified", unverified)

    trace_static: dict[str, Any] = field(init=False, repr=False, compare=False)
    blocking: dict[str, str] = field(init=False, repr=False, compare=False)
    unverified: dict[str, str] | None = field(init=False, repr=False, compare=False)
    memo: MemoTable = field(
        default_factory=lambda: MemoTable(RULE_MEMO_SIZE), init=False, repr=False, compare=False
    )

    def check(self, facts: Mapping[str, Any], values: tuple[Any, ...]) -> Memo:
        """The rule's trace entry (`value`) and unknown fact paths (`extra`), memoised on `values`.

        `values` are the facts the rule reads, in the order of its paths. A rule is a pure
        function of those one to three facts, so the same few answers recur across a caseload;
        memoising them is exact. Entries are shared: read-only.
        """
        memo = self.memo.get(values)
        if memo is None:
            result = self.condition.evaluate(facts)
            entry = dict(self.trace_static)
            entry["result"] = result
            entry["facts"] = dict(zip(self.condition.paths, values, strict=True))
            unknown = self.condition.unknown_paths(facts) if result is None else []
            memo = self.memo.put(values, Memo(entry, unknown))
        return memo


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
        # Unverified parameters are flagged wherever a rule the result relies on uses them.
        self._parameter_flags = {
            name: {"id": f"parameter:{name}", "mark": p.mark.value, "citation": p.note}
            for name, p in spec.parameters.items()
            if not p.mark.is_verified
        }
        self._all_parameter_flags = self._flags_used_by(self.rules)
        self._flags_by_blocking: dict[tuple[str, ...], list[dict[str, str]]] = {}
        # What the hot loop needs per rule, looked up once: the rule, its paths, and its memo.
        self._plan = [(r, r.condition.paths, len(r.condition.paths) == 1, r.memo.get) for r in self.rules]
        ids = [rule.spec.id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise DefinitionError(f"{definition.path}: rule ids must be unique (safety rules included)")
        self.identity = definition.identity() | {"name": spec.name, "safety_sha256": safety.sha256}

    def evaluate(
        self, facts: Mapping[str, Any], provenance: Mapping[str, list[str]], *, as_json: bool = False
    ) -> dict[str, Any]:
        """Evaluate every rule (all of them, for a full trace) and derive the recommendation.

        `provenance` maps a derived fact (such as `scores.cport.total`) to the case facts whose
        absence leaves it unknown, so `missing_facts` names things an investigator can find.
        With `as_json` the trace entries are pre-serialised JSON fragments (the batch path).
        """
        trace: list[Any] = []
        blocked: list[Rule] = []
        unknown = False
        missing: dict[str, None] = {}
        get = facts.get
        for rule, paths, single, memo_get in self._plan:
            values = (get(paths[0]),) if single else tuple([get(p) for p in paths])
            memo = memo_get(values) or rule.check(facts, values)
            entry = memo.value
            trace.append(memo.json if as_json else entry)
            result = entry["result"]
            if result is False:
                blocked.append(rule)
            elif result is None:
                unknown = True
                for path in memo.extra:
                    for fact in provenance.get(path, (path,)):
                        missing[fact] = None
        # The rules a recommendation relies on: the blocking ones for prosecution, all otherwise.
        relied = blocked or self.rules
        recommendation: str
        eligible: bool | None
        if blocked:
            recommendation, eligible = "prosecute", False
        elif unknown:
            recommendation, eligible = "needs_information", None
        else:
            recommendation, eligible = "divert", True
        unverified = [r.unverified for r in relied if r.unverified is not None]
        unverified += self._blocking_flags(blocked) if blocked else self._all_parameter_flags
        return {
            "recommendation": recommendation,
            "eligible_for_diversion": eligible,
            "blocking_rules": [r.blocking for r in blocked],
            "missing_facts": list(missing),
            "unverified_rules": unverified,
            "trace": trace,
        }

    def clear_memos(self) -> None:
        """Forget memoised rule answers (tests compare fresh and memoised evaluations)."""
        for rule in self.rules:
            rule.memo.clear()

    def _blocking_flags(self, blocked: list[Rule]) -> list[dict[str, str]]:
        """`_flags_used_by` for a set of blocking rules; few distinct sets occur, so memoised."""
        key = tuple([rule.spec.id for rule in blocked])
        flags = self._flags_by_blocking.get(key)
        if flags is None:
            flags = self._flags_by_blocking[key] = self._flags_used_by(blocked)
        return flags

    def _flags_used_by(self, rules: list[Rule]) -> list[dict[str, str]]:
        """The unverified-parameter flags of the parameters these rules use, each once, in order."""
        names = dict.fromkeys(name for rule in rules for name in rule.condition.parameters)
        return [self._parameter_flags[name] for name in names if name in self._parameter_flags]


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
