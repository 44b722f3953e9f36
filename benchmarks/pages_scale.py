"""Page times at N synthetic cases on PostgreSQL, against a bare Django template view (issue 13).

What it does, all on this machine:
1. creates a throwaway PostgreSQL database on 127.0.0.1:5432 and migrates it;
2. creates one force and unit, a supervisor and an investigator, and imports N synthetic
   referrals through the import path itself (`cases.intake.import_referrals`, as
   `riskroute import referrals` does, as the supervisor, a chunk of lines at a time): every
   case encrypted, prioritised by the core, logged in the s.62 audit and counted in the
   dashboard's monthly counts, as in service; one case in twenty assigned to the investigator;
   received dates spread over 400 days; then adds a history of 200 events to one case, checks
   that the kept monthly counts equal a recount, and `VACUUM ANALYZE`s, as autovacuum would
   after a load;
3. times each page through the Django test client in-process (the full middleware stack, no
   network), interleaved round by round with a bare view rendering a 20-row table through the
   same stack, so both see the same machine load;
4. runs `EXPLAIN ANALYZE` on the queries of the team worklist's first page and of the dashboard;
5. drops the database and writes p50/p95, the throughput ratio to the bare view and the plans
   between the `pages` markers of docs/benchmarks.md.

    PYTHONPATH=src python benchmarks/pages_scale.py [--cases 2000] [--rounds 15] [--no-doc]

The machine is shared: keep N and the rounds small while developing (the import takes about
4 ms a case, so 100,000 cases take several minutes). One client, so a page's throughput ratio
is the bare view's median time over the page's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from django.db.models import Count
from synthetic_facts import referral_facts

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- pages:begin -->", "<!-- pages:end -->"
SERVER = os.environ.get("RISKROUTE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
BANDS = ("very_high", "high", "medium", "low")
TARGET_DAYS = {"very_high": 1, "high": 7, "medium": 30, "low": 90}
BARE_TEMPLATE = (
    "<table>{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1 }}</td>"
    "<td>{{ row.2 }}</td></tr>{% endfor %}</table>"
)


def bare(request: Any) -> Any:
    """The reference: a Django view rendering a 20-row table, no database read of its own."""
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string(BARE_TEMPLATE)
    rows = [(n, f"Row {n}", "2026-01-01") for n in range(20)]
    return HttpResponse(template.render({"rows": rows}, request))


def _urls() -> list[Any]:
    from django.urls import path

    from riskroute.web.urls import urlpatterns as site

    return [path("bench/bare/", bare), *site]


urlpatterns: list[Any] = []  # filled in `main` once Django is set up (this module is ROOT_URLCONF)


def _setup(database_url: str, data_dir: str) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        RISKROUTE_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="riskroute.web.settings",
        RISKROUTE_REQUIRE_MFA="0",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    from django.conf import settings

    from riskroute.cli.io import django_setup

    django_setup()  # the service's start-up: the data directory and its secret key, then Django
    settings.ROOT_URLCONF = __name__
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MFA_REQUIRED = False
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    urlpatterns.extend(_urls())


#: Referrals imported in one call of the import (each line is still its own transaction).
CHUNK = 1000


def referral_lines(n: int, investigator_id: int, seed: int = 2017) -> list[str]:
    """N synthetic import lines, each a new person: facts mixed so that the core gives every band,
    received dates over the last 400 days, one case in twenty assigned to the investigator."""
    rng = random.Random(seed)
    today = dt.date.today()
    lines = []
    for i in range(n):
        facts = referral_facts(rng, contact=0.1, sharing=0.25, no_access=0.35)
        document = {
            "external_reference": f"PAGES-{i:07d}",
            "source": "nca_ceop",
            "received_on": (today - dt.timedelta(days=i % 400)).isoformat(),
            "summary": f"Synthetic referral {i} for a scale benchmark.",
            "suspected_activities": ["possession"],
            "subject": {
                "full_name": f"Synthetic Person {i:07d}",
                "date_of_birth": (dt.date(1960, 1, 1) + dt.timedelta(days=i % 12000)).isoformat(),
                "address": f"{i} Example Road, Testtown",
            },
            "facts": facts,
            **({"assigned_to_id": investigator_id} if i % 20 == 0 else {}),
        }
        lines.append(json.dumps(document))
    return lines


def _load(n: int) -> dict[str, Any]:
    """The force, its two users and N cases imported through the import path; returns the users,
    the long-history case and what the import did."""
    from riskroute.accounts.models import Force, Rank, Role, Unit, User
    from riskroute.cases import monthly_counts
    from riskroute.cases.intake import import_referrals
    from riskroute.cases.models import Case, CaseEvent

    force = Force.objects.create(code="synthetic", name="Synthetic Constabulary")
    unit = Unit.objects.create(force=force, name="Online Child Abuse Team")
    sup = User.objects.create_user(
        "bench_sup", password="x", force=force, unit=unit, roles=[Role.SUPERVISOR], rank=Rank.SERGEANT
    )
    inv = User.objects.create_user(
        "bench_inv", password="x", force=force, unit=unit, roles=[Role.INVESTIGATOR]
    )
    lines = referral_lines(n, inv.pk)
    imported = 0
    for start in range(0, n, CHUNK):
        summary = import_referrals(sup, "\n".join(lines[start : start + CHUNK]) + "\n")
        assert not summary.errors, summary.errors[:3]
        imported += summary.imported
        if (start // CHUNK) % 10 == 9:
            print(f"imported {imported:,} of {n:,}", file=sys.stderr, flush=True)
    long = Case.objects.order_by("pk").first()
    assert long is not None
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=long,
            actor=sup,
            action="update_facts",
            from_state="referral",
            to_state="referral",
            version=1,
            summary=f"Synthetic history entry {k}",
        )
        for k in range(200)
    )
    bands = dict(Case.objects.order_by().values_list("priority_band").annotate(n=Count("pk")))
    return {
        "sup": sup,
        "inv": inv,
        "long": long,
        "imported": imported,
        "bands": bands,
        "counts_kept": monthly_counts.stored() == monthly_counts.recount() and _states_kept(),
    }


def _states_kept() -> bool:
    """Whether the cases by state the triggers kept equal a count of the cases."""
    from riskroute.cases.models import Case, StateCount

    kept = set(StateCount.objects.exclude(count=0).values_list("force_id", "state", "count"))
    counted = Case.objects.order_by().values_list("force_id", "state").annotate(n=Count("pk"))
    return kept == set(counted)


def _client(user: Any, case_id: int | None = None) -> Any:
    from django.test import Client

    from riskroute.audit import remember_justification

    client = Client()
    client.force_login(user, backend="riskroute.accounts.backends.DemoAwareModelBackend")
    if case_id is not None:
        session = client.session
        remember_justification(session, "case", case_id, "Synthetic benchmark: timing the case page")
        session.save()
    return client


#: The deep page timed: a cursor this many pages in (keyset pages cost the same wherever they are).
DEEP_PAGE = 20
#: Rows on a worklist page (`queries.PAGE_SIZE`, not imported: Django is set up later).
PAGE_ROWS = 50


def _deep_cursor(user: Any, pages: int) -> str | None:
    """The cursor of the page after `pages` pages of the team worklist (read, not timed)."""
    from riskroute.cases import queries

    cursor = None
    for _ in range(pages):
        cursor = queries.team_worklist(user, None, cursor).next_cursor
    return cursor


def explain(read: Callable[[], Any], names: str) -> str:
    """`EXPLAIN ANALYZE` of each query of `read()` whose SQL holds `names` (a quoted table name,
    or the start of one)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        read()
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if names not in sql or not sql.startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return "\n\n".join(plans)


