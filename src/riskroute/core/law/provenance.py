"""What every legal result carries: the rules it used, their citations and how well each is sourced.

The legal tables are YAML data (see `tables/`). This module validates a table once against its
schema, failing loudly with the file name, and collects the rules a calculation relied on so the
result can say which of them a person must re-check before relying on it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from riskroute.core.errors import format_path
from riskroute.core.knowledge import Definition, DefinitionError, Mark, load_bundled, weakest

T = TypeVar("T", bound=BaseModel)


class TableModel(BaseModel):
    """Schema base for table files: a misspelt key is an error, not a silently ignored rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(TableModel):
    """One legal rule as the tables state it: plain words, where it comes from, how sure we are."""

    text: str
    citation: str
    mark: Mark


def load_table(name: str, schema: type[T]) -> tuple[Definition, T]:
    """Load `law/tables/<name>.yaml` and validate it; a malformed table names its file and field."""
    definition = load_bundled(f"law/tables/{name}.yaml")
    body = {k: v for k, v in definition.data.items() if k not in ("id", "version", "title")}
    try:
        return definition, schema.model_validate(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{format_path(err['loc'])}: {err['msg']}" for err in exc.errors(include_url=False)
        )
        raise DefinitionError(f"{definition.path}: malformed legal table: {problems}") from exc


class Provenance:
    """Collects the rules one calculation used, in the order it used them."""

    def __init__(self, definition: Definition) -> None:
        self._definition = definition
        self._used: dict[str, Rule] = {}

    def use(self, rule_id: str, rule: Rule) -> None:
        self._used.setdefault(rule_id, rule)

    @property
    def marks(self) -> list[Mark]:
        return [rule.mark for rule in self._used.values()]

    def summary(self) -> dict[str, Any]:
        """`basis`, `verification` (weakest mark used), `unverified` rules and the table identity."""
        basis: list[str] = []
        for rule in self._used.values():
            if rule.citation not in basis:
                basis.append(rule.citation)
        return {
            "basis": basis,
            "verification": weakest(self.marks).value,
            "unverified": [
                {"rule": rule_id, "mark": rule.mark.value, "citation": rule.citation}
                for rule_id, rule in self._used.items()
                if not rule.mark.is_verified
            ],
            "table": self._definition.identity(),
        }
