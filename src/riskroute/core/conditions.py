"""Three-valued conditions over facts, written as data and compiled once into closures.

A condition answers True, False or None (unknown). Unknown is never folded into False: a rule
that needs a fact nobody has recorded says so, and the caller decides what that means (for a
diversion rule: `needs_information`). The logic is Kleene's: `all` is False as soon as any part is
False, `any` is True as soon as any part is True, otherwise an unknown part makes the whole unknown.

A numeric fact may also be partly known, as a `Span(low, high)`: a CPORT total with one item
unknown is 3 or 4. Comparisons answer what the whole span answers, or None if it straddles.

Grammar (YAML):
    true | false                          a constant
    {all: [c, ...]} | {any: [c, ...]}     conjunction / disjunction
    {not: c}                              negation (unknown stays unknown)
    {fact: PATH}                          a boolean fact itself
    {fact: PATH, OP: VALUE}               OP in is, is_not, in, not_in, gt, gte, lt, lte,
                                          intersects, subset_of, known
VALUE may be `$name`, a parameter of the file (policies keep their thresholds as parameters).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Facts = Mapping[str, Any]
Evaluator = Callable[[Facts], bool | None]


@dataclass(frozen=True, slots=True)
class Span:
    """A number known only to lie between `low` and `high` inclusive (serialises as an object)."""

    low: float
    high: float


class ConditionError(ValueError):
    """A condition in a knowledge file is malformed."""


@dataclass(frozen=True)
class Condition:
    """A compiled condition, the fact paths it reads (for reporting what is missing) and the file
    parameters it uses (so a result relying on it can flag an unverified threshold)."""

    evaluate: Evaluator
    paths: tuple[str, ...]
    spec: Any
    parameters: tuple[str, ...] = ()

    def unknown_paths(self, facts: Facts) -> list[str]:
        """The facts this condition reads that are unknown or only partly known."""
        return [p for p in self.paths if facts.get(p) is None or type(facts.get(p)) is Span]


_COMPARE_OPS = {"gt", "gte", "lt", "lte"}
_OPS = {"is", "is_not", "in", "not_in", "intersects", "subset_of", "known"} | _COMPARE_OPS


def compile_condition(
    spec: Any, params: Mapping[str, Any] | None = None, where: str = "condition"
) -> Condition:
    """Compile a condition spec; `where` names its place in the file for error messages."""
    paths: list[str] = []
    used: list[str] = []
    evaluate = _compile(spec, params or {}, where, paths, used)
    return Condition(
        evaluate=evaluate, paths=tuple(dict.fromkeys(paths)), spec=spec, parameters=tuple(dict.fromkeys(used))
    )


def _compile(
    spec: Any, params: Mapping[str, Any], where: str, paths: list[str], used: list[str]
) -> Evaluator:
    if isinstance(spec, bool):
        constant = spec
        return lambda _facts: constant
    if not isinstance(spec, dict):
        raise ConditionError(f"{where}: expected a mapping or true/false, got {spec!r}")
    if "all" in spec or "any" in spec:
        key = "all" if "all" in spec else "any"
        if set(spec) != {key} or not isinstance(spec[key], list) or not spec[key]:
            raise ConditionError(f"{where}: '{key}' takes a non-empty list and nothing beside it")
        parts = tuple(
            _compile(s, params, f"{where}.{key}[{i}]", paths, used) for i, s in enumerate(spec[key])
        )
        return _all(parts) if key == "all" else _any(parts)
    if "not" in spec:
        if set(spec) != {"not"}:
            raise ConditionError(f"{where}: 'not' stands alone")
        inner = _compile(spec["not"], params, f"{where}.not", paths, used)

        def negate(facts: Facts) -> bool | None:
            value = inner(facts)
            return None if value is None else not value

        return negate
    if "fact" in spec:
        return _compile_fact(spec, params, where, paths, used)
    raise ConditionError(f"{where}: unknown condition {spec!r}")


def _all(parts: tuple[Evaluator, ...]) -> Evaluator:
    def evaluate(facts: Facts) -> bool | None:
        unknown = False
        for part in parts:
            value = part(facts)
            if value is False:
                return False
            if value is None:
                unknown = True
        return None if unknown else True

    return evaluate


def _any(parts: tuple[Evaluator, ...]) -> Evaluator:
    def evaluate(facts: Facts) -> bool | None:
        unknown = False
        for part in parts:
            value = part(facts)
            if value is True:
                return True
            if value is None:
                unknown = True
        return None if unknown else False

    return evaluate


def _resolve(value: Any, params: Mapping[str, Any], where: str, used: list[str]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        name = value[1:]
        if name not in params:
            raise ConditionError(f"{where}: unknown parameter {value}")
        used.append(name)
        return params[name]
    return value


def _compile_fact(
    spec: dict[str, Any], params: Mapping[str, Any], where: str, paths: list[str], used: list[str]
) -> Evaluator:
    path = spec["fact"]
    if not isinstance(path, str) or not path:
        raise ConditionError(f"{where}: 'fact' must name a fact path")
    ops = [k for k in spec if k != "fact"]
    paths.append(path)
    if not ops:
        return _truth(path)
    if len(ops) != 1 or ops[0] not in _OPS:
        raise ConditionError(f"{where}: expected one operator out of {sorted(_OPS)}, got {ops}")
    op = ops[0]
    operand = _resolve(spec[op], params, where, used)
    if op in _COMPARE_OPS:
        if isinstance(operand, bool) or not isinstance(operand, int | float):
            raise ConditionError(f"{where}: '{op}' compares with a number, got {operand!r}")
        return _compare(path, op, operand)
    if op in ("in", "not_in", "intersects", "subset_of"):
        if not isinstance(operand, list):
            raise ConditionError(f"{where}: '{op}' takes a list, got {operand!r}")
        return _membership(path, op, frozenset(operand))
    if op == "known":
        wanted = bool(operand)
        return lambda facts: (facts.get(path) is not None) is wanted
    return _equality(path, op == "is", operand)


def _truth(path: str) -> Evaluator:
    def evaluate(facts: Facts) -> bool | None:
        value = facts.get(path)
        return None if value is None else bool(value)

    return evaluate


def _equality(path: str, positive: bool, operand: Any) -> Evaluator:
    def evaluate(facts: Facts) -> bool | None:
        value = facts.get(path)
        if value is None:
            return None
        if type(value) is Span:
            if value.low == value.high == operand:
                return positive
            if value.low <= operand <= value.high:
                return None
            return not positive
        return (value == operand) is positive

    return evaluate


def _compare(path: str, op: str, operand: float) -> Evaluator:
    test: Callable[[Any], bool] = {
        "gt": lambda v: v > operand,
        "gte": lambda v: v >= operand,
        "lt": lambda v: v < operand,
        "lte": lambda v: v <= operand,
    }[op]

    def evaluate(facts: Facts) -> bool | None:
        value = facts.get(path)
        if value is None:
            return None
        if type(value) is Span:
            low, high = test(value.low), test(value.high)
            return low if low == high else None
        return test(value)

    return evaluate


def _membership(path: str, op: str, operand: frozenset[Any]) -> Evaluator:
    def evaluate(facts: Facts) -> bool | None:
        value = facts.get(path)
        if value is None:
            return None
        if op == "in":
            return value in operand
        if op == "not_in":
            return value not in operand
        if op == "intersects":
            return not operand.isdisjoint(value)
        return operand.issuperset(value)

    return evaluate
