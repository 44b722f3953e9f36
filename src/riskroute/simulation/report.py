"""The simulation report: one self-contained HTML file and its PDF.

Self-contained on purpose: the CSS is inline, the charts are embedded as SVG data URIs, the fonts
are the system's, and the PDF renderer (WeasyPrint) is given a fetcher that only accepts `data:`
URLs, so rendering can never reach the network. The report leads with how to read the numbers and
lists every parameter with its support level, unverified ones flagged, before any result.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

import orjson

from riskroute.simulation.charts import draw_all
from riskroute.simulation.metrics import CONTRACT_METRICS
from riskroute.simulation.montecarlo import SimulationResult
from riskroute.simulation.scenario import SOURCED
from riskroute.simulation.sensitivity import Tornado

CSS = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt; color: #0b0c0c;
       max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 18pt; } h2 { font-size: 14pt; margin-top: 1.6rem; border-bottom: 1px solid #b1b4b6; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; font-size: 8.5pt; }
th, td { border: 1px solid #b1b4b6; padding: 2px 5px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.params { table-layout: fixed; font-size: 7pt; }
table.params td { overflow-wrap: anywhere; }
col.name { width: 17%; } col.value { width: 7%; } col.range { width: 10%; }
col.unit { width: 14%; } col.year { width: 7%; } col.support { width: 6%; }
.warn { background: #fff2cc; border-left: 5px solid #f47738; padding: 0.5rem 0.8rem; }
.unverified { background: #fff7e6; }
figure { margin: 1rem 0; page-break-inside: avoid; } figure img { max-width: 100%; }
figcaption { font-size: 8.5pt; color: #505a5f; }
@page { size: A4; margin: 15mm; }
"""

READING = [
    "Read differences, not levels. Capacities, effort per case and backlogs for IIOC work are not "
    "published; they are guesses (support G) calibrated so that capacity roughly matches 2017 demand. "
    "The baseline and policy runs share people, arrivals and service times, so their difference is the "
    "policy's effect under those guesses.",
    "Intervals are 5th-95th percentiles over replications that draw every parameter from its range and "
    "add process noise. They are not confidence intervals for the real world: a range that is wrong, or a "
    "mechanism the model lacks, is not in them.",
    "Who is diverted is decided by the decision core's policy files on synthetic case facts. The facts are "
    "complete; real cases are not, and missing facts keep people on the criminal route.",
    "The model cannot say whether diversion changes the behaviour of people not yet detected, how courts "
    "would reallocate freed capacity, or anything about an individual. Reoffence figures are expectations "
    "from published base rates, which undercount offending.",
]


def _fmt(x: float) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:,.1f}"
    return f"{x:,.3g}"


def _cell(row: dict[str, float]) -> str:
    return (
        f'<td class="num">{_fmt(row["mean"])} <small>±{_fmt(row["mcse"])}</small><br>'
        f"<small>{_fmt(row['p05'])} – {_fmt(row['p95'])}</small></td>"
    )


def _metrics_table(document: dict[str, Any], names: list[str]) -> str:
    rows = []
    for name in names:
        rows.append(
            f"<tr><td>{html.escape(name)}</td>{_cell(document['baseline'][name])}"
            f"{_cell(document['policy_run'][name])}{_cell(document['difference'][name])}</tr>"
        )
    head = (
        f"<tr><th>metric</th><th>baseline ({html.escape(document['baseline_policy'])})</th>"
        f"<th>policy ({html.escape(document['policy'])})</th><th>difference</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _parameters_table(result: SimulationResult) -> str:
    rows = []
    for name, p in result.loaded.scenario.params().items():
        css = "" if p.support in SOURCED else ' class="unverified"'
        note = f"<br><small>{html.escape(p.note)}</small>" if p.note else ""
        rows.append(
            f"<tr{css}><td>{html.escape(name)}</td><td class='num'>{_fmt(p.value)}</td>"
            f"<td class='num'>{_fmt(p.low)} – {_fmt(p.high)}</td><td>{html.escape(p.unit)}</td>"
            f"<td>{html.escape(p.year)}</td><td>{html.escape(p.support)}</td>"
            f"<td>{html.escape(p.source)}{note}</td></tr>"
        )
    columns = ("parameter", "value", "range", "unit", "year", "support", "source")
    widths = "".join(
        f'<col class="{c}">' for c in ("name", "value", "range", "unit", "year", "support", "source")
    )
    head = "<tr>" + "".join(f"<th>{c}</th>" for c in columns) + "</tr>"
    return f'<table class="params"><colgroup>{widths}</colgroup>{head}{"".join(rows)}</table>'


def _blockers_table(blockers: dict[str, float]) -> str:
    if not blockers:
        return "<p>No rule blocked anyone in this group.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(rule)}</td><td class='num'>{share:.0%}</td></tr>"
        for rule, share in blockers.items()
    )
    return f"<table><tr><th>rule</th><th>share blocked</th></tr>{rows}</table>"


