"""Risk instruments as versioned data, evaluated by one generic engine (see `engine.py`).

Public API:
- `score(instrument_id, raw_json)`: validate an instrument's own input document and score it;
- `priority(facts)`: the pre-arrest prioritisation of a case-facts document;
- `get_instrument(instrument_id)` / `load_instrument(path)`: the compiled definitions.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from riskroute.core.facts import CaseFacts, flatten
from riskroute.core.instruments.engine import LEVELS, Instrument
from riskroute.core.knowledge import DefinitionError, load_bundled, load_definition
from riskroute.core.results import InstrumentResult

__all__ = [
    "INSTRUMENT_IDS",
    "LEVELS",
    "Instrument",
    "get_instrument",
    "load_instrument",
    "priority",
    "require_method",
    "score",
]

_FILES = {
    "cport": "cport.yaml",
    "casic": "casic.yaml",
    "osp-dc": "osp_dc.yaml",
    "osp-iic": "osp_iic.yaml",
    "priority": "priority.yaml",
}
INSTRUMENT_IDS: tuple[str, ...] = tuple(_FILES)

#: A force holding its own (for example licensed) prioritisation tree points this at its file.
PRIORITY_TREE_ENV = "RISKROUTE_PRIORITY_TREE"


def load_instrument(path: Path) -> Instrument:
    """Compile an instrument definition from any file (a force's own tree, a test fixture)."""
    return Instrument(load_definition(path))


@cache
def get_instrument(instrument_id: str) -> Instrument:
    """The bundled definition, or for `priority` the force's own tree if RISKROUTE_PRIORITY_TREE is set."""
    if instrument_id not in _FILES:
        raise KeyError(f"unknown instrument {instrument_id!r}; known: {', '.join(_FILES)}")
    if instrument_id == "priority" and os.environ.get(PRIORITY_TREE_ENV):
        return require_method(load_instrument(Path(os.environ[PRIORITY_TREE_ENV])), "tree")
    return Instrument(load_bundled(f"instruments/definitions/{_FILES[instrument_id]}"))


def require_method(instrument: Instrument, method: str) -> Instrument:
    """A file standing in for a bundled instrument must work the same way (a force's priority file
    must be a tree): otherwise a configuration slip would surface as errors blamed on the input."""
    if instrument.spec.method != method:
        raise DefinitionError(
            f"{instrument.definition.path}: method {instrument.spec.method!r} cannot stand in for "
            f"an instrument of method {method!r}"
        )
    return instrument


def score(instrument_id: str, raw: bytes, instrument: Instrument | None = None) -> InstrumentResult:
    """Validate and score one input document (raises `InvalidInput` with field paths)."""
    chosen = instrument or get_instrument(instrument_id)
    return chosen.evaluate(chosen.validate_json(raw))


def priority(facts: CaseFacts) -> InstrumentResult:
    """Pre-arrest prioritisation: band, target days to enforcement action, and the rules that fired."""
    return get_instrument("priority").evaluate(flatten(facts))
