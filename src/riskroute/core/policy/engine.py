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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, ValidationError

from riskroute.core.conditions import Condition, FunctionSource, compile_condition
from riskroute.core.knowledge import Definition, DefinitionError, Mark, load_bundled
from riskroute.core.memo import MemoTable, json_bytes
from riskroute.core.results import BlockingRule, RuleAnswer, TraceEntry, UnverifiedFlag

POLICY_IDS: tuple[str, ...] = ("npcc-2017", "justice-2019", "current-practice")
SAFETY_FILE = "policy/policies/_safety.yaml"
RULE_MEMO_SIZE = 20_000
OUTCOME_MEMO_SIZE = 20_000


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
    #: What it means that the rule held, in plain words (for a `divert` explanation).
    holds: str | None = None


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


class Outcome(NamedTuple):
    """What a set of blocking rules decides, with or without unknowns (memoised: few occur)."""

    recommendation: str
    eligible: bool | None
    blocking: list[BlockingRule]
    #: the unverified rules and parameters the recommendation relies on
    unverified: list[UnverifiedFlag]
    # The same four as JSON, for the batch path.
    recommendation_json: bytes
    eligible_json: bytes
    blocking_json: bytes
    unverified_json: bytes


@dataclass(frozen=True)
class Rule:
    spec: RuleSpec
    condition: Condition
    kind: str  # "safety" (riskroute's exclusions) or "policy"
    bit: int  # 1 << the rule's position in its policy: blocking rules are summed up as a bit mask

    def __post_init__(self) -> None:
        # The parts of a trace entry that never change, built once (the batch path is hot).
        spec = self.spec
        static = {"rule": spec.id, "kind": self.kind, "citation": spec.citation, "mark": spec.mark.value}
        object.__setattr__(self, "trace_static", static)
        blocking: BlockingRule = {"id": spec.id, "reason": spec.reason, "citation": spec.citation}
        object.__setattr__(self, "blocking", blocking)
        unverified: UnverifiedFlag | None = (
            None
            if spec.mark.is_verified
            else {"id": spec.id, "mark": spec.mark.value, "citation": spec.citation}
        )
        object.__setattr__(self, "unverified", unverified)

    @property
    def holds(self) -> str:
        """The plain-words meaning of this rule holding (its id where the file gives none)."""
        return (self.spec.holds or f"Rule {self.spec.id} held.").strip()

    trace_static: dict[str, str] = field(init=False, repr=False, compare=False)
    blocking: BlockingRule = field(init=False, repr=False, compare=False)
    unverified: UnverifiedFlag | None = field(init=False, repr=False, compare=False)
    memo: MemoTable[RuleAnswer] = field(
        default_factory=lambda: MemoTable(RULE_MEMO_SIZE), init=False, repr=False, compare=False
    )

    def check(self, facts: Mapping[str, Any], key: Any) -> RuleAnswer:
        """Evaluate the rule on a miss of its memo, and memoise the answer on `key`.

        `key` is the value of the one fact the rule reads, or a tuple of the facts it reads in the
        order of its paths. A rule is a pure function of those few facts, so the same answers
        recur across a caseload; memoising them is exact. Answers are shared: read-only.
        """
        result = self.condition.evaluate(facts)
        paths = self.condition.paths
        static = self.trace_static
        entry: TraceEntry = {
            "rule": static["rule"],
            "kind": static["kind"],
            "citation": static["citation"],
            "mark": static["mark"],
            "result": result,
            "facts": {path: facts.get(path) for path in paths},
        }
        unknown = self.condition.unknown_paths(facts) if result is None else []
        serialised = json_bytes(entry)
        blocks = self.bit if result is False else 0
        unknown_flag = int(result is None)
        answer = RuleAnswer(serialised, entry, result, unknown, blocks, unknown_flag, b"," + serialised)
        return self.memo.put(key, answer)