def _figure(path: Path, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{html.escape(caption)}" src="data:image/svg+xml;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def render_html(result: SimulationResult, tornado: Tornado | None, charts: dict[str, dict[str, Path]]) -> str:
    document = result.document()
    scenario = result.loaded.scenario
    extra = [n for n in result.metric_names if n not in CONTRACT_METRICS]
    policies = document["policies"]
    figures = [
        _figure(charts["backlogs"]["svg"], "Backlogs over time"),
        _figure(
            charts["time_to_action"]["svg"],
            "Median days from referral to enforcement action, by priority band",
        ),
        _figure(
            charts["reaching_the_dangerous"]["svg"],
            "Contact-risk suspects reached, people reached, child-days at risk, programme wait",
        ),
        _figure(charts["costs"]["svg"], "Public cost by component (2018-19 prices)"),
        _figure(charts["reoffences"]["svg"], "Expected reoffences with 5th-95th percentile intervals"),
    ]
    tornado_html = ""
    if tornado is not None:
        tornado_html = "<h2>Sensitivity (tornado)</h2>" + "".join(
            _figure(charts[f"tornado_{out}"]["svg"], f"One-way sensitivity of the policy effect on {out}")
            for out in tornado.central
        )
    unverified = len(document["unverified_parameters"])
    total = len(scenario.params())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>riskroute simulation: {html.escape(scenario.title)}</title>
<style>{CSS}</style></head><body>
<h1>Capacity and policy simulation: {html.escape(scenario.title)}</h1>
<p>Policy tested: <strong>{html.escape(result.policy_id)}</strong> against
<strong>{html.escape(document["baseline_policy"])}</strong>; {document["replications"]} replications of
{document["years"]:g} years after a warm-up; seed {document["seed"]}.</p>
<div class="warn"><p><strong>{unverified} of {total} parameters are not verified</strong> (support other than
V or D; highlighted below). This is a model for testing an argument, not a forecast.</p>
<ul>{"".join(f"<li>{html.escape(t)}</li>" for t in READING)}</ul></div>
<h2>Results</h2>
<p>Mean ± its Monte Carlo standard error, with the 5th–95th percentile across replications beneath.
Totals are for England &amp; Wales over the measured years; costs in 2018-19 prices.</p>
{_metrics_table(document, list(CONTRACT_METRICS))}
{"".join(figures)}
{tornado_html}
<h2>Why people are not diverted</h2>
<p>Among synthetic people with no recorded contact indicator and no access to children, the share
that each rule of {html.escape(result.policy_id)} blocks (a person may be blocked by several):</p>
{_blockers_table(document["policy_blockers_without_access_or_contact_indicator"])}
<h2>Further metrics and diagnostics</h2>
{_metrics_table(document, extra)}
<h2>Parameters</h2>
{_parameters_table(result)}
<h2>Provenance</h2>
<table>
<tr><th>scenario</th><td>{html.escape(scenario.id)} version {html.escape(scenario.version)},
sha256 {html.escape(result.loaded.sha256)} ({html.escape(result.loaded.origin)})</td></tr>
<tr><th>baseline policy</th><td>{html.escape(str(policies["baseline"]))}</td></tr>
<tr><th>tested policy</th><td>{html.escape(str(policies["policy"]))}</td></tr>
<tr><th>engine</th><td>riskroute.simulation {html.escape(document["engine_version"])}</td></tr>
<tr><th>needs_information share in the synthetic pool</th>
<td>{html.escape(str(document["needs_information_share"]))} (routed to prosecution)</td></tr>
</table>
</body></html>
"""


def write_report(result: SimulationResult, tornado: Tornado | None, directory: Path) -> dict[str, Path]:
    """Charts (SVG, PNG), results.json, report.html and report.pdf in `directory`."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    directory.mkdir(parents=True, exist_ok=True)
    charts = draw_all(result, tornado, directory)
    page = render_html(result, tornado, charts)
    html_path = directory / "report.html"
    html_path.write_text(page, encoding="utf-8")
    pdf_path = directory / "report.pdf"
    HTML(string=page, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(pdf_path)
    json_path = directory / "results.json"
    json_path.write_bytes(orjson.dumps(result.document(), option=orjson.OPT_INDENT_2))
    return {"html": html_path, "pdf": pdf_path, "json": json_path}
