"""One generic engine for every instrument: validate → derive → score items → band → probability.

An instrument is a YAML definition (see `definitions/`); this module only interprets it. Three
methods cover the instruments riskroute holds:
- `sum`: points per item, a missing-data rule, optional bands, probability and band adjustments
  (CPORT, CASIC, OSP/DC);
- `lookup`: an ordered list of rules, the first that matches gives probability and band (OSP/IIC);
- `tree`: rules over a case-facts document each raising the band to at least their own, the
  highest reached wins (riskroute's prioritisation tree); the result names, by the rules' labels,
  the rules that set the band (its `reason`).

Every result carries the definition's id, version and SHA-256, each item with the value it read,
its points and where the value came from, and the population the instrument was validated on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from riskroute.core.conditions import Condition, Span, compile_answers, compile_condition, compile_values
from riskroute.core.errors import InvalidInput, from_validation_error
from riskroute.core.facts import MAX_COUNT, CaseFacts, flatten
from riskroute.core.knowledge import Definition, DefinitionError, Mark
from riskroute.core.memo import Memo, MemoTable
from riskroute.core.results import InstrumentResult, PriorityReason
from riskroute.core.strict_json import check_unique_keys

LEVELS: tuple[str, ...] = ("low", "medium", "high", "very_high")
LEVEL = {name: rank for rank, name in enumerate(LEVELS)}
CASE_CACHE_SIZE = 20_000
#: The longest tree-rule label: it is shown on a worklist row, beside the band.
LABEL_MAX = 60
#: How many labels a reason names before "and N more" (its `rules` lists them all).
REASON_LABELS = 2


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputSpec(_Spec):
    type: Literal["bool", "int", "number", "enum"]
    min: float | None = None
    max: float | None = None
    values: list[str] | None = None
    required: bool = False
    nullable: bool | None = None


class ItemSpec(_Spec):
    id: str
    label: str
    input: str
    points: int | None = None
    when: Any = None
    steps: list[tuple[float, int]] | None = None
    mark: Mark


class LookupSpec(_Spec):
    id: str
    when: Any
    probability: float = Field(ge=0, le=1)
    band: str
    mark: Mark


class TreeRuleSpec(_Spec):
    id: str
    #: Plain words for what the rule tests: worklists show it as the reason for the band.
    label: str
    domain: str
    band: str
    when: Any
    if_unknown: str | None = None
    mark: Mark


class ProbabilitySpec(_Spec):
    method: Literal["logistic"]
    intercept: float
    slope: float
    zero_at_zero: bool = False
    mark: Mark


class AdjustmentSpec(_Spec):
    id: str
    label: str
    effect: Literal["drop_band"]
    when: Any
    mark: Mark


class BandSpec(_Spec):
    min: float
    band: str


class CheckSpec(_Spec):
    path: str
    require: Any
    message: str


class MissingSpec(_Spec):
    max_unknown_items: int = Field(ge=0)
    mark: Mark


class TargetDaysSpec(_Spec):
    values: dict[str, int]
    citation: str
    mark: Mark


class SourceSpec(_Spec):
    citation: str
    mark: Mark


class InstrumentSpec(_Spec):
    id: str
    version: str
    name: str
    method: Literal["sum", "lookup", "tree"]
    source: SourceSpec
    population: str
    outcome: str
    validation: list[dict[str, Any]]
    rates: list[str]
    notes: list[str] = []
    inputs: dict[str, InputSpec] = {}
    derived: dict[str, dict[str, list[str]]] = {}
    checks: list[CheckSpec] = []
    applicable_if: Any = True
    not_applicable_reason: str = ""
    missing: MissingSpec | None = None
    items: list[ItemSpec] = []
    bands: list[BandSpec] | list[str] | None = None
    probability: ProbabilitySpec | None = None
    adjustments: list[AdjustmentSpec] = []
    lookup: list[LookupSpec] = []
    rules: list[TreeRuleSpec] = []
    default_band: str = "low"
    target_days: TargetDaysSpec | None = None
    from_case_facts: dict[str, Any] = {}


@dataclass(frozen=True)
class _Item:
    spec: ItemSpec
    condition: Condition | None
    max_points: int

    def points(self, inputs: Mapping[str, Any]) -> int | None:
        value = inputs.get(self.spec.input)
        if value is None:
            return None
        if self.spec.steps is not None:
            earned = 0
            for threshold, points in self.spec.steps:
                if value >= threshold:
                    earned = points
            return earned
        hit = self.condition.evaluate(inputs) if self.condition else bool(value)
        if hit is None:
            return None
        return (self.spec.points or 0) if hit else 0


def _field_type(name: str, spec: InputSpec) -> tuple[Any, Any]:
    base: Any
    if spec.type == "bool":
        base = bool
    elif spec.type == "enum":
        if not spec.values:
            raise DefinitionError(f"input {name}: an enum needs values")
        base = Literal[tuple(spec.values)]
    elif spec.type == "int":
        # Unbounded above in a definition still means within JSON's exact integer range.
        base = Annotated[int, Field(ge=spec.min, le=spec.max if spec.max is not None else MAX_COUNT)]
    else:
        # NaN and Infinity are not JSON numbers, and an infinite "years since" would pass any test.
        base = Annotated[float, Field(ge=spec.min, le=spec.max, allow_inf_nan=False)]
    nullable = spec.nullable if spec.nullable is not None else not spec.required
    annotation = base | None if nullable else base
    return (annotation, ... if spec.required else None)


def _check_bands(spec: InstrumentSpec, where: str) -> None:
    """Every band a definition names is one of LEVELS, and target days cover every level: a typo
    in a force's own file is a clear error naming the file, not a failure halfway through a batch."""
    named = [b.band if isinstance(b, BandSpec) else b for b in spec.bands or []]
    named += [r.band for r in spec.lookup] + [r.band for r in spec.rules]
    named += [r.if_unknown for r in spec.rules if r.if_unknown is not None]
    if spec.method == "tree":
        named.append(spec.default_band)
    unknown = sorted(set(named) - set(LEVELS))
    if unknown:
        raise DefinitionError(f"{where}: unknown band(s) {unknown}; bands are {', '.join(LEVELS)}")
    if spec.target_days is not None and set(spec.target_days.values) != set(LEVELS):
        raise DefinitionError(f"{where}: target_days must give days for exactly {', '.join(LEVELS)}")
    for rule in spec.rules:
        # Otherwise learning that the fact is present would lower the band (and the band could
        # leave the range the known facts allow).
        if rule.if_unknown is not None and LEVEL[rule.if_unknown] > LEVEL[rule.band]:
            raise DefinitionError(f"{where}: rule {rule.id}: if_unknown must not be above its band")


