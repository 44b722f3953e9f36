"""The fields of the documents riskroute writes, as the command-line contract names them
(docs/cli.md): written here once, by hand, so the tests hold the code to the contract rather than
to whatever the code happens to produce."""

from __future__ import annotations

#: The fields the contract requires of every triage result (`riskroute triage`, `core.triage.triage`);
#: riskroute adds more of its own (docs/cli.md, "Output fields added by riskroute").
TRIAGE_FIELDS = frozenset(
    {
        "recommendation",
        "eligible_for_diversion",
        "blocking_rules",
        "missing_facts",
        "priority",
        "scores",
        "notification_if_cautioned",
        "policy",
        "trace",
    }
)

#: The fields the contract requires of one instrument's result (`riskroute score`, and each of a
#: triage's `scores`).
INSTRUMENT_FIELDS = frozenset(
    {
        "instrument",
        "version",
        "definition_sha256",
        "applicable",
        "scorable",
        "total",
        "band",
        "probability",
        "missing",
        "items",
        "notes",
    }
)
