"""Reading case-facts JSON straight into flat facts: the batch path's validation.

`flat_from_json(raw)` gives what `flatten(CaseFacts.model_validate_json(raw))` gives, and raises
the same error, without building the models (decision 0006). Generated code (orjson, then exact
type and range checks) takes documents plainly of the right shape; anything it doubts goes to the
model itself, which has the last word and whose error is the one reported. `CaseFacts` stays the
one definition: the generated reader is derived from it, and the import fails if a field has a
type the reader does not know.
"""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import orjson
from pydantic import BaseModel

from riskroute.core.codegen import define
from riskroute.core.facts import CaseFacts, flatten, inconsistencies, read_conservatively
from riskroute.core.strict_json import check_unique_keys


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
    """Generate `read(raw)`: (the case facts JSON flattened, the number of keys it read), or None
    where any doubt arises.

    The generated code parses with orjson and accepts only what the strict model accepts for
    certain: objects with known fields, and leaves of exactly the right JSON type within their
    bounds. Anything else returns None and is left to the model, which has the last word on every
    document this reader does not take (see `flat_from_json`). The key count lets the caller see
    a key given twice, which orjson would silently resolve to its last value.
    """
    namespace: dict[str, Any] = {"loads": orjson.loads, "EMPTY": {}}
    lines = ["def read(raw):", "    document = loads(raw)"]
    items: list[str] = []
    objects = ["document"]

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
                objects.append(inner)
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
    keys = " + ".join(f"len({name})" for name in objects)
    lines.append("    return {" + ", ".join(items) + "}, " + keys)
    return define("\n".join(lines), namespace, "read")


_read_fast = _fast_reader(CaseFacts)


def flat_from_json(raw: bytes | str) -> dict[str, Any]:
    """Validate one case-facts JSON document and return it flattened, as `flatten` would.

    Raises `InvalidInput` for a key given twice in one object, else the `ValidationError` that
    `CaseFacts.model_validate_json` raises for the same input (inconsistent facts included).
    """
    try:
        read = _read_fast(raw)
    except orjson.JSONDecodeError:
        read = None
    # In a document the fast reader accepts, every key is known and every string value is an
    # enumerated word, so the only colons are those after keys: one fewer key than colons means a
    # key was given twice. Such documents, and inconsistent ones, go to the slow path for the error.
    colons = raw.count(b":") if isinstance(raw, bytes) else raw.count(":")
    if read is None or read[1] != colons or inconsistencies(read[0]):
        check_unique_keys(raw)
        return flatten(CaseFacts.model_validate_json(raw))  # the model's own result, or its error
    return read_conservatively(read[0])
