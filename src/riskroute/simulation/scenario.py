"""Scenario files: every input of the model with its value, plausible range, unit, year, source and
support level.

A scenario is data, not code, for the same reason the policies are: an analyst must be able to see
and challenge every number. Each parameter is a `Param`; the model samples it from a triangular
distribution over [low, high] with the mode at `value`, so the stated range is what drives the
uncertainty bands. A parameter with `low == high` is held fixed.

Support levels are the marks of the project's research notes, never upgraded: `V` stated in the
cited source, `V-sec` only in a secondary source, `D` derived by arithmetic from V figures, `R`
recalled, `G` a modelling guess, `Seed` stated in the founding documents, and `model` for a
modelling choice that no source can fix (scale, warm-up, follow-up window).
"""

from __future__ import annotations

import hashlib
import math
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from riskroute.core.errors import ErrorDetail, InvalidInput, from_validation_error

Support = Literal["V", "V-sec", "D", "R", "G", "Seed", "model"]

#: Support levels a reader may treat as sourced; everything else is flagged as unverified.
SOURCED: frozenset[str] = frozenset({"V", "D"})

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Param(_Strict):
    """One model input. `value` is the central estimate; `low`–`high` its plausible range."""

    value: float
    low: float
    high: float
    unit: str = Field(min_length=1)
    year: str = Field(min_length=1)
    source: str = Field(min_length=1)
    support: Support
    note: str = ""
    #: Dotted name of the `prices.*` inflator that brings this cost to the scenario's price year.
    inflate_with: str = ""

    @model_validator(mode="after")
    def _range_holds_value(self) -> Param:
        if not self.low <= self.value <= self.high:
            raise ValueError(f"value {self.value} must lie within [low {self.low}, high {self.high}]")
        return self


class NonNegative(Param):
    @model_validator(mode="after")
    def _non_negative(self) -> NonNegative:
        if self.low < 0:
            raise ValueError("must not be negative (low < 0)")
        return self


class Positive(Param):
    @model_validator(mode="after")
    def _positive(self) -> Positive:
        if self.low <= 0:
            raise ValueError("must be positive (low <= 0)")
        return self


class Share(Param):
    @model_validator(mode="after")
    def _is_share(self) -> Share:
        if self.low < 0 or self.high > 1:
            raise ValueError("a share must lie within [0, 1]")
        return self


class PositiveShare(Share):
    """A share that divides something, so it must not reach zero."""

    @model_validator(mode="after")
    def _positive(self) -> PositiveShare:
        if self.low <= 0:
            raise ValueError("must be more than 0 (low <= 0)")
        return self


class Switch(Param):
    """A modelling switch: fixed at 0 or 1 (no range, so no replication draws it differently)."""

    @model_validator(mode="after")
    def _is_switch(self) -> Switch:
        if self.value not in (0, 1) or self.low != self.value or self.high != self.value:
            raise ValueError("a switch is fixed at 0 or 1 (value = low = high)")
        return self


class Arrivals(_Strict):
    arrests_per_month: Positive
    annual_growth: Param
    children_safeguarded_per_arrest: NonNegative
    referrals_per_month: Positive
    referral_growth: Param


class Cohort(_Strict):
    contact_risk_share: Share
    assessment_detects_contact_risk: Share
    access_to_children_share: Share
    admits_offence_share: Share
    distribution_share: Share
    production_share: Share
    category_a_share: Share
    category_b_share: Share
    prior_criminal_history_share: Share
    prior_sexual_sanction_share: Share
    sufficient_evidence_share: Share
    consents_to_caution_share: Share


class Banding(_Strict):
    """How much of the full facts the investigator can see when grading a referral."""

    access_seen_at_referral: Share
    contact_indicator_seen_at_referral: Share


class Enforcement(_Strict):
    capacity_limited: Switch
    proactive_share: Share
    investigators: Positive
    working_days_per_year: Positive
    warrant_to_arrest: PositiveShare
    investigator_days_per_warrant: Positive
    investigator_days_per_prosecution_file: Positive
    investigator_days_per_caution: Positive
    initial_backlog: NonNegative


