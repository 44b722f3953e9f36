"""Case facts: what is known about one person under investigation, and nothing more.

The document shape is fixed by the CLI contract (`docs/cli.md`). Every leaf may be `null` (or absent), which
means *unknown*: the decision core never reads an unknown as "no". Validation is strict (unknown
fields, wrong types, negative counts and impossible ages are rejected) because a silently coerced
fact could change a recommendation.

The model holds counts and facts only: there is deliberately no field that could carry an image,
a hash of one or a path to one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

Activity = Literal["possession", "making", "distribution", "production", "live_streaming", "advertising"]
AgeBand = Literal["under_16", "16_17", "unknown"]
Sex = Literal["male", "female"]
RiskLevel = Literal["low", "medium", "high"]

ACTIVITIES: tuple[str, ...] = Activity.__args__  # type: ignore[attr-defined]
#: The largest integer every JSON reader keeps exact (2**53 - 1). A larger count is a typing
#: error, and could not be written back out faithfully, so it is refused as bad input.
MAX_COUNT = 2**53 - 1
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Age = Annotated[int, Field(ge=10, le=120)]


class _Facts(BaseModel):
    """Strict base: no coercion ("3" is not 3, 1 is not true) and no unknown fields.

    Not frozen: freezing costs a fifth of validation time on the batch path, and nothing in the
    core mutates facts (changes go through `model_copy(update=...)`).
    """

    model_config = ConfigDict(strict=True, extra="forbid")


class Subject(_Facts):
    age: Age | None = None
    #: The subject's age at the (earliest) offence, which Schedule 3 reads; distinct from `age`
    #: (today's), because notification and the youth thresholds turn on it.
    age_at_offence: Age | None = None
    sex: Sex | None = None
    never_married: bool | None = None


class ImageCounts(_Facts):
    """Counts of images by Sentencing Council category (A most serious). Counts, never content."""

    A: Count | None = None
    B: Count | None = None
    C: Count | None = None


class Offence(_Facts):
    activities: list[Activity] | None = None
    image_counts: ImageCounts = ImageCounts()
    youngest_depicted: AgeBand | None = None
    csem_videos: bool | None = None
    csem_stories: bool | None = None
    collection_span_years: Annotated[float, Field(ge=0, le=120)] | None = None
    more_boys_than_girls_csem: bool | None = None
    more_boys_than_girls_other_child_content: bool | None = None
    #: Images offered in a peer-to-peer shared folder: distribution in law (PCA 1978 s.1(2),
    #: "distributing" includes offering for acquisition), so `true` is read as distribution.
    peer_to_peer_sharing: bool | None = None


class History(_Facts):
    any_prior_criminal_history: bool | None = None
    any_failure_on_conditional_release: bool | None = None
    prior_sexual_sanctions: Count | None = None
    prior_contact_sexual_sanctions: Count | None = None
    prior_image_sanctions: Count | None = None
    # Optional addition to the contract: the JUSTICE 2019 variant admits people whose only
    # previous convictions are non-violent and non-sexual, so it needs this fact.
    prior_violent_sanctions: Count | None = None
    contact_offence_allegations: bool | None = None


class AccessToChildren(_Facts):
    checked: bool | None = None
    household: bool | None = None
    occupation: bool | None = None
    volunteering: bool | None = None
    family_or_friends: bool | None = None


class Behaviour(_Facts):
    sexual_communication_with_child: bool | None = None
    grooming_or_incitement: bool | None = None
    sexual_interest_in_children: bool | None = None


class Process(_Facts):
    admits_offence: bool | None = None
    sufficient_evidence_to_charge: bool | None = None
    consents_to_caution: bool | None = None
    safeguarding_checks_complete: bool | None = None
    #: The risk a recorded structured professional judgement concluded. Needed where no validated
    #: instrument covers the person (CPORT: adult men only), and only read there.
    structured_judgement_risk: RiskLevel | None = None


class CaseFacts(_Facts):
    """One case-facts document (see `docs/cli.md`, `riskroute triage`).

    Facts that contradict each other are refused (`CONSISTENCY_RULES`): a contradiction would
    otherwise let the lower-risk value win.
    """

    subject: Subject = Subject()
    offence: Offence = Offence()
    history: History = History()
    access_to_children: AccessToChildren = AccessToChildren()
    behaviour: Behaviour = Behaviour()
    process: Process = Process()

    @model_validator(mode="after")
    def _consistent(self) -> CaseFacts:
        flat: dict[str, Any] = {}
        _walk(self, _LAYOUT, flat)
        problems = inconsistencies(flat)
        if problems:
            path, message = problems[0]
            raise PydanticCustomError("inconsistent_facts", message, {"path": path})
        return self


def _layout(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str, Any]]:
    """(attribute, dotted path, nested layout or None) for each field, recursively."""
    layout: list[tuple[str, str, Any]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            layout.append((name, f"{prefix}{name}", _layout(annotation, f"{prefix}{name}.")))
        else:
            layout.append((name, f"{prefix}{name}", None))
    return layout


_LAYOUT = _layout(CaseFacts)


class ConsistencyRule(NamedTuple):
    """Facts that cannot all hold at once: `contradicts(flat)` is true when they are contradicted.

    `path` is the fact named in the error (the one most likely to be wrong, or to hide a risk).
    """

    path: str
    message: str
    contradicts: Callable[[Mapping[str, Any]], bool]


def _positive(value: Any) -> bool:
    return value is not None and value > 0


def _exceeds(larger: str, limit: str) -> Callable[[Mapping[str, Any]], bool]:
    """Both facts known, and the first greater than the second."""
    return lambda f: f[larger] is not None and f[limit] is not None and f[larger] > f[limit]


def _unchecked_no(key: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda f: f["access_to_children.checked"] is False and f[key] is False


_PRIOR_SANCTIONS = (
    "history.prior_sexual_sanctions",
    "history.prior_contact_sexual_sanctions",
    "history.prior_image_sanctions",
    "history.prior_violent_sanctions",
)

#: Every consistency rule of a case-facts document, defined once (docs/cli.md lists them). Each
#: reads only known values: an unknown fact contradicts nothing.
CONSISTENCY_RULES: tuple[ConsistencyRule, ...] = (
    ConsistencyRule(
        "history.any_prior_criminal_history",
        "is false, but prior sanctions are counted or a failure on conditional release is recorded",
        lambda f: (
            f["history.any_prior_criminal_history"] is False
            and (
                any(_positive(f[p]) for p in _PRIOR_SANCTIONS)
                or f["history.any_failure_on_conditional_release"] is True
            )
        ),
    ),
    ConsistencyRule(
        "history.prior_contact_sexual_sanctions",
        "cannot exceed history.prior_sexual_sanctions (a contact sexual sanction is a sexual sanction)",
        _exceeds("history.prior_contact_sexual_sanctions", "history.prior_sexual_sanctions"),
    ),
    ConsistencyRule(
        "subject.age_at_offence",
        "cannot be greater than subject.age",
        _exceeds("subject.age_at_offence", "subject.age"),
    ),
    ConsistencyRule(
        "offence.collection_span_years",
        "cannot be longer than the subject has been alive (subject.age)",
        _exceeds("offence.collection_span_years", "subject.age"),
    ),
    *(
        ConsistencyRule(
            key,
            "is recorded as no, but access_to_children.checked is false: a 'no' needs the check",
            _unchecked_no(key),
        )
        for key in (
            "access_to_children.household",
            "access_to_children.occupation",
            "access_to_children.volunteering",
            "access_to_children.family_or_friends",
        )
    ),
)


def inconsistencies(flat: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(path, message) for each consistency rule the facts (flat, as recorded) break."""
    return [(rule.path, rule.message) for rule in CONSISTENCY_RULES if rule.contradicts(flat)]