class Policy:
    """A compiled policy with riskroute's safety exclusions in front of its own rules."""

    def __init__(self, definition: Definition, safety: Definition) -> None:
        self.definition = definition
        self.safety = safety
        spec = _parse(definition)
        self.spec = spec
        params = {name: p.value for name, p in spec.parameters.items()}
        specs: list[tuple[RuleSpec, Path, dict[str, Any], str]]
        specs = [(r, safety.path, {}, "safety") for r in _parse(safety).rules]
        specs += [(r, definition.path, params, "policy") for r in spec.rules]
        self.rules: list[Rule] = [
            Rule(r, compile_condition(r.requires, values, where=f"{path}: {r.id}"), kind, 1 << position)
            for position, (r, path, values, kind) in enumerate(specs)
        ]
        ids = [rule.spec.id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise DefinitionError(f"{definition.path}: rule ids must be unique (safety rules included)")
        # Unverified parameters are flagged wherever a rule the result relies on uses them.
        self._parameter_flags: dict[str, UnverifiedFlag] = {
            name: {"id": f"parameter:{name}", "mark": p.mark.value, "citation": p.note}
            for name, p in spec.parameters.items()
            if not p.mark.is_verified
        }
        #: facts → (each rule's answer, the blocking rules as a bit mask, 1 if any is unknown)
        self.answer_all = _compile_rules(self.rules)
        self._outcomes: MemoTable[Outcome] = MemoTable(OUTCOME_MEMO_SIZE)
        self.identity = definition.identity() | {"name": spec.name, "safety_sha256": safety.sha256}

    def outcome(self, blocked: int, unknown: int) -> Outcome:
        """What the rules' answers decide, from `answer_all`'s bit mask and unknown flag."""
        key = (blocked, unknown)
        return self._outcomes.get(key) or self._outcomes.put(key, self._decide(blocked, unknown))

    def _decide(self, mask: int, unknown: int) -> Outcome:
        """The outcome given the blocking rules (as a bit mask) and whether any rule is unknown."""
        blocked = [rule for rule in self.rules if rule.bit & mask]
        recommendation: str
        eligible: bool | None
        if blocked:
            recommendation, eligible = "prosecute", False
        elif unknown:
            recommendation, eligible = "needs_information", None
        else:
            recommendation, eligible = "divert", True
        # The rules a recommendation relies on: the blocking ones for prosecution, all otherwise.
        relied = blocked or self.rules
        unverified = [r.unverified for r in relied if r.unverified is not None]
        unverified += self._flags_used_by(relied)
        blocking = [r.blocking for r in blocked]
        return Outcome(
            recommendation,
            eligible,
            blocking,
            unverified,
            json_bytes(recommendation),
            json_bytes(eligible),
            json_bytes(blocking),
            json_bytes(unverified),
        )

    def clear_memos(self) -> None:
        """Forget memoised rule answers and outcomes (tests compare fresh and memoised results)."""
        for rule in self.rules:
            rule.memo.clear()
        self._outcomes.clear()

    def _flags_used_by(self, rules: list[Rule]) -> list[UnverifiedFlag]:
        """The unverified-parameter flags of the parameters these rules use, each once, in order."""
        names = dict.fromkeys(name for rule in rules for name in rule.condition.parameters)
        return [self._parameter_flags[name] for name in names if name in self._parameter_flags]


def missing_facts(answers: tuple[RuleAnswer, ...], provenance: Mapping[str, list[str]]) -> list[str]:
    """The case facts to find: those the unknown rules need, derived facts traced to their sources."""
    missing: dict[str, None] = {}
    for answer in answers:
        for path in answer.unknown:
            for fact in provenance.get(path, (path,)):
                missing[fact] = None
    return list(missing)


def _compile_rules(
    rules: list[Rule],
) -> Callable[[Mapping[str, Any]], tuple[tuple[RuleAnswer, ...], int, int]]:
    """Compile a policy's rules into one function: facts → (each rule's answer, the blocking
    rules as a bit mask, 1 if any rule is unknown else 0).

    Generated rather than looped over, because the loop's own overhead was most of the cost of a
    batch re-score (decision 0006). Per rule, the function reads the facts it needs (each fact
    once), looks its answer up in the rule's memo, and on a miss asks the rule to evaluate.
    """
    source = FunctionSource()
    for index, rule in enumerate(rules):
        values = [source.fact(path) for path in rule.condition.paths]
        key = values[0] if len(values) == 1 else "(" + "".join(f"{v}, " for v in values) + ")"
        source.namespace[f"G{index}"], source.namespace[f"C{index}"] = rule.memo.get, rule.check
        source.lines.append(f"    a{index} = G{index}({key}) or C{index}(facts, {key})")
    answers = "".join(f"a{index}, " for index in range(len(rules)))
    blocked = " | ".join(f"a{index}.blocks" for index in range(len(rules))) or "0"
    unknown = " | ".join(f"a{index}.is_unknown" for index in range(len(rules))) or "0"
    return source.build(f"({answers}), {blocked}, {unknown}", "policy")


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