class Forensics(_Strict):
    examiners: Positive
    devices_per_case: Positive
    examiner_days_per_device: Positive
    diverted_exam_fraction: Share
    initial_backlog: NonNegative


class Charging(_Strict):
    lawyers: Positive
    lawyer_days_per_file: Positive
    charge_share: Share
    caution_share: Share  # taken from the files not charged (capped at 1 - charge_share)


class Diversion(_Strict):
    programme_places: Positive
    programme_months: Positive
    completion_share: Share


class Courts(_Strict):
    crown_share: Share
    crown_slots: Positive
    crown_days: Positive
    magistrates_slots: Positive
    magistrates_days: Positive
    initial_backlog_crown: NonNegative
    initial_backlog_magistrates: NonNegative


class Sentencing(_Strict):
    conviction_share: Share
    custody_share: Share
    suspended_share_of_non_custody: Share
    suspended_months_mean: Positive
    custody_months_mean: Positive
    fraction_served: Share


class Reoffending(_Strict):
    sexual_rate: Share
    contact_rate: Share
    contact_risk_relative_risk: Positive
    treatment_effect: Param  # may be negative: a programme can make things worse
    followup_years: Positive


class Costs(_Strict):
    investigator_day: NonNegative
    forensic_device: NonNegative
    cps_crown: NonNegative
    cps_magistrates: NonNegative
    court_crown: NonNegative
    court_magistrates: NonNegative
    prison_place_year: NonNegative
    community_order: NonNegative
    programme_participant: NonNegative
    registered_person_year: NonNegative
    harm_sexual_reoffence: NonNegative
    harm_contact_reoffence: NonNegative


class Prices(_Strict):
    """Inflators that bring costs of other years to the scenario's one price year."""

    inflator_2000_01: Positive
    inflator_2011_12: Positive
    inflator_2015_16: Positive
    inflator_2016_17: Positive


class ModelChoices(_Strict):
    scale: PositiveShare
    warmup_months: NonNegative
    capacity_growth: Param


class Parameters(_Strict):
    arrivals: Arrivals
    cohort: Cohort
    banding: Banding
    enforcement: Enforcement
    forensics: Forensics
    charging: Charging
    diversion: Diversion
    courts: Courts
    sentencing: Sentencing
    reoffending: Reoffending
    costs: Costs
    prices: Prices
    model: ModelChoices

    @model_validator(mode="after")
    def _inflators_exist(self) -> Parameters:
        for name in Costs.model_fields:
            target = getattr(self.costs, name).inflate_with
            group, _, field = target.partition(".")
            if target and (group != "prices" or field not in Prices.model_fields):
                raise ValueError(f"costs.{name}.inflate_with: {target!r} is not a prices.* parameter")
        return self


class Scenario(_Strict):
    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    start_year: int
    parameters: Parameters

    def params(self) -> dict[str, Param]:
        """Every parameter by dotted name (`forensics.examiners`), in file order."""
        out: dict[str, Param] = {}
        for group_name in Parameters.model_fields:
            group = getattr(self.parameters, group_name)
            for name in type(group).model_fields:
                out[f"{group_name}.{name}"] = getattr(group, name)
        return out

    def central(self) -> dict[str, float]:
        """The central value of every parameter."""
        return {name: p.value for name, p in self.params().items()}

    def sample(self, rng: np.random.Generator) -> dict[str, float]:
        """One draw of every parameter from its triangular(low, value, high) distribution.

        Parameters are drawn in file order from `rng`, one uniform each (fixed ones included),
        so a replication's draw depends only on its own stream.
        """
        params = self.params()
        uniforms = rng.random(len(params))
        return {
            name: _triangular_quantile(p, float(u))
            for (name, p), u in zip(params.items(), uniforms, strict=True)
        }

    def price_factors(self, params: dict[str, float]) -> dict[str, float]:
        """For each cost with an inflator, the factor to its price year under this draw."""
        return {name: params[p.inflate_with] for name, p in self.params().items() if p.inflate_with}

    def unverified(self) -> list[str]:
        """Names of the parameters whose support is weaker than V or D (shown in every output)."""
        return [name for name, p in self.params().items() if p.support not in SOURCED]