def _paths(
    layout: list[tuple[str, str, Any]], chain: tuple[str, ...] = ()
) -> list[tuple[str, tuple[str, ...]]]:
    out: list[tuple[str, tuple[str, ...]]] = []
    for name, path, sub in layout:
        out.extend(_paths(sub, (*chain, name)) if sub else [(path, (*chain, name))])
    return out


#: Every leaf of the document as (dotted path, attribute chain), in document order.
FACT_PATHS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(_paths(_LAYOUT))


def _walk(model: BaseModel, layout: list[tuple[str, str, Any]], out: dict[str, Any]) -> None:
    values = model.__dict__
    for name, path, sub in layout:
        if sub is None:
            out[path] = values[name]
        else:
            _walk(values[name], sub, out)


_ACCESS_KINDS = tuple(
    f"access_to_children.{kind}" for kind in ("household", "occupation", "volunteering", "family_or_friends")
)


def flatten(facts: CaseFacts) -> dict[str, Any]:
    """Return the facts as a flat mapping of dotted path to value, as the rules read them.

    Three conservative readings are applied here, once, so that no rule can forget them:
    - access to children recorded as "no" counts only once the access check is done
      (`access_to_children.checked` true); before that a "no" is unknown, a "yes" stays yes;
    - peer-to-peer sharing is distribution in law, so it adds `distribution` to the activities;
    - an empty activity list says nothing, so it is unknown rather than "no activity";
    activities become a sorted tuple without repeats (hashable, and serialisable as a list).
    """
    flat: dict[str, Any] = {}
    _walk(facts, _LAYOUT, flat)
    return read_conservatively(flat)


def read_conservatively(flat: dict[str, Any]) -> dict[str, Any]:
    """Apply the conservative readings (see `flatten`) to a flat mapping of every fact path."""
    if flat["access_to_children.checked"] is not True:
        for key in _ACCESS_KINDS:
            if flat[key] is False:
                flat[key] = None
    activities = flat["offence.activities"]
    if flat["offence.peer_to_peer_sharing"] is True:
        activities = [*(activities or ()), "distribution"]
    flat["offence.activities"] = tuple(sorted(set(activities))) if activities else None
    return flat
