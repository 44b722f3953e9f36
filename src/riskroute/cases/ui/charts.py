"""Server-rendered bar charts for the dashboard: SVG geometry computed here, no JavaScript.

Each series gets its own small chart (one bar per month) so that no reader has to tell six
colours apart; every chart carries a text alternative and the same numbers are in a table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

SERIES_LABELS = {
    "referrals": "Referrals received",
    "arrests": "Arrests",
    "children_safeguarded": "Children safeguarded",
    "diversions": "Diversions (conditional cautions signed)",
    "charges": "Charges",
    "breaches": "Breaches without reasonable excuse",
}
SERIES_CLASSES = {
    "referrals": "referrals",
    "arrests": "arrests",
    "children_safeguarded": "safeguarded",
    "diversions": "diversions",
    "charges": "charges",
    "breaches": "breaches",
}
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 480, 180, 32, 28, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    month: str
    label_x: float


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    css: str
    bars: list[Bar]
    maximum: int
    total: int
    summary: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM
    top: int = TOP


def month_label(key: str) -> str:
    """'2026-03' -> 'Mar 26'."""
    return dt.date.fromisoformat(f"{key}-01").strftime("%b %y")


def bar_charts(data: dict[str, Any]) -> list[Chart]:
    months: list[str] = data["months"]
    charts = []
    plot_width = WIDTH - LEFT - 8
    plot_height = HEIGHT - BOTTOM - TOP
    slot = plot_width / max(1, len(months))
    for key, values in data["series"].items():
        maximum = max([*values, 1])
        bars = []
        for index, (month, value) in enumerate(zip(months, values, strict=True)):
            height = plot_height * value / maximum
            x = LEFT + index * slot + slot * 0.15
            bars.append(
                Bar(
                    x=round(x, 1),
                    y=round(HEIGHT - BOTTOM - height, 1),
                    width=round(slot * 0.7, 1),
                    height=round(height, 1),
                    value=value,
                    month=month_label(month),
                    label_x=round(x + slot * 0.35, 1),
                )
            )
        total = sum(values)
        peak = max(values) if values else 0
        summary = (
            f"{SERIES_LABELS.get(key, key)}: {total} in {len(months)} months"
            + (f", most in {bars[values.index(peak)].month} ({peak})" if peak else "")
            + "."
        )
        charts.append(
            Chart(
                key, SERIES_LABELS.get(key, key), SERIES_CLASSES.get(key, key), bars, maximum, total, summary
            )
        )
    return charts