def _check_labels(spec: InstrumentSpec, where: str) -> None:
    """Every tree rule has a short one-line label: it becomes a worklist's reason for the band, so
    an empty or runaway label in a force's own file is refused when the file loads."""
    for rule in spec.rules:
        label = rule.label
        if not label.strip() or label != label.strip() or "\n" in label or len(label) > LABEL_MAX:
            raise DefinitionError(
                f"{where}: rule {rule.id}: label must be one line of 1 to {LABEL_MAX} characters, "
                "without leading or trailing spaces"
            )


def _named(labels: list[str]) -> str:
    """Labels joined for a reason, the first few by name: a worklist row has little room."""
    shown = "; ".join(labels[:REASON_LABELS])
    hidden = len(labels) - REASON_LABELS
    return f"{shown}; and {hidden} more" if hidden > 0 else shown


class Instrument:
    """A compiled instrument definition; build once, evaluate many times."""

    def __init__(self, definition: Definition) -> None:
        try:
            spec = InstrumentSpec.model_validate(definition.data)
        except ValidationError as exc:
            raise DefinitionError(f"{definition.path}: {exc}") from exc
        self.definition = definition
        self.spec = spec
        self.id = spec.id
        where = str(definition.path)
        _check_bands(spec, where)
        _check_labels(spec, where)

        def compiled(condition: Any, name: str) -> Condition:
            return compile_condition(condition, where=f"{where}: {name}")

        self._items = [
            _Item(
                spec=item,
                condition=compiled(item.when, item.id) if item.when else None,
                max_points=max(p for _, p in item.steps) if item.steps else (item.points or 0),
            )
            for item in spec.items
        ]
        self._applicable = compiled(spec.applicable_if, "applicable_if")
        self._checks = [(c, compiled(c.require, c.path)) for c in spec.checks]
        self._adjustments = [(a, compiled(a.when, a.id)) for a in spec.adjustments]
        self._lookup = [(r, compiled(r.when, r.id)) for r in spec.lookup]
        self._tree = [(r, compiled(r.when, r.id)) for r in spec.rules]
        self._bands = [(b.min, b.band) for b in spec.bands or [] if isinstance(b, BandSpec)]
        # Static parts of each result, built once: evaluation only fills in what the case changes.
        self._item_static: list[dict[str, Any]] = [
            {"id": i.spec.id, "label": i.spec.label, "mark": i.spec.mark.value} for i in self._items
        ]
        self._unverified_items = [
            {"item": i.spec.id, "mark": i.spec.mark.value} for i in self._items if not i.spec.mark.is_verified
        ]
        # A tree rule's entry in a result depends only on its answer: three entries per rule,
        # built once and shared by every result (results are read-only).
        self._tree_static: list[tuple[dict[bool | None, dict[str, Any]], int, int]] = [
            (
                {
                    hit: {
                        "id": r.id,
                        "label": r.label,
                        "domain": r.domain,
                        "band": r.band,
                        "points": None,
                        "source": ", ".join(c.paths),
                        "value": hit,
                    }
                    for hit in (True, False, None)
                },
                LEVEL[r.band],
                LEVEL[r.if_unknown] if r.if_unknown else -1,
            )
            for r, c in self._tree
        ]
        self._from_case: dict[str, str | Condition] = {
            name: value["fact"] if set(value) == {"fact"} else compiled(value, name)
            for name, value in spec.from_case_facts.items()
        }
        # The case-fact paths this instrument reads: its results are memoised on their values.
        read: list[str] = []
        for rule in self._from_case.values():
            read.extend([rule] if isinstance(rule, str) else rule.paths)
        for _, condition in self._tree:
            read.extend(condition.paths)
        self._case_paths = tuple(dict.fromkeys(read))
        self._memo: MemoTable[Memo] = MemoTable(CASE_CACHE_SIZE)
        self._entries: MemoTable[dict[str, Any]] = MemoTable(CASE_CACHE_SIZE)
        # The three steps of `case_memo`, exposed so that a triage plan can inline them. The key
        # is computed by one generated function: for a tree, its rules' answers and which facts
        # are unknown; otherwise the values of the facts the instrument reads.
        self.case_key = (
            compile_answers([(r.when, f"{where}: {r.id}") for r in spec.rules], flag_unknown=self._case_paths)
            if spec.method == "tree"
            else compile_values(self._case_paths)
        )
        self.memo_get = self._memo.get
        fields: dict[str, Any] = {name: _field_type(name, s) for name, s in spec.inputs.items()}
        config = ConfigDict(strict=True, extra="forbid")
        self._model: type[BaseModel] = create_model(f"{spec.id}_inputs", __config__=config, **fields)
        self._static = {
            "name": spec.name,
            "population": spec.population,
            "outcome": spec.outcome,
            "validation": spec.validation,
            "rates": spec.rates,
            "source": spec.source.model_dump(mode="json"),
        }

    # -- input -----------------------------------------------------------------------------------
    def validate_json(self, raw: bytes) -> dict[str, Any]:
        """Validate the instrument's own input document (strict; unknown fields rejected)."""
        model = CaseFacts if self.spec.method == "tree" else self._model
        check_unique_keys(raw)
        try:
            parsed = model.model_validate_json(raw)
        except ValidationError as exc:
            raise from_validation_error(exc) from exc
        if isinstance(parsed, CaseFacts):
            return flatten(parsed)
        inputs = parsed.model_dump()
        self._derive(inputs)
        for check, condition in self._checks:
            if condition.evaluate(inputs) is False:
                raise InvalidInput([{"path": check.path, "message": check.message}])
        return inputs

    def _derive(self, inputs: dict[str, Any]) -> None:
        for name, rule in self.spec.derived.items():
            values = [inputs.get(n) for n in next(iter(rule.values()))]
            known = [v for v in values if v is not None]
            if len(known) < len(values):
                inputs[name] = None
            elif "sum" in rule:
                inputs[name] = sum(known)
            else:
                inputs[name] = known[0] - sum(known[1:])

    def inputs_from_case(
        self, flat: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str], dict[str, list[str]]]:
        """Read this instrument's items from a flattened case-facts document (the documented mapping).

        Returns the inputs, where each came from, and for each unknown input the case-fact paths
        whose absence leaves it unknown (an item read through a condition over several facts is
        missing only the ones not recorded, each named by its own path).
        """
        inputs: dict[str, Any] = {}
        sources: dict[str, str] = {}
        unknown: dict[str, list[str]] = {}
        for name, rule in self._from_case.items():
            if isinstance(rule, str):
                inputs[name] = flat.get(rule)
                sources[name] = rule
                if inputs[name] is None:
                    unknown[name] = [rule]
            else:
                inputs[name] = rule.evaluate(flat)
                sources[name] = " | ".join(rule.paths)
                if inputs[name] is None:
                    unknown[name] = rule.unknown_paths(flat)
        return inputs, sources, unknown

    # -- evaluation ------------------------------------------------------------------------------
    def evaluate_case(self, flat: Mapping[str, Any]) -> InstrumentResult:
        """Score a flattened case-facts document (memoised; the result is shared: read-only)."""
        result: InstrumentResult = self.case_memo(flat).value
        return result

    def case_memo(self, flat: Mapping[str, Any]) -> Memo:
        """The memoised result for a case, keyed on exactly the facts this instrument reads.

        An instrument is a pure function of those few facts, and a caseload repeats the same
        combinations many times, so re-scoring 500,000 subjects mostly hits the memo.
        """
        key = self.case_key(flat)
        return self.memo_get(key) or self.case_miss(flat, key)

    def case_miss(self, flat: Mapping[str, Any], key: Any) -> Memo:
        """Score a case whose `case_key` is not memoised yet, and memoise it.

        A tree result holds its rules' answers and which facts are unknown, never raw values, so
        those two are its whole key (and most of a caseload shares them); any other instrument
        is keyed on the values of the facts it reads.
        """
        if self.spec.method == "tree":
            return self._memo.put(key, Memo(self._evaluate_tree(flat, key[0])))
        inputs, sources, unknown = self.inputs_from_case(flat)
        return self._memo.put(key, Memo(self.evaluate(inputs, sources, unknown)))

    def clear_memos(self) -> None:
        """Forget memoised results (tests compare fresh and memoised evaluations)."""
        self._memo.clear()

    @property
    def memo_size(self) -> int:
        """How many distinct fact combinations are memoised (the benchmark reports hit rates)."""
        return len(self._memo)

    def evaluate(
        self,
        inputs: Mapping[str, Any],
        sources: Mapping[str, str] | None = None,
        unknown: Mapping[str, list[str]] | None = None,
    ) -> InstrumentResult:
        """Score validated inputs. `sources` names where each input came from (default: itself);
        `unknown` names, per unknown input, the facts to find (default: its source)."""
        if self.spec.method == "tree":
            return self._evaluate_tree(inputs, self.case_key(inputs)[0])
        if self.spec.method == "lookup":
            return self._evaluate_lookup(inputs, sources)
        return self._evaluate_sum(inputs, sources, unknown or {})

    def _item_entry(
        self, static: dict[str, Any], value: Any, points: int | None, source: str
    ) -> dict[str, Any]:
        """An item's entry in a result, shared between results that score it alike (read-only):
        a caseload repeats the same few entries, and a memoised result keeps its entries alive."""
        key = (static["id"], value, points, source)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries.put(key, static | {"value": value, "points": points, "source": source})
        return entry

    def _result(self, **fields: Any) -> InstrumentResult:
        """The result: identity, the fields the method computed, then the definition's own text.
        (Each method passes its own fields; `InstrumentResult` names them all.)"""
        head = {
            "instrument": self.id,
            "version": self.spec.version,
            "definition_sha256": self.definition.sha256,
        }
        return cast(InstrumentResult, head | fields | self._static)

    def _evaluate_sum(
        self, inputs: Mapping[str, Any], sources: Mapping[str, str] | None, unknown: Mapping[str, list[str]]
    ) -> InstrumentResult:
        spec = self.spec
        items: list[dict[str, Any]] = []
        missing: list[str] = []
        n_unknown = 0
        total = 0
        unknown_max = 0
        for item, static in zip(self._items, self._item_static, strict=True):
            points = item.points(inputs)
            name = item.spec.input
            source = sources.get(name, name) if sources else name
            items.append(self._item_entry(static, inputs.get(name), points, source))
            if points is None:
                n_unknown += 1
                missing.extend(p for p in unknown.get(name, (source,)) if p not in missing)
                unknown_max += item.max_points
            else:
                total += points
        notes = list(spec.notes)
        applicable = self._applicable.evaluate(inputs) is not False
        allowed = spec.missing.max_unknown_items if spec.missing else 0
        scorable = applicable and n_unknown <= allowed and n_unknown < len(items)
        if not applicable:
            notes.insert(0, spec.not_applicable_reason)
        elif not scorable:
            notes.insert(0, f"Not scorable: {n_unknown} items unknown (at most {allowed} allowed).")
        elif n_unknown:
            notes.insert(
                0, f"{n_unknown} item(s) unknown: the total counts known items only (a lower bound)."
            )
        band: str | None = None
        probability: float | None = None
        adjustments: list[dict[str, Any]] = []
        if not applicable:
            band = "not_applicable" if self._bands else None
        elif scorable:
            band, probability, adjustments = self._band_and_probability(total, inputs)
        return self._result(
            applicable=applicable,
            scorable=scorable,
            total=total if scorable else None,
            total_if_unknown_items_present=total + unknown_max if scorable and n_unknown else None,
            band=band,
            probability=probability,
            missing=missing,
            items=items,
            adjustments=adjustments,
            notes=notes,
            unverified=self._unverified_items,
        )

    def _band_and_probability(
        self, total: int, inputs: Mapping[str, Any]
    ) -> tuple[str | None, float | None, list[dict[str, Any]]]:
        probability = None
        if self.spec.probability:
            p = self.spec.probability
            if p.zero_at_zero and total == 0:
                probability = 0.0
            else:
                probability = round(1.0 / (1.0 + math.exp(-(p.intercept + p.slope * total))), 6)
        if not self._bands:
            return None, probability, []
        band = next(name for minimum, name in reversed(self._bands) if total >= minimum)
        applied = []
        context = dict(inputs) | {"total": total, "band_level": LEVEL[band]}
        for adjustment, condition in self._adjustments:
            hit = condition.evaluate(context)
            applied.append({"id": adjustment.id, "label": adjustment.label, "applied": hit is True})
            if hit is True:
                band = LEVELS[max(0, LEVEL[band] - 1)]
                context["band_level"] = LEVEL[band]
        return band, probability, applied

    def _evaluate_lookup(
        self, inputs: Mapping[str, Any], sources: Mapping[str, str] | None
    ) -> InstrumentResult:
        items = [
            {"id": name, "value": inputs.get(name), "points": None, "source": (sources or {}).get(name, name)}
            for name in self.spec.inputs
        ]
        for rule, condition in self._lookup:
            hit = condition.evaluate(inputs)
            if hit is None:
                break
            if hit:
                return self._result(
                    applicable=True,
                    scorable=True,
                    total=None,
                    band=rule.band,
                    probability=rule.probability,
                    rule=rule.id,
                    missing=[],
                    items=items,
                    notes=list(self.spec.notes),
                    unverified=[] if rule.mark.is_verified else [{"item": rule.id, "mark": rule.mark.value}],
                )
        missing = [i["source"] for i in items if i["value"] is None]
        return self._result(
            applicable=True,
            scorable=False,
            total=None,
            band=None,
            probability=None,
            rule=None,
            missing=missing,
            items=items,
            notes=["Not scorable: a look-up rule needs an unknown input.", *self.spec.notes],
            unverified=[],
        )

    def _evaluate_tree(self, flat: Mapping[str, Any], answers: tuple[bool | None, ...]) -> InstrumentResult:
        spec = self.spec
        lowest = highest = cautious = LEVEL[spec.default_band]
        items: list[dict[str, Any]] = []
        missing: list[str] = []
        unknown: list[tuple[int, Condition]] = []
        for (_, condition), (static, level, if_unknown), hit in zip(
            self._tree, self._tree_static, answers, strict=True
        ):
            if hit is True:
                lowest = max(lowest, level)
                highest = max(highest, level)
                cautious = max(cautious, level)
            elif hit is None:
                highest = max(highest, level)
                cautious = max(cautious, if_unknown)
                unknown.append((level, condition))
            items.append(static[hit])
        for level, condition in unknown:
            if level > lowest:
                missing.extend(p for p in condition.unknown_paths(flat) if p not in missing)
        band = LEVELS[cautious]
        notes = list(spec.notes)
        if missing:
            notes.insert(
                0,
                f"Band set from known facts with unknown access to children treated cautiously; "
                f"{len(missing)} unknown fact(s) could raise it as far as {LEVELS[highest]}.",
            )
        target = spec.target_days
        return self._result(
            applicable=True,
            scorable=True,
            total=None,
            band=band,
            probability=None,
            target_days=target.values[band] if target else None,
            reason=self._tree_reason(answers, cautious),
            band_range={"known_facts": LEVELS[lowest], "if_unknowns_present": LEVELS[highest]},
            rules_fired=[item["id"] for item in items if item["value"] is True],
            determinate=lowest == highest,
            missing=missing,
            items=items,
            notes=notes,
            unverified=[{"item": "target_days", "mark": target.mark.value}] if target else [],
        )

    def _tree_reason(self, answers: tuple[bool | None, ...], level: int) -> PriorityReason:
        """Why a tree result has the band `level`, in words no stronger than its rules.

        The band's reason is the rules that are true at that level. When none is, it is the rules
        whose unknown facts lift the band there (`if_unknown`), said as "not known", never as a
        yes or a no. At the default band it is that no rule is met, naming the rules still
        unknown, since their facts could raise it.
        """
        rules = list(zip(self.spec.rules, answers, strict=True))
        fired = [rule for rule, hit in rules if hit is True and LEVEL[rule.band] == level]
        if fired:
            text = _named([rule.label for rule in fired])
            return {"text": text, "rules": [rule.id for rule in fired], "unknown": False}
        lifting = [
            rule
            for rule, hit in rules
            if hit is None and rule.if_unknown is not None and LEVEL[rule.if_unknown] == level
        ]
        if lifting:
            text = "not known: " + _named([rule.label for rule in lifting])
            return {"text": text, "rules": [rule.id for rule in lifting], "unknown": True}
        still_open = [rule.label for rule, hit in rules if hit is None and LEVEL[rule.band] > level]
        if still_open:
            text = f"no priority rule met by the known facts; not known: {_named(still_open)}"
        else:
            text = "no priority rule met"
        return {"text": text, "rules": [], "unknown": False}

    def level_span(self, result: InstrumentResult) -> Span | int:
        """The band of a tree result as a number (0 = low), or a span while facts are unknown."""
        low = LEVEL[result["band_range"]["known_facts"]]
        high = LEVEL[result["band_range"]["if_unknowns_present"]]
        return low if low == high else Span(low, high)