def parse_overrides(scenario: Scenario, assignments: list[str]) -> dict[str, float]:
    """`PATH=VALUE` strings (the CLI's `--set`) to fixed values, each checked like the file's own.

    PATH is the parameter's dotted path as written in the scenario file (`enforcement.investigators`,
    optionally with a leading `parameters.`). The value is validated by the parameter's own type
    (a share stays within [0, 1], a capacity stays positive, a switch is 0 or 1); an unknown path
    or a bad value is InvalidInput naming it.
    """
    params = scenario.params()
    out: dict[str, float] = {}
    details: list[ErrorDetail] = []
    for assignment in assignments:
        path, sep, raw = assignment.partition("=")
        name = path.strip().removeprefix("parameters.")
        if not sep or not name:
            details.append({"path": "--set", "message": f"expected PATH=VALUE, got {assignment!r}"})
            continue
        if name not in params:
            details.append({"path": name, "message": f"--set: no scenario parameter {name!r}"})
            continue
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            details.append({"path": name, "message": f"--set: {raw.strip()!r} is not a finite number"})
            continue
        param = params[name]
        try:
            type(param).model_validate(param.model_dump() | {"value": value, "low": value, "high": value})
        except ValidationError as exc:
            reason = "; ".join(str(e["msg"]) for e in exc.errors())
            details.append({"path": name, "message": f"--set: {value:g} is not allowed: {reason}"})
            continue
        if name in out:
            details.append({"path": name, "message": "--set: given twice"})
        out[name] = value
    if details:
        raise InvalidInput(details)
    return out


def _triangular_quantile(p: Param, u: float) -> float:
    """Inverse CDF of the triangular distribution (exact, so a draw is one uniform)."""
    low, mode, high = p.low, p.value, p.high
    if high == low:
        return low
    cut = (mode - low) / (high - low)
    if u < cut:
        return float(low + np.sqrt(u * (high - low) * (mode - low)))
    return float(high - np.sqrt((1 - u) * (high - low) * (high - mode)))


class LoadedScenario(_Strict):
    """A validated scenario with the identity of the exact bytes it came from."""

    scenario: Scenario
    sha256: str
    origin: str


def bundled_ids() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def parse_scenario(raw: bytes, origin: str) -> LoadedScenario:
    """Validate scenario YAML; every fault becomes InvalidInput naming the field path."""
    try:
        data: Any = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise InvalidInput([{"path": "$", "message": f"not valid YAML: {exc}".replace("\n", " ")}]) from exc
    if not isinstance(data, dict):
        raise InvalidInput([{"path": "$", "message": "a scenario must be a YAML mapping"}])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc) from exc
    return LoadedScenario(scenario=scenario, sha256=hashlib.sha256(raw).hexdigest(), origin=origin)


@cache
def _load_bundled(scenario_id: str) -> LoadedScenario:
    path = SCENARIO_DIR / f"{scenario_id}.yaml"
    return parse_scenario(path.read_bytes(), origin=f"bundled:{scenario_id}")


def load_scenario(ref: str) -> LoadedScenario:
    """A bundled scenario id (`england-wales-2017`) or a path to a YAML file."""
    if ref in bundled_ids():
        return _load_bundled(ref)
    path = Path(ref)
    if not path.is_file():
        known = ", ".join(bundled_ids())
        raise InvalidInput(
            [{"path": "scenario", "message": f"no bundled scenario or file {ref!r} (bundled: {known})"}]
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput([{"path": "scenario", "message": f"cannot read {ref}: {exc.strerror}"}]) from exc
    return parse_scenario(raw, origin=str(path))
