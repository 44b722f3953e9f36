"""Case facts: what is known about one person under investigation, and nothing more.

The document shape is fixed by `shared/spec/cli.md`. Every leaf may be `null` (or absent), which
means *unknown*: the decision core never reads an unknown as "no". Validation is strict (unknown
fields, wrong types, negative counts and impossible ages are rejected) because a silently coerced
fact could change a recommendation.

The model holds counts and facts only: there is deliberately no field that could carry an image,
a hash of one or a path to one.
"""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Literal, Union, cast, get_args, get_origin

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from riskroute.core.codegen import define

Activity = Literal["possession", "making", "distribution", "production", "live_streaming", "advertising"]
AgeBand = Literal["under_16", "16_17", "unknown"]
Sex = Literal["male", "female"]

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


class CaseFacts(_Facts):
    """One case-facts document (see `shared/spec/cli.md`, `riskroute triage`)."""

    subject: Subject = Subject()
    offence: Offence = Offence()
    history: History = History()
    access_to_children: AccessToChildren = AccessToChildren()
    behaviour: Behaviour = Behaviour()
    process: Process = Process()


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

    Two conservative readings are applied here, once, so that no rule can forget them:
    - access to children recorded as "no" counts only once the access check is done
      (`access_to_children.checked` true); before that a "no" is unknown, a "yes" stays yes;
    - an empty activity list says nothing, so it is unknown rather than "no activity";
    activities become a sorted tuple without repeats (hashable, and serialisable as a list).
    """
    flat: dict[str, Any] = {}
    _walk(facts, _LAYOUT, flat)
    return _read_conservatively(flat)


def _read_conservatively(flat: dict[str, Any]) -> dict[str, Any]:
    if flat["access_to_children.checked"] is not True:
        for key in _ACCESS_KINDS:
            if flat[key] is False:
                flat[key] = None
    activities = flat["offence.activities"]
    flat["offence.activities"] = tuple(sorted(set(activities))) if activities else None
    return flat


# -- the batch path: the same validation into plain dicts, flattened by generated code --------------
#
# Building the pydantic models costs more than validating: a caseload re-score validates each line
# against the same schema expressed as TypedDicts (every field optional, as every model field
# defaults to unknown) and flattens the nested dicts with one generated function. `CaseFacts`
# stays the one definition: the TypedDicts are derived from it, and a bad line is reported by
# the model itself, so errors read the same on every path.


def _as_typed_dict(model: type[BaseModel]) -> Any:
    """The fields of `model` as a TypedDict with the same types, constraints and strictness."""
    fields: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if field.default != annotation():
                raise TypeError(f"{model.__name__}.{name}: a section must default to an empty one")
            fields[name] = _as_typed_dict(annotation)
        else:
            if field.default is not None or field.metadata:
                raise TypeError(f"{model.__name__}.{name}: a fact must default to None (unknown)")
            fields[name] = annotation
    # A TypedDict built at run time from the model (mypy only checks TypedDicts written out).
    plain = cast(Any, TypedDict)(model.__name__, fields, total=False)
    plain.__pydantic_config__ = model.model_config
    return plain


def _flattener(layout: list[tuple[str, str, Any]]) -> Any:
    """Generate `flat(document)`: nested dicts (absent sections and facts as unknown) → flat dict."""
    namespace: dict[str, Any] = {"EMPTY": {}}
    lines: list[str] = []
    items: list[str] = []

    def visit(layout: list[tuple[str, str, Any]], parent: str) -> None:
        for name, path, sub in layout:
            key = f"K{len(namespace)}"
            namespace[key] = name
            if sub is None:
                namespace[f"P{key}"] = path
                items.append(f"P{key}: {parent}.get({key})")
            else:
                section = f"s{len(lines)}"
                lines.append(f"    {section} = {parent}.get({key}) or EMPTY")
                visit(sub, section)

    visit(layout, "document")
    source = "\n".join(["def flat(document):", *lines, "    return {" + ", ".join(items) + "}"])
    return define(source, namespace, "flat")


def _accepts(annotation: Any, value: str, namespace: dict[str, Any]) -> tuple[str, str | None]:
    """(test, conversion) in source for a leaf of type `annotation | None` read into `value`.

    Only the leaf types case facts use are known; any other stops the import, so a new kind of
    field cannot slip past the strict reading.
    """
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    if get_origin(annotation) not in (Union, UnionType) or len(args) != 1:
        raise TypeError(f"a case fact must be 'T | None', got {annotation!r}")
    (leaf,) = args
    constant = f"K{len(namespace)}"
    if leaf is bool:
        return f"{value} is True or {value} is False", None
    if get_origin(leaf) is Literal:
        namespace[constant] = frozenset(get_args(leaf))
        return f"type({value}) is str and {value} in {constant}", None
    if get_origin(leaf) is list and get_origin(get_args(leaf)[0]) is Literal:
        namespace[constant] = frozenset(get_args(get_args(leaf)[0]))
        return f"type({value}) is list and all([type(x) is str and x in {constant} for x in {value}])", None
    if get_origin(leaf) is Annotated and get_args(leaf)[0] in (int, float):
        base, *metadata = get_args(leaf)
        bounds = [item for info in metadata for item in getattr(info, "metadata", [info])]
        low = next(b.ge for b in bounds if hasattr(b, "ge"))
        high = next(b.le for b in bounds if hasattr(b, "le"))
        namespace[constant] = (low, high)
        if base is int:  # strict: a bool or a float is not an int
            return f"type({value}) is int and {constant}[0] <= {value} <= {constant}[1]", None
        # strict float: an int is accepted, and read as a float
        return (
            f"(type({value}) is float or type({value}) is int) and {constant}[0] <= {value} <= {constant}[1]",
            f"float({value})",
        )
    raise TypeError(f"no strict reading for a case fact of type {annotation!r}")


def _fast_reader(model: type[BaseModel]) -> Any:
    """Generate `read(raw)`: the case facts JSON flattened, or None where any doubt arises.

    The generated code parses with orjson and accepts only what the strict model accepts for
    certain: objects with known fields, and leaves of exactly the right JSON type within their
    bounds. Anything else returns None and is left to pydantic, which has the last word on every
    document this reader does not take (see `flat_from_json`).
    """
    namespace: dict[str, Any] = {"loads": orjson.loads, "EMPTY": {}}
    lines = ["def read(raw):", "    document = loads(raw)"]
    items: list[str] = []

    def visit(section: type[BaseModel], local: str, prefix: str) -> None:
        known = f"N{len(namespace)}"
        namespace[known] = frozenset(section.model_fields)
        lines.append(f"    if type({local}) is not dict or not {known}.issuperset({local}): return None")
        for name, field in section.model_fields.items():
            key = f"F{len(namespace)}"
            namespace[key] = name
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                inner = f"s{len(namespace)}"
                lines.append(f"    {inner} = {local}.get({key}, EMPTY)")
                visit(annotation, inner, f"{prefix}{name}.")
                continue
            value = f"v{len(namespace)}"
            test, conversion = _accepts(annotation, value, namespace)
            lines.append(f"    {value} = {local}.get({key})")
            lines.append(f"    if {value} is not None:")
            lines.append(f"        if not ({test}): return None")
            if conversion:
                lines.append(f"        {value} = {conversion}")
            path = f"P{len(namespace)}"
            namespace[path] = f"{prefix}{name}"
            items.append(f"{path}: {value}")

    visit(model, "document", "")
    lines.append("    return {" + ", ".join(items) + "}")
    return define("\n".join(lines), namespace, "read")


_DOCUMENT = TypeAdapter(_as_typed_dict(CaseFacts))
_flat_document = _flattener(_LAYOUT)
_read_fast = _fast_reader(CaseFacts)


def flat_from_json(raw: bytes | str) -> dict[str, Any]:
    """Validate one case-facts JSON document and return it flattened, as `flatten` would.

    Raises the `ValidationError` that `CaseFacts.model_validate_json` raises for the same input.
    Three readers, fastest first, each sure of what it accepts: generated code for documents of
    plainly the right shape, pydantic into plain dicts, and the model itself, whose error is
    the one reported.
    """
    try:
        flat = _read_fast(raw)
    except orjson.JSONDecodeError:
        flat = None
    if flat is not None:
        return _read_conservatively(flat)
    try:
        document = _DOCUMENT.validate_json(raw)
    except ValidationError:
        return flatten(CaseFacts.model_validate_json(raw))  # the model's own error (or result)
    return _read_conservatively(_flat_document(document))