def _timed(get: Callable[[], Any]) -> tuple[float, int]:
    started = time.perf_counter()
    response = get()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed, len(response.content)


def measure(n: int, rounds: int) -> dict[str, Any]:
    from django.db import connection

    from riskroute.cases import queries

    started = time.perf_counter()
    world = _load(n)
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        # What autovacuum does after a load (the import inserts and then updates every case, so
        # the table holds a dead row version for each); the plans depend on it.
        cursor.execute("VACUUM ANALYZE")
        # And a checkpoint, as the server makes every few minutes: otherwise the load's dirty pages
        # are written out while the pages are timed (a run had p95 spikes of 100-170 ms).
        cursor.execute("CHECKPOINT")
    # The objects the load made are not part of a serving process: move them out of the
    # collector's way, or its full passes over them land on whichever page happens to run then.
    gc.collect()
    gc.freeze()
    long = world["long"].pk
    sup, inv = _client(world["sup"], long), _client(world["inv"])
    deep = _deep_cursor(world["sup"], DEEP_PAGE)
    pages: dict[str, Callable[[], Any]] = {
        "bare Django view (20 rows)": lambda: sup.get("/bench/bare/"),
        "team worklist": lambda: sup.get("/cases/team/"),
        f"team worklist, page {DEEP_PAGE + 1}": lambda: sup.get("/cases/team/", {"cursor": deep}),
        "team worklist, high band": lambda: sup.get("/cases/team/", {"band": "high"}),
        "my cases": lambda: inv.get("/cases/mine/"),
        "overdue by band": lambda: sup.get("/cases/overdue/"),
        "alerts": lambda: sup.get("/alerts/"),
        "dashboard": lambda: sup.get("/dashboard/"),
        "case page (200 events)": lambda: sup.get(f"/cases/{long}/"),
        "API case index": lambda: sup.get("/api/cases"),
        "API overdue by band": lambda: sup.get("/api/worklists/overdue"),
        "API alerts": lambda: sup.get("/api/alerts"),
        "API case history (200 events)": lambda: sup.get(f"/api/cases/{long}/history"),
    }
    times: dict[str, list[float]] = {name: [] for name in pages}
    sizes: dict[str, int] = {}
    for name, get in pages.items():  # warm up: templates, key ring, connections
        sizes[name] = _timed(get)[1]
    for _ in range(rounds):
        for name, get in pages.items():
            times[name].append(_timed(get)[0])
    bare_p50 = statistics.median(times["bare Django view (20 rows)"])
    rows = []
    for name, samples in times.items():
        p50 = statistics.median(samples)
        rows.append(
            {
                "page": name,
                "p50": p50,
                "p95": statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else p50,
                "ratio": bare_p50 / p50,
                "kb": sizes[name] / 1024,
            }
        )
    return {
        **world,
        "rows": rows,
        "loaded": loaded,
        "load_average": os.getloadavg()[0],
        "worklist_plans": explain(lambda: queries.team_worklist(world["sup"]), '"cases_case"'),
        "mine_plans": explain(lambda: queries.my_cases(world["inv"]), '"cases_case"'),
        "dashboard_plans": explain(lambda: queries.dashboard(world["sup"]), '"cases_'),
    }


