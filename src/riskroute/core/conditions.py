"""Three-valued conditions over facts, written as data and compiled once into Python functions.

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

Why generated code: a batch re-score evaluates every condition of the prioritisation tree for
every case, and a tree of closures costs a Python call per node. Each condition (or a group of
them, such as all the rules of a tree) is therefore compiled into the source of one function that
reads each fact once into a local and combines the answers inline (decision 0006). The source
holds only names this module makes up and fixed operators: every path, operand and parameter
from a knowledge file reaches the function as a value in its namespace (`codegen.define`), never
as source text, so a force's own file cannot inject code.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from riskroute.core.codegen import define

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


_COMPARE_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_OPS = {"is", "is_not", "in", "not_in", "intersects", "subset_of", "known"} | set(_COMPARE_OPS)


def _span_equals(span: Span, operand: Any, positive: bool) -> bool | None:
    if span.low == span.high == operand:
        return positive
    if span.low <= operand <= span.high:
        return None
    return not positive


def _span_compares(span: Span, test: Callable[[Any, Any], bool], operand: float) -> bool | None:
    low, high = test(span.low, operand), test(span.high, operand)
    return low if low == high else None


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class FunctionSource:
    """The source of one generated function of `facts`: the facts it reads (each loaded once into
    a local), its statements, and the constants they use (values, never source text)."""

    def __init__(self) -> None:
        self.loads: dict[str, str] = {}  # fact path -> local holding its value
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {
            "Span": Span,
            "_span_equals": _span_equals,
            "_span_compares": _span_compares,
        }
        self._count = 0

    def fact(self, path: str) -> str:
        if path not in self.loads:
            self.loads[path] = f"f{len(self.loads)}"
            self.namespace[f"P{len(self.loads) - 1}"] = path
        return self.loads[path]

    def constant(self, value: Any) -> str:
        name = f"K{self._count}"
        self._count += 1
        self.namespace[name] = value
        return name

    def assign(self, expression: str) -> str:
        name = f"t{self._count}"
        self._count += 1
        self.lines.append(f"    {name} = {expression}")
        return name

    def build(self, result: str, name: str = "condition") -> Callable[[Facts], Any]:
        """Define `name(facts)`, which loads the facts, runs the statements and returns `result`."""
        source = "\n".join([f"def {name}(facts):", *self._load_facts(), *self.lines, f"    return {result}"])
        return define(source, self.namespace, name)

    def _load_facts(self) -> list[str]:
        """Source lines loading each fact path `P<n>` into its local, unknown (None) when absent.

        Subscripts first: a flattened case holds every path, and a subscript is about twice as
        fast as `get`; a mapping without some path (an instrument's own inputs) falls back to `get`.
        """
        if not self.loads:
            return []
        locals_ = list(self.loads.values())
        subscripts = [f"        {local} = facts[P{index}]" for index, local in enumerate(locals_)]
        gets = [f"        {local} = get(P{index})" for index, local in enumerate(locals_)]
        return ["    try:", *subscripts, "    except KeyError:", "        get = facts.get", *gets]


def compile_condition(
    spec: Any, params: Mapping[str, Any] | None = None, where: str = "condition"
) -> Condition:
    """Compile a condition spec; `where` names its place in the file for error messages."""
    source = FunctionSource()
    paths: list[str] = []
    used: list[str] = []
    result = _node(spec, params or {}, where, source, paths, used)
    return Condition(
        evaluate=source.build(result),
        paths=tuple(dict.fromkeys(paths)),
        spec=spec,
        parameters=tuple(dict.fromkeys(used)),
    )


def compile_answers(
    specs: Sequence[tuple[Any, str]],
    params: Mapping[str, Any] | None = None,
    flag_unknown: Sequence[str] = (),
) -> Callable[[Facts], tuple[tuple[bool | None, ...], tuple[bool, ...]]]:
    """One function answering several conditions (`(spec, where)` pairs) over the same facts.

    It returns the answers in order, and for each path in `flag_unknown` whether that fact is
    unknown: together these are what an instrument memoises a tree result on. Each fact is read
    once however many conditions use it.
    """
    source = FunctionSource()
    answers = [_node(spec, params or {}, where, source, [], []) for spec, where in specs]
    flags = [f"{source.fact(path)} is None" for path in flag_unknown]
    return source.build(f"({_tuple(answers)}), ({_tuple(flags)})")


def compile_values(paths: Sequence[str]) -> Callable[[Facts], tuple[Any, ...]]:
    """One function returning the values of `paths` (None where absent) as a tuple: a memo key."""
    source = FunctionSource()
    return source.build(f"({_tuple([source.fact(path) for path in paths])})")


def _tuple(parts: list[str]) -> str:
    return "".join(f"{part}, " for part in parts)


def _node(
    spec: Any,
    params: Mapping[str, Any],
    where: str,
    source: FunctionSource,
    paths: list[str],
    used: list[str],
) -> str:
    if isinstance(spec, bool):
        return "True" if spec else "False"
    if not isinstance(spec, dict):
        raise ConditionError(f"{where}: expected a mapping or true/false, got {spec!r}")
    if "all" in spec or "any" in spec:
        key = "all" if "all" in spec else "any"
        if set(spec) != {key} or not isinstance(spec[key], list) or not spec[key]:
            raise ConditionError(f"{where}: '{key}' takes a non-empty list and nothing beside it")
        parts = [
            _node(part, params, f"{where}.{key}[{i}]", source, paths, used)
            for i, part in enumerate(spec[key])
        ]
        # Kleene: a deciding part (False for all, True for any) decides; else unknown beats the rest.
        decides, otherwise = ("False", "True") if key == "all" else ("True", "False")
        deciding = " or ".join(f"{p} is {decides}" for p in parts)
        unknown = " or ".join(f"{p} is None" for p in parts)
        return source.assign(f"{decides} if ({deciding}) else (None if ({unknown}) else {otherwise})")
    if "not" in spec:
        if set(spec) != {"not"}:
            raise ConditionError(f"{where}: 'not' stands alone")
        inner = _node(spec["not"], params, f"{where}.not", source, paths, used)
        return source.assign(f"None if {inner} is None else not {inner}")
    if "fact" in spec:
        return _fact(spec, params, where, source, paths, used)
    raise ConditionError(f"{where}: unknown condition {spec!r}")


def _resolve(value: Any, params: Mapping[str, Any], where: str, used: list[str]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        name = value[1:]
        if name not in params:
            raise ConditionError(f"{where}: unknown parameter {value}")
        used.append(name)
        return params[name]
    return value


def _fact(
    spec: dict[str, Any],
    params: Mapping[str, Any],
    where: str,
    source: FunctionSource,
    paths: list[str],
    used: list[str],
) -> str:
    path = spec["fact"]
    if not isinstance(path, str) or not path:
        raise ConditionError(f"{where}: 'fact' must name a fact path")
    ops = [k for k in spec if k != "fact"]
    paths.append(path)
    value = source.fact(path)
    if not ops:
        return source.assign(f"None if {value} is None else bool({value})")
    if len(ops) != 1 or ops[0] not in _OPS:
        raise ConditionError(f"{where}: expected one operator out of {sorted(_OPS)}, got {ops}")
    op = ops[0]
    operand = _resolve(spec[op], params, where, used)
    if op == "known":
        return source.assign(f"({value} is not None) is {bool(operand)}")
    if op in _COMPARE_OPS:
        if isinstance(operand, bool) or not isinstance(operand, int | float):
            raise ConditionError(f"{where}: '{op}' compares with a number, got {operand!r}")
        k, test = source.constant(operand), source.constant(_COMPARE[op])
        answer = (
            f"_span_compares({value}, {test}, {k}) if type({value}) is Span "
            f"else {value} {_COMPARE_OPS[op]} {k}"
        )
    elif op in ("in", "not_in", "intersects", "subset_of"):
        if not isinstance(operand, list):
            raise ConditionError(f"{where}: '{op}' takes a list, got {operand!r}")
        k = source.constant(frozenset(operand))
        answer = {
            "in": f"{value} in {k}",
            "not_in": f"{value} not in {k}",
            "intersects": f"not {k}.isdisjoint({value})",
            "subset_of": f"{k}.issuperset({value})",
        }[op]
    else:
        positive = op == "is"
        k = source.constant(operand)
        answer = (
            f"_span_equals({value}, {k}, {positive}) if type({value}) is Span "
            f"else ({value} == {k}) is {positive}"
        )
    return source.assign(f"None if {value} is None else ({answer})")
