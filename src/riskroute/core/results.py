"""The shapes of the decision core's results, as types.

The core's documents are plain JSON data (the CLI prints them, the case service stores them
whole), so they stay dicts; these `TypedDict`s only name their fields and the types of their
values, so that mypy checks every reader. A memoised rule answer, read only inside the core, is a
small slotted class, so its fields are read by name rather than by position.

What the fields mean is documented where they are made: `triage.py`, `instruments/engine.py`,
`law/notification.py`, `policy/engine.py` and `explain.py`.
"""

# No `from __future__ import annotations` here: TypedDict reads `NotRequired` from evaluated
# annotations only, and `__required_keys__` must be right (a test compares it with the documents).
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict


class Citation(TypedDict):
    citation: str
    mark: str


# --- instruments ----------------------------------------------------------------------------


class ItemEntry(TypedDict):
    """One item (or tree rule) of an instrument result, with the value it read."""

    id: str
    label: NotRequired[str]
    mark: NotRequired[str]
    domain: NotRequired[str]
    band: NotRequired[str]
    value: Any
    points: int | None
    source: str


class Adjustment(TypedDict):
    id: str
    label: str
    applied: bool


class BandRange(TypedDict):
    known_facts: str
    if_unknowns_present: str


class PriorityReason(TypedDict):
    """Why the prioritisation tree gave its band, in the words of its rules' labels.

    `rules` are the rules that set the band: true at that level, or, with `unknown`, the rules
    whose facts are not known and lift the band there (`if_unknown`). Empty at the default band,
    where `text` says no rule is met (and names any rule still unknown)."""

    text: str
    rules: list[str]
    unknown: bool


class InstrumentResult(TypedDict):
    """One instrument's result. A `sum` instrument adds `total_if_unknown_items_present` and
    `adjustments`, a `lookup` adds `rule`, the prioritisation `tree` adds the band's range and
    reason, the rules that fired and the target days."""

    instrument: str
    version: str
    definition_sha256: str
    applicable: bool
    scorable: bool
    total: int | None
    band: str | None
    probability: float | None
    missing: list[str]
    items: list[ItemEntry]
    notes: list[str]
    unverified: list[dict[str, str]]
    name: str
    population: str
    outcome: str
    validation: list[dict[str, Any]]
    rates: list[str]
    source: Citation
    total_if_unknown_items_present: NotRequired[int | None]
    adjustments: NotRequired[list[Adjustment]]
    rule: NotRequired[str | None]
    target_days: NotRequired[int | None]
    reason: NotRequired[PriorityReason]
    band_range: NotRequired[BandRange]
    rules_fired: NotRequired[list[str]]
    determinate: NotRequired[bool]


class PrioritySummary(TypedDict):
    """The part of the prioritisation tree's result that a triage document repeats."""

    band: str
    target_days: int | None
    reason: PriorityReason
    band_range: BandRange
    determinate: bool
    missing: list[str]
    version: str
    definition_sha256: str
    rules_fired: list[str]


class Scores(TypedDict):
    cport: InstrumentResult
    casic: InstrumentResult


# --- notification ---------------------------------------------------------------------------


class Period(TypedDict):
    years: float | None
    indefinite: bool


class UnverifiedLawRule(TypedDict):
    rule: str
    mark: str
    citation: str


class NotificationResult(TypedDict):
    """Whether a disposal brings notification (SOA 2003 Part 2), for how long, and the deadlines;
    dates as ISO strings, null where not known (a triage preview has no dates)."""

    notifiable: bool | None
    period: Period | None
    ends_on: str | None
    initial_notification_due: str | None
    review_possible_after_years: int | None
    period_months: int | None
    basis: list[str]
    verification: str
    unverified: list[UnverifiedLawRule]
    table: dict[str, str]
    notes: list[str]


# --- policy rules and triage ----------------------------------------------------------------


class TraceEntry(TypedDict):
    """One rule's answer as the trace shows it: True passes, False blocks, None is unknown."""

    rule: str
    kind: str
    citation: str
    mark: str
    result: bool | None
    facts: dict[str, Any]


@dataclass(slots=True)
class RuleAnswer:
    """A memoised rule answer, with the parts the batch path and the outcome need ready-made.

    A slotted class rather than a `NamedTuple`: the batch path reads three fields of every rule's
    answer for every case, and CPython specialises reads of slots but not of a tuple subclass's
    fields or items. Not `frozen`, because a frozen class's constructor costs several times more
    on every memo miss; answers are shared, so nothing may change one (decision 0009).
    """

    #: the trace entry as compact JSON
    json: bytes
    entry: TraceEntry
    result: bool | None
    #: the fact paths the rule needs and that are unknown (empty unless `result` is None)
    unknown: list[str]
    #: the rule's bit if it blocks, else 0 (the answers of a policy are OR-ed into a mask)
    blocks: int
    #: 1 if the answer is unknown, else 0
    is_unknown: int
    #: `b"," + json`, for joining a trace without building it
    json_after_comma: bytes


class BlockingRule(TypedDict):
    id: str
    reason: str
    citation: str


class UnverifiedFlag(TypedDict):
    id: str
    mark: str
    citation: str


class Step(TypedDict):
    step: str
    detail: str
    citation: str
    mark: str


class Explanation(TypedDict):
    summary: str
    held: list[str]
    next_steps: list[Step]


class Applicability(TypedDict):
    applicable: bool | None
    reason: str


class Populations(TypedDict):
    cport: Applicability


class TriageResult(TypedDict):
    """The triage document (docs/cli.md): each caller gets its own copy, free to change."""

    recommendation: str
    eligible_for_diversion: bool | None
    blocking_rules: list[BlockingRule]
    missing_facts: list[str]
    priority: PrioritySummary
    scores: Scores
    notification_if_cautioned: NotificationResult
    policy: dict[str, str]
    unverified_rules: list[UnverifiedFlag]
    explanation: Explanation
    route: str | None
    instrument_populations: Populations
    trace: list[TraceEntry]
    disclaimer: str
