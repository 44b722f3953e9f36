"""Charts of a simulation result, as SVG (for the HTML and PDF report) and PNG.

matplotlib's Agg backend only: no display, no network, deterministic files (fixed SVG hash salt,
no date metadata), so the same result draws the same bytes. Every chart shows intervals, because
a mean alone would overstate what the model knows.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from riskroute.simulation.cohort import BANDS
from riskroute.simulation.metrics import COST_PARTS
from riskroute.simulation.montecarlo import SimulationResult
from riskroute.simulation.sensitivity import Tornado

plt.rcParams.update(
    {"svg.hashsalt": "riskroute", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
)

BASE_COLOUR, POLICY_COLOUR = "#4c6a92", "#c0762c"
BACKLOGS = (
    ("enforcement_backlog", "Referrals awaiting enforcement action"),
    ("forensic_backlog_devices", "Devices awaiting examination"),
    ("court_backlog", "Cases outstanding at court"),
)


def _save(fig: Figure, directory: Path, name: str) -> dict[str, Path]:
    svg, png = directory / f"{name}.svg", directory / f"{name}.png"
    fig.savefig(svg, format="svg", metadata={"Date": None}, bbox_inches="tight")
    fig.savefig(png, format="png", dpi=150, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return {"svg": svg, "png": png}


def backlogs(result: SimulationResult, directory: Path) -> dict[str, Path]:
    fig, axes = plt.subplots(1, len(BACKLOGS), figsize=(10, 3.2))
    warmup = result.replications[0].params["model.warmup_months"]
    for ax, (key, title) in zip(axes, BACKLOGS, strict=True):
        for run, label, colour in (
            ("baseline", "baseline", BASE_COLOUR),
            ("policy", result.policy_id, POLICY_COLOUR),
        ):
            s = result.series(run, key)
            months = np.arange(len(s["mean"]))
            ax.plot(months, s["mean"], color=colour, label=label)
            ax.fill_between(months, s["p05"], s["p95"], color=colour, alpha=0.2, linewidth=0)
        ax.axvline(warmup, color="grey", linestyle=":", linewidth=1)
        ax.set_title(title)
        ax.set_xlabel("month (dotted: end of warm-up)")
        ax.set_ylim(bottom=0)
    axes[0].legend(frameon=False)
    fig.suptitle("Backlogs over time, England & Wales (mean, band = 5th-95th percentile)")
    return _save(fig, directory, "backlogs")


def _interval(result: SimulationResult, run: str, metric: str) -> tuple[float, float, float]:
    row = result.table(run)[metric]
    return row["mean"], row["mean"] - row["p05"], row["p95"] - row["mean"]


def _paired_bars(ax: Axes, result: SimulationResult, metrics: list[str], labels: list[str]) -> None:
    x = np.arange(len(metrics))
    for offset, run, label, colour in (
        (-0.2, "baseline", "baseline", BASE_COLOUR),
        (0.2, "policy_run", result.policy_id, POLICY_COLOUR),
    ):
        values = [_interval(result, run, m) for m in metrics]
        ax.bar(
            x + offset,
            [v[0] for v in values],
            width=0.4,
            color=colour,
            label=label,
            yerr=np.array([[v[1] for v in values], [v[2] for v in values]]),
            capsize=3,
        )
    ax.set_xticks(x, labels)
    ax.legend(frameon=False)


def _mostly_censored(result: SimulationResult, metric: str) -> bool:
    return any(result.table(run)[f"{metric}_censored"]["mean"] > 0.5 for run in ("baseline", "policy_run"))


def time_to_action(result: SimulationResult, directory: Path) -> dict[str, Path]:
    fig, ax = plt.subplots(figsize=(6, 3.2))
    metrics = [f"days_referral_to_action_median_{b}" for b in BANDS]
    # A band whose median is censored in most replications is a lower bound: label it "at least".
    labels = [
        b.replace("_", " ") + ("\n(at least)" if _mostly_censored(result, m) else "")
        for b, m in zip(BANDS, metrics, strict=True)
    ]
    _paired_bars(ax, result, metrics, labels)
    for k, target in enumerate(result.pool.target_days):
        ax.hlines(target, k - 0.45, k + 0.45, colors="black", linestyles="--", linewidth=1)
    ax.plot([], [], color="black", linestyle="--", linewidth=1, label="target for the band")
    ax.legend(frameon=False)
    ax.set_ylabel("median days, referral to enforcement action")
    ax.set_title("Time to action by the band graded at referral")
    return _save(fig, directory, "time_to_action")


def reaching_the_dangerous(result: SimulationResult, directory: Path) -> dict[str, Path]:
    """The metrics of the policy's claim: contact-risk suspects reached sooner, more people
    reached, fewer child-days at risk; and the programme wait that diversion depends on."""
    panels = (
        (
            "days_to_action_contact_risk_median",
            "days to action,\ncontact risk or access",
            result.pool.target_days[1],
        ),
        ("people_reached_per_month", "people reached\nper month", None),
        ("child_days_at_risk", "child-days at risk\n(millions)", None),
        ("programme_wait_days_median", "days waiting for\na programme place", None),
    )
    fig, axes = plt.subplots(1, len(panels), figsize=(11, 3.2))
    for ax, (metric, label, target) in zip(axes, panels, strict=True):
        divisor = 1e6 if metric == "child_days_at_risk" else 1.0
        for offset, run, colour in ((-0.2, "baseline", BASE_COLOUR), (0.2, "policy_run", POLICY_COLOUR)):
            mean, below, above = (v / divisor for v in _interval(result, run, metric))
            ax.bar(offset, mean, width=0.4, color=colour, yerr=[[below], [above]], capsize=3)
        if target is not None:
            ax.axhline(
                target, color="black", linestyle="--", linewidth=1, label=f"{target:g}-day target (high band)"
            )
            ax.legend(frameon=False, fontsize=7)
        ax.set_xticks([-0.2, 0.2], ["baseline", result.policy_id], fontsize=7)
        ax.set_title(label, fontsize=8)
    fig.suptitle("Reaching the dangerous sooner? (mean, bars = 5th-95th percentile)")
    return _save(fig, directory, "reaching_the_dangerous")


def costs(result: SimulationResult, directory: Path) -> dict[str, Path]:
    fig, ax = plt.subplots(figsize=(6, 3.6))
    runs = (("baseline", "baseline"), ("policy_run", result.policy_id))
    bottoms = np.zeros(len(runs))
    colours = plt.get_cmap("tab10")
    for k, part in enumerate(COST_PARTS):
        heights = np.array([result.table(run)[part]["mean"] / 1e6 for run, _ in runs])
        ax.bar(
            [label for _, label in runs],
            heights,
            bottom=bottoms,
            color=colours(k),
            label=part.removeprefix("cost_"),
        )
        bottoms += heights
    ax.set_ylabel("GBP million over the measured years (mean)")
    ax.set_title("Public cost by component")
    ax.legend(frameon=False, fontsize=7, loc="center left", bbox_to_anchor=(1, 0.5))
    return _save(fig, directory, "costs")


def reoffences(result: SimulationResult, directory: Path) -> dict[str, Path]:
    fig, ax = plt.subplots(figsize=(6, 3.2))
    _paired_bars(
        ax,
        result,
        ["expected_sexual_reoffences", "expected_contact_reoffences"],
        ["sexual (any)", "contact sexual"],
    )
    ax.set_ylabel("expected reoffences by the cohort")
    ax.set_title("Expected reoffences (mean, bars = 5th-95th percentile)")
    return _save(fig, directory, "reoffences")


def tornado_chart(tornado: Tornado, output: str, directory: Path) -> dict[str, Path]:
    swings = sorted(tornado.swings, key=lambda s: abs(s.at_high[output] - s.at_low[output]))
    centre = tornado.central[output]
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(swings) + 1.2))
    y = np.arange(len(swings))
    low = [s.at_low[output] - centre for s in swings]
    high = [s.at_high[output] - centre for s in swings]
    # Error bars: ±2 Monte Carlo standard errors of each end's mean (a bar inside them is noise).
    low_err = [2 * s.mcse_low[output] for s in swings]
    high_err = [2 * s.mcse_high[output] for s in swings]
    ax.barh(y, low, left=centre, color=BASE_COLOUR, label="parameter at low end", xerr=low_err, capsize=2)
    ax.barh(
        y, high, left=centre, color=POLICY_COLOUR, label="parameter at high end", xerr=high_err, capsize=2
    )
    ax.axvline(centre, color="black", linewidth=0.8)
    ax.set_yticks(y, [s.parameter for s in swings])
    ax.set_xlabel(f"policy - baseline: {output} (centre = all parameters central)")
    ax.set_title(
        f"Sensitivity of the policy effect on {output}\n"
        f"({tornado.replications} seeded runs per bar; error bars ±2 MCSE)"
    )
    ax.legend(frameon=False, fontsize=7)
    return _save(fig, directory, f"tornado_{output}")


def draw_all(
    result: SimulationResult, tornado: Tornado | None, directory: Path
) -> dict[str, dict[str, Path]]:
    """Every chart of the report, by name."""
    directory.mkdir(parents=True, exist_ok=True)
    charts = {
        "backlogs": backlogs(result, directory),
        "time_to_action": time_to_action(result, directory),
        "reaching_the_dangerous": reaching_the_dangerous(result, directory),
        "costs": costs(result, directory),
        "reoffences": reoffences(result, directory),
    }
    if tornado is not None:
        for output in tornado.central:
            charts[f"tornado_{output}"] = tornado_chart(tornado, output, directory)
    return charts