def _document(result: dict[str, Any], n: int, rounds: int) -> str:
    r = result
    named = [(band, band.replace("_", " ")) for band in BANDS] + [("", "not prioritised")]
    bands = ", ".join(f"{r['bands'].get(band, 0):,} {label}" for band, label in named)
    lines = [
        BEGIN,
        "## Pages at scale (PostgreSQL)",
        "",
        f"`python benchmarks/pages_scale.py --cases {n} --rounds {rounds}`: {r['imported']:,}",
        "synthetic cases in one force and unit, imported through the import path",
        "(`cases.intake.import_referrals`,",
        f"as `riskroute import referrals` does, {CHUNK:,} lines a call, each line its own transaction:",
        "encryption, prioritisation by the core, the s.62 audit entries and the dashboard's monthly",
        f"counts included) in {r['loaded']:.0f} s ({r['imported'] / r['loaded']:.0f} cases/s).",
        f"By band: {bands}.",
        "The kept monthly and state counts equal a recount after the load:",
        f"{'yes' if r['counts_kept'] else 'NO'}.",
        "Then `VACUUM ANALYZE` and `CHECKPOINT`, as the server would after the load. Each page requested",
        f"{rounds} times through the Django test client (full middleware stack, no network), interleaved",
        "round by round with a bare Django view rendering a 20-row table. One client, so the",
        "throughput ratio is the bare view's p50 over the page's. Times in milliseconds, on the",
        f"shared 2-core development machine (1-minute load average {r['load_average']:.1f} at the end).",
        "",
        "| Page | p50 | p95 | Ratio to bare view | Size (KB) |",
        "|---|---|---|---|---|",
    ]
    for row in r["rows"]:
        lines.append(
            f"| {row['page']} | {row['p50']:.1f} | {row['p95']:.1f} | {row['ratio']:.2f}× | {row['kb']:.0f} |"
        )
    lines += [
        "",
        "Worklists show 50 cases a page, by cursor, so a page costs the same at page 1 and page",
        f"{DEEP_PAGE + 1}; the overdue page is the first 50 overdue cases in that order, under a",
        "heading for each band; alerts and the API's",
        "history come 50 a page by cursor; the case page pages its history; the dashboard reads",
        "the monthly counts kept with each write and the state counts kept by triggers.",
        "The query that reads the team worklist's first page (the overdue part, with one row past",
        "the page to know whether more follow), as PostgreSQL ran it (`EXPLAIN ANALYZE`):",
        "",
        "```",
        r["worklist_plans"],
        "```",
        "",
        "My cases (the investigator's first page), read through the assignee's worklist-order index:",
        "",
        "```",
        r["mine_plans"],
        "```",
        "",
        "The dashboard's two queries (the kept monthly counts, and the kept cases by state):",
        "",
        "```",
        r["dashboard_plans"],
        "```",
        END,
    ]
    return "\n".join(lines)


def _write(block: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000, help="referrals to import (default 2000)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md")
    args = parser.parse_args()
    if args.cases <= DEEP_PAGE * PAGE_ROWS:
        least = DEEP_PAGE * PAGE_ROWS
        parser.error(f"--cases must be over {least:,}, to reach page {DEEP_PAGE + 1} of the worklist")
    name = f"riskroute_pages_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(f"{SERVER}/postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            _setup(f"{SERVER}/{name}", data_dir)
            result = measure(args.cases, args.rounds)
            from django.db import connections

            connections.close_all()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    block = _document(result, args.cases, args.rounds)
    print(block)
    if not args.no_doc:
        _write(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
