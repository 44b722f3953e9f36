"""The dashboard's monthly counts (`MonthlyCount`), kept in the transaction of every write that
changes them, so the dashboard reads at most a few dozen rows however many cases a force has.

Each measure is one model's rows placed in a month by one of their dates (`MEASURES`). The
receivers registered by `connect()` (from `CasesConfig.ready`) keep the counts with every save
and delete of those models, whichever service or page made it:
- before a save or delete, what the stored row counted (read from the database, not from the
  instance, which may have been loaded before another write or with the date deferred);
- after it, what the row counts now; the difference is added to the counts of the two months
  with one upsert, so a date that moves takes one from the old month and adds one to the new;
- a case deleted by erasure is deleted with its records, each of which takes back its own count.

Writes that bypass the models' save and delete (`bulk_create`, `QuerySet.update()`, SQL by hand)
do not move the counts: `rebuild()` (`riskroute counts rebuild`) recounts them from the records.

Locking (PostgreSQL): the upsert locks the count's row until the transaction ends, so two writes
adding to the same force, month and measure serialise from that save to their commit. Every
write already serialises on the s.62 chain lock at its end, so this adds only the part of the
transaction between the counted save and the audit append. Every path takes the two locks in that
order, erasure included: a whole case is deleted (its counts taken back) before its audit entries
are written (`commands.records`), so no two writes wait on each other's locks.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from riskroute.cases.models import (
    Breach,
    Case,
    ConditionalCaution,
    Enforcement,
    MonthlyCount,
    Prosecution,
    Safeguarding,
)

#: A count's key: (force id, measure, first day of the month).
Key = tuple[int, str, dt.date]


@dataclass(frozen=True)
class Measure:
    """Rows of `model` (those whose fields equal `only`) counted in the month of `date`, for the
    force at `force`; each row adds one, or the value of `amount` where given."""

    name: str
    model: type[models.Model]
    date: str
    force: str = "case__force_id"
    amount: str | None = None
    only: dict[str, Any] = field(default_factory=dict)

    def fields(self) -> set[str]:
        """The model's fields a row's count depends on (a record's force is its case's)."""
        owner = "force" if self.force == "force_id" else "case"
        return {self.date, owner, f"{owner}_id", *self.only, *([self.amount] if self.amount else [])}

    def stored(self, pk: Any) -> Counter[Key]:
        """What the stored row with this primary key counts now (nothing if there is no such row)."""
        found = (
            self.model._default_manager.filter(pk=pk, **self.only)
            .values_list(self.force, self.date, self.amount or "pk")
            .first()
        )
        return self._counted(*found) if found else Counter()

    def of(self, instance: Any) -> Counter[Key]:
        """What the instance counts, as it was saved."""
        if any(getattr(instance, name) != value for name, value in self.only.items()):
            return Counter()
        amount = getattr(instance, self.amount) if self.amount else 1
        return self._counted(_force_of(instance), getattr(instance, self.date), amount)

    def _counted(self, force_id: int, day: dt.date | None, amount: Any) -> Counter[Key]:
        if day is None:
            return Counter()
        counted = int(amount or 0) if self.amount else 1
        return Counter({(force_id, self.name, day.replace(day=1)): counted})

    def recount(self) -> Counter[Key]:
        """Every count of this measure, from the records (one `GROUP BY` force and month)."""
        grouped = (
            self.model._default_manager.filter(**{f"{self.date}__isnull": False}, **self.only)
            .order_by()
            .annotate(counted_month=TruncMonth(self.date))
            .values(self.force, "counted_month")
            .annotate(total=Sum(self.amount) if self.amount else Count("pk"))
            .values_list(self.force, "counted_month", "total")
        )
        return Counter({(force_id, self.name, month): int(total or 0) for force_id, month, total in grouped})


def _force_of(instance: Any) -> int:
    """The force a counted row belongs to: a case's own, or its case's (read only if not loaded)."""
    if isinstance(instance, Case):
        return int(instance.force_id)
    if instance._meta.get_field("case").is_cached(instance):
        return int(instance.case.force_id)
    return int(Case.objects.filter(pk=instance.case_id).values_list("force_id", flat=True).get())


#: The dashboard's monthly measures, one for each of `models.MONTHLY_MEASURES` (a test holds them equal).
MEASURES: dict[type[models.Model], Measure] = {
    measure.model: measure
    for measure in (
        Measure("referrals", Case, "received_on", force="force_id"),
        Measure("arrests", Enforcement, "arrested_on"),
        Measure("children_safeguarded", Safeguarding, "safeguarded_on", amount="children_safeguarded"),
        Measure("diversions", ConditionalCaution, "signed_on"),
        Measure("charges", Prosecution, "charged_on"),
        Measure("breaches", Breach, "occurred_on", only={"reasonable_excuse": False}),
    )
}

#: Where a row's count before its save or delete waits for the write to be made.
_BEFORE = "_monthly_counted_before"

_UPSERT = (
    "INSERT INTO {table} (force_id, measure, month, count) VALUES {rows} "
    "ON CONFLICT (force_id, measure, month) DO UPDATE SET count = {table}.count + EXCLUDED.count"
)


def add(changes: Counter[Key]) -> None:
    """Add each change to its count, creating the count at need: one statement (PostgreSQL and
    SQLite both take `INSERT ... ON CONFLICT DO UPDATE`), the keys in one order, so two writes
    never wait for each other's counts the other way round."""
    rows = sorted((key, change) for key, change in changes.items() if change)
    if not rows:
        return
    sql = _UPSERT.format(
        table=connection.ops.quote_name(MonthlyCount._meta.db_table),
        rows=", ".join(["(%s, %s, %s, %s)"] * len(rows)),
    )
    params = [value for (force_id, name, month), change in rows for value in (force_id, name, month, change)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _counted_fields_written(sender: type[models.Model], update_fields: Any) -> bool:
    """Whether a save may change what the row counts (`save(update_fields=...)` may say it cannot)."""
    return update_fields is None or bool(set(update_fields) & MEASURES[sender].fields())


def _before_save(sender: type[models.Model], instance: Any, raw: bool, update_fields: Any, **_: Any) -> None:
    if raw or not _counted_fields_written(sender, update_fields):  # raw: fixtures, see `rebuild()`
        return
    # A new row has no id yet (every counted model's id is the database's), so counted nothing.
    setattr(instance, _BEFORE, Counter() if instance.pk is None else MEASURES[sender].stored(instance.pk))


def _after_save(sender: type[models.Model], instance: Any, raw: bool, update_fields: Any, **_: Any) -> None:
    if raw or not _counted_fields_written(sender, update_fields):
        return
    measure = MEASURES[sender]
    # With `update_fields`, the row keeps its stored values for the other fields: read it back.
    change = measure.of(instance) if update_fields is None else measure.stored(instance.pk)
    change.subtract(instance.__dict__.pop(_BEFORE, Counter()))
    add(change)


def _before_delete(sender: type[models.Model], instance: Any, **_: Any) -> None:
    setattr(instance, _BEFORE, MEASURES[sender].stored(instance.pk))


def _after_delete(sender: type[models.Model], instance: Any, **_: Any) -> None:
    change: Counter[Key] = Counter()
    change.subtract(instance.__dict__.pop(_BEFORE, Counter()))
    add(change)


def connect() -> None:
    """Keep the counts with every save and delete of a counted model (called once, at start-up)."""
    for model in MEASURES:
        uid = f"monthly_counts.{model.__name__}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_save, sender=model, dispatch_uid=uid)
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid)
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)


def recount() -> Counter[Key]:
    """Every monthly count, from the records."""
    counts: Counter[Key] = Counter()
    for measure in MEASURES.values():
        counts.update(measure.recount())
    return counts


def stored() -> Counter[Key]:
    """Every monthly count as kept (counts of zero left out, as a recount has none)."""
    rows = MonthlyCount.objects.exclude(count=0).values_list("force_id", "measure", "month", "count")
    return Counter({(force_id, name, month): count for force_id, name, month, count in rows})


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Replace every count with a recount from the records, and say how many counts were wrong.

    On PostgreSQL the counts table is locked first (writes that change a count wait until the
    rebuild commits, then add their change to the recounted figure; writes still open when the
    lock is asked for finish first), so a rebuild is exact while the service runs. SQLite's
    write lock, taken when the transaction begins, does the same.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(MonthlyCount._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    before, after = stored(), recount()
    wrong = sum(1 for key in before.keys() | after.keys() if before[key] != after[key])
    MonthlyCount.objects.all().delete()
    MonthlyCount.objects.bulk_create(
        MonthlyCount(force_id=force_id, measure=name, month=month, count=count)
        for (force_id, name, month), count in sorted(after.items())
    )
    return {"counts": len(after), "corrected": wrong}
