"""Every read of case data, scoped to the acting user. Views and the API call only these.

- `visible_cases(user)`: the queryset of cases the user may see (same rule as `view_case`),
  including other forces' cases shared with the user's force;
- `list_cases(user, filters, cursor, size, subject_name=...)`: a page of the visible cases (the
  API's case index);
- `get_case(user, case_id, justification=...)`: one case with its records, or `NotFound`;
  `JustificationNeeded` without a justification;
- worklists, a page at a time by cursor (`CasePage`): `my_cases`, `team_worklist` (overdue first,
  then by band, then by deadline) and `overdue_cases` (the overdue part of that order,
  force-wide, set out under its bands by `by_band`);
- `approvals_waiting(user)`: the supervisor's queue, proposals the user may decide;
- `alerts(user)`: overdue actions, missed sessions, overdue notifications, programme deadlines,
  proposals awaiting the user's decision;
- `dashboard(user)`: monthly counts for the force (aggregates only: analysts may read these);
- `records_due_for_review(user)`: closed records whose retention review is due (administrators).

Every read that shows personal data is logged here (DPA 2018 s.62, see `cases.trail`): a case
read as a consultation (or a disclosure to a provider or another force) with its justification,
a list that shows subjects' names as one entry naming the cases shown.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.utils import timezone

from riskroute.accounts.models import User
from riskroute.cases import retention, trail
from riskroute.cases.errors import JustificationNeeded, NotFound, PermissionDenied, ValidationFailed
from riskroute.cases.models import (
    BAND_RANK,
    BAND_URGENCY,
    DEADLINE_KEY,
    NO_DEADLINE,
    Case,
    CaseEvent,
    CaseShare,
    ConditionalCaution,
    DisposalProposal,
    MonthlyCount,
    NotificationRecord,
    StateCount,
    Subject,
)
from riskroute.cases.permissions import allowed, approver, case_scope
from riskroute.cases.vocabulary import CaseState, PriorityBand, ProposalStatus
from riskroute.cases.workflow import CaseWorkflow
from riskroute.core.errors import ErrorDetail
from riskroute.crypto import blind_index


def _is_provider(user: User) -> bool:
    """The user reads cases as a rehabilitation provider (those referred to its organisation)."""
    return case_scope(user).provider is not None


def _is_police(user: User) -> bool:
    """The user reads cases as a police caseworker of a force."""
    return case_scope(user).own_force is not None


def visible_cases(user: User, *, shared: bool = True) -> QuerySet[Case]:
    """Cases the user may see: the `view_case` scope (`permissions.case_scope`) as a filter, so
    lists and pages never disagree.

    `shared=False` leaves out other forces' cases shared with the user's force: worklists and
    alerts are about a force's own work; shared cases are found through the case index.
    """
    return Case.objects.filter(case_scope(user, shared=shared).as_q())


#: The columns a case list reads, and no others: what a worklist row and the API's case summary
#: show (`documents.case_summary`, `ui/case_rows.py`), and the owning force its s.62 entry
#: names. Every other column stays in the database: above all the encrypted facts, summary, date
#: of birth and address, which would each be decrypted per row for nothing.
LIST_COLUMNS = (
    "pk",
    "reference",
    "state",
    "version",
    "force_id",
    "priority_band",
    "priority_reason",
    "action_deadline",
    "action_taken_on",
    "received_on",
    "subject__full_name",
    "assigned_to_id",
    "assigned_to__username",
    "assigned_to__first_name",
    "assigned_to__last_name",
)

#: The sealed columns among `LIST_COLUMNS`, each read as its token and opened only for a row that
#: is shown (`_read_page` reads one row past a page to know that one follows).
_SEALED = {
    "priority_reason": Case._meta.get_field("priority_reason"),
    "subject__full_name": Subject._meta.get_field("full_name"),
}

#: The initial notification still to be made under a requirement in force (its due date).
_INITIAL_NOTIFICATION_DUE = NotificationRecord.objects.filter(
    case=OuterRef("pk"),
    current=True,
    notifiable=True,
    initial_notified_on__isnull=True,
    ended_on__isnull=True,
).values("initial_due")[:1]

#: What falls due next on an open case (the worklists' "Next due" column), never a deadline
#: already met: the enforcement action until it is taken; while the caution is in force, the end
#: of the programme window; otherwise the initial notification while it is not yet made.
NEXT_DUE_ON = DbCase(
    When(action_taken_on__isnull=True, then=F("action_deadline")),
    When(state=CaseState.CAUTION_ACTIVE, then=F("caution__programme_deadline")),
    default=Subquery(_INITIAL_NOTIFICATION_DUE),
    output_field=DateField(),
)


def _next_due_kind(row: dict[str, Any]) -> str:
    """Which deadline a listed case's `next_due_on` is, read off the branches of `NEXT_DUE_ON`
    (nothing due: blank). In Python, from the row: in SQL it would repeat the whole expression,
    notification subquery and all, in every list query."""
    if row["next_due_on"] is None:
        return ""
    if row["action_taken_on"] is None:
        return "enforcement action"
    if row["state"] == CaseState.CAUTION_ACTIVE:
        return "end of the programme window"
    return "initial notification"


#: A row's place in the worklist order: (0 if overdue else 1, band rank, deadline key, id).
Key = tuple[int, int, dt.date, int]


class Assignee(NamedTuple):
    """Who a listed case is assigned to."""

    id: int
    username: str
    name: str  # the full name, or the username when none is recorded


class CaseRow(NamedTuple):
    """One row of a case list, read as values rather than as models (a page of 50 made about 100
    model instances: each case and its subject, and its assignee when it has one): what a
    worklist row and the API's case summary show, the owning force that its s.62 entry names,
    and the row's place in the worklist order."""

    pk: int
    reference: str
    state: str
    version: int
    force_id: int
    received_on: dt.date
    priority_band: str
    priority_reason: str
    action_deadline: dt.date | None
    action_taken_on: dt.date | None
    subject_name: str | None  # None once erased
    assigned_to: Assignee | None
    next_due_on: dt.date | None
    next_due_kind: str  # what falls due on `next_due_on` (blank when nothing does)
    is_overdue: bool
    key: Key


def _token(path: str) -> ExpressionWrapper[F]:
    """A sealed column read as its stored token: typed as plain text, so no converter opens it."""
    return ExpressionWrapper(F(path), output_field=TextField())


#: The annotation that carries each sealed column's token.
_TOKENS = {path: "token_" + path.replace("__", "_") for path in _SEALED}

#: What `_read_page` reads of each row: `LIST_COLUMNS` (sealed ones as tokens) and the row's
#: next deadline and place in the order.
_ROW_VALUES = (
    *(_TOKENS.get(column, column) for column in LIST_COLUMNS),
    "next_due_on",
    "is_overdue",
    "band_rank",
    "deadline_key",
)


def _list_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """A case list's rows: when something falls due next (`NEXT_DUE_ON`), and the sealed columns
    as tokens (`_case_row` opens those of the rows shown)."""
    return cases.annotate(next_due_on=NEXT_DUE_ON, **{name: _token(path) for path, name in _TOKENS.items()})


def _case_row(row: dict[str, Any]) -> CaseRow:
    """A row read by `_read_page`, its sealed values opened."""
    opened = {path: field.open(row[_TOKENS[path]]) for path, field in _SEALED.items()}
    assignee = None
    if row["assigned_to_id"] is not None:
        username = row["assigned_to__username"]
        full = f"{row['assigned_to__first_name']} {row['assigned_to__last_name']}".strip()
        assignee = Assignee(row["assigned_to_id"], username, full or username)
    return CaseRow(
        pk=row["pk"],
        reference=row["reference"],
        state=row["state"],
        version=row["version"],
        force_id=row["force_id"],
        received_on=row["received_on"],
        priority_band=row["priority_band"],
        priority_reason=opened["priority_reason"],
        action_deadline=row["action_deadline"],
        action_taken_on=row["action_taken_on"],
        subject_name=opened["subject__full_name"],
        assigned_to=assignee,
        next_due_on=row["next_due_on"],
        next_due_kind=_next_due_kind(row),
        is_overdue=row["is_overdue"],
        key=(0 if row["is_overdue"] else 1, row["band_rank"], row["deadline_key"], row["pk"]),
    )


def _listed(user: User, name: str, purpose: str, cases: Sequence[trail.Listed]) -> None:
    """Record a list that shows subjects' names (one s.62 entry naming every case shown; an empty
    list names no one, so it writes nothing and opens no transaction)."""
    if cases:
        with transaction.atomic():
            trail.listed(user, name, purpose, cases)


#: A case's one-to-one records, joined into every read of one case (`get_case`): the case page,
#: the API document and the step pages all read them, so each is fetched once, with the case.
CASE_RECORDS = ("enforcement", "safeguarding", "caution__provider", "mappa", "prosecution", "closure")


def get_case(user: User, case_id: int, *, justification: str | None) -> Case:
    """One case the user may see, with its one-to-one records loaded; otherwise NotFound.

    Every call is a consultation of the case's personal data (a disclosure when the reader is a
    provider or another force) and is logged with the justification given for this case in this
    session; without one, `JustificationNeeded` (after the visibility check, so it leaks nothing).
    """
    # Read by id, then held to the `view_case` rule (`CaseScope.admits`, the same scope as
    # `visible_cases`, a property test holds them equal): for one's own force's case that asks
    # nothing more of the database, where the scope as a filter first reads the force's shares.
    # `get`, not `first`: by its key there is one row, and ordering it cost the compiler 0.5 ms.
    try:
        case: Case | None = Case.objects.select_related(
            "force", "unit", "assigned_to", "subject", "provider_organisation", *CASE_RECORDS
        ).get(pk=case_id)
    except Case.DoesNotExist:
        case = None
    if case is None or not allowed("view_case", user, case):
        raise NotFound(f"case {case_id} not found")
    if not (justification or "").strip():
        raise JustificationNeeded(case_id)
    with transaction.atomic():
        trail.consulted(user, case, str(justification))
    return case


#: Fields of a case that hold no personal data, with those the permission rules read.
_RECORD_FIELDS = (
    "pk",
    "reference",
    "version",
    "state",
    "force_id",
    "provider_organisation_id",
    "personal_data_erased_on",
)


def case_reference(user: User, case_id: int) -> str:
    """The reference of a case the user may see (no personal data, so no consultation); else NotFound.

    For the page that asks for a justification: it may name the case, and must not reveal one the
    user cannot see.
    """
    case = visible_cases(user).filter(pk=case_id).only(*_RECORD_FIELDS).first()
    if case is None or not allowed("view_case", user, case):
        raise NotFound(f"case {case_id} not found")
    return case.reference


def record_case(user: User, case_id: int, permission: str) -> Case:
    """A case's record-keeping fields (reference, version, state; no personal data) for a user
    who holds `permission` on it: for the share, erasure and review pages. NotFound or
    PermissionDenied otherwise."""
    case = visible_cases(user).filter(pk=case_id).only(*_RECORD_FIELDS).first()
    if case is None or not allowed("view_case", user, case):
        raise NotFound(f"case {case_id} not found")
    if not allowed(permission, user, case):
        raise PermissionDenied(f"you may not do this on case {case.reference}")
    return case


def case_shares(user: User, case_id: int) -> list[CaseShare]:
    """The shares of a case, newest first, for a user who may grant them."""
    case = record_case(user, case_id, "share")
    return list(case.shares.select_related("recipient_force", "granted_by", "revoked_by"))


def record_actions(user: User, case: Case) -> list[str]:
    """Record-keeping steps this user may take on the case: `share`, `erase`."""
    return [permission for permission in ("share", "erase") if allowed(permission, user, case)]


def share_forces(user: User) -> list[tuple[str, str]]:
    """(code, name) of every force but the user's own: where a case may be shared to."""
    from riskroute.accounts.models import Force  # reference data, not case data

    forces = Force.objects.order_by("name")
    if user.force_id is not None:
        forces = forces.exclude(pk=user.force_id)
    return [(force.code, force.name) for force in forces]


class EventPage(list[CaseEvent]):
    """One page of a case's history, oldest first, and `next_cursor`, which asks for the page
    after it (None on the last page)."""

    def __init__(self, events: list[CaseEvent], next_cursor: str | None) -> None:
        super().__init__(events)
        self.next_cursor = next_cursor


def case_history(
    user: User,
    case_id: int,
    *,
    justification: str | None,
    cursor: str | None = None,
    size: int | None = None,
) -> EventPage:
    """A page of the case's events, oldest first (who did what, and the state before and after),
    after `cursor` (the time and id of the last event of the page before: events are only ever
    added, so pages never shift); `size` events a page, `PAGE_SIZE` unless given. Police
    caseworkers only: a provider's minimum (its attendance work) has no history in it."""
    size = PAGE_SIZE if size is None else size
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationFailed.field("limit", f"from 1 to {MAX_PAGE_SIZE}")
    after = _decode_event_cursor(cursor) if cursor else None
    record_case(user, case_id, "view_history")
    events = get_case(user, case_id, justification=justification).events.select_related("actor")
    if after is not None:
        events = events.filter(Q(at__gt=after[0]) | Q(at=after[0], pk__gt=after[1]))
    found = list(events.order_by("at", "pk")[: size + 1])
    last = found[size - 1] if len(found) > size else None
    return EventPage(found[:size], _encode_event_cursor(last) if last is not None else None)


def _encode_event_cursor(event: CaseEvent) -> str:
    return base64.urlsafe_b64encode(f"{event.at.isoformat()}|{event.pk}".encode()).decode().rstrip("=")


def _decode_event_cursor(cursor: str) -> tuple[dt.datetime, int]:
    """The (time, id) a history cursor names; `ValidationFailed` (path `cursor`) for anything else."""
    try:
        at, pk = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")
        key = (dt.datetime.fromisoformat(at), int(pk))
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed.field("cursor", "not a cursor this list gave") from None
    if key[0].tzinfo is None or not 0 < key[1] < _MAX_ID:
        raise ValidationFailed.field("cursor", "not a cursor this list gave")
    return key


#: Events per page of the case page's history.
HISTORY_PAGE_SIZE = 25


class HistoryEntry(NamedTuple):
    """One event as the case page's history shows it."""

    at: dt.datetime
    version: int
    summary: str
    author: str  # the actor's full name, else their username


def history_page(case: Case, number: str | int | None) -> Page[HistoryEntry]:
    """One page of a case's events, newest first (`number` as given in the URL; out of range or
    not a number gives the nearest page): two queries, the count and the page, however long the
    history, the page read through the `case_event_order` index. For a case already read through
    `get_case`.

    The page's events are read as values, not models: only what the history shows (not an
    event's data, an encrypted value the page never shows). 25 events took 1.1 ms so, against
    1.8 ms as 50 model instances (events and authors)."""
    events = case.events.order_by("-at", "-id")
    newest_first = events.values_list(
        "at", "version", "summary", "actor__username", "actor__first_name", "actor__last_name"
    )
    paginator: Paginator[Any] = Paginator(newest_first, HISTORY_PAGE_SIZE)
    paginator.count = events.count()  # the events alone, without the join to their authors
    page = paginator.get_page(number)
    entries = [
        HistoryEntry(at, version, summary, f"{first} {last}".strip() or username)
        for at, version, summary, username, first, last in page.object_list
    ]
    return Page(entries, page.number, paginator)


# --- worklists: pages in one order, by cursor ---------------------------------------------

#: Rows on a page of a worklist or of the API's case index, unless asked otherwise; and the most.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

#: Ids are 64-bit: a number past them in a cursor or filter is refused, not sent to the database.
_MAX_ID = 2**63
#: The filter value of the band for cases not yet prioritised.
UNPRIORITISED = "none"


def _overdue_on(today: dt.date) -> Q:
    """No enforcement action yet and the action deadline has passed."""
    return Q(action_taken_on__isnull=True, action_deadline__lt=today)


@dataclass(frozen=True)
class CaseFilters:
    """What a worklist or the case index is narrowed to; None leaves that key open.

    `band` is a priority band or `UNPRIORITISED`; `assignee` a user id."""

    band: str | None = None
    state: str | None = None
    overdue: bool | None = None
    assignee: int | None = None

    def problems(self) -> list[ErrorDetail]:
        found: list[ErrorDetail] = []
        if self.band is not None and self.band not in [*PriorityBand.values, UNPRIORITISED]:
            found.append({"path": "band", "message": f"one of {[*PriorityBand.values, UNPRIORITISED]}"})
        if self.state is not None and self.state not in CaseWorkflow.states_map:
            found.append({"path": "state", "message": "not a case state"})
        if self.assignee is not None and not 0 < self.assignee < _MAX_ID:
            found.append({"path": "assignee", "message": "not a user id"})
        return found

    def apply(self, cases: QuerySet[Case], today: dt.date) -> QuerySet[Case]:
        if self.band is not None:
            # By the band's rank, the expression the worklist-order index starts with after the
            # force, so PostgreSQL seeks to the band instead of reading every band before it.
            rank = (
                len(BAND_URGENCY)
                if self.band == UNPRIORITISED
                else BAND_URGENCY.index(PriorityBand(self.band))
            )
            cases = cases.alias(band_rank_filter=BAND_RANK).filter(band_rank_filter=rank)
        if self.state is not None:
            cases = cases.filter(state=self.state)
        if self.overdue is not None:
            cases = cases.filter(_overdue_on(today)) if self.overdue else cases.exclude(_overdue_on(today))
        if self.assignee is not None:
            cases = cases.filter(assigned_to_id=self.assignee)
        return cases


#: The order within each part of a worklist (the overdue cases, then the rest): by band (most
#: urgent first, unprioritised last), then by action deadline (none last), then by id; the
#: expressions of the `case_worklist_order` index, so PostgreSQL reads a page through it.
_PART_KEYS = ("band_rank", "deadline_key", "pk")


def _parts(cases: QuerySet[Case], today: dt.date) -> tuple[QuerySet[Case], QuerySet[Case]]:
    """The overdue cases and the others, each in the order of `_PART_KEYS` (annotated, with
    `is_overdue` for the page): the worklist is the first followed by the second."""
    overdue = _overdue_on(today)
    keyed = cases.annotate(band_rank=BAND_RANK, deadline_key=DEADLINE_KEY).order_by(*_PART_KEYS)
    return (
        keyed.filter(overdue).annotate(is_overdue=Value(True)),
        keyed.exclude(overdue).annotate(is_overdue=Value(False)),
    )


def _encode_cursor(key: Key) -> str:
    overdue, band, deadline, pk = key
    text = f"{overdue}.{band}.{deadline.isoformat()}.{pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> Key:
    """The key a cursor names; `ValidationFailed` (path `cursor`) for anything else."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        overdue, band, deadline, pk = text.split(".")
        key = (int(overdue), int(band), dt.date.fromisoformat(deadline), int(pk))
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed.field("cursor", "not a cursor this list gave") from None
    if key[0] not in (0, 1) or not 0 <= key[1] <= len(BAND_URGENCY) or not 0 < key[3] < _MAX_ID:
        raise ValidationFailed.field("cursor", "not a cursor this list gave")
    return key


def _row(*expressions: Any) -> Func:
    """A row value, `(a, b, c)` (its output type is never read: it is only compared)."""
    return Func(*expressions, template="(%(expressions)s)", output_field=BooleanField())


class _RowGreater(Func):
    """`row > row`: a lexicographic comparison in one condition."""

    template = "%(expressions)s"
    arg_joiner = " > "
    output_field = BooleanField()


def _after(band_rank: int, deadline_key: dt.date, pk: int) -> _RowGreater:
    """Rows of a part strictly after the given keys in its order: `(band rank, deadline key, id)
    > (r, d, i)`, one row comparison of the `case_worklist_order` index's own expressions, which
    PostgreSQL applies as a condition of the index scan and so starts at the cursor. (Written as
    an OR of the three cases, it was planned as a filter on a scan from the start of the force's
    part, so page 21 of the team worklist passed over the 1,000 rows before it.) SQLite compares
    row values the same way."""
    keys = _row(BAND_RANK, DEADLINE_KEY, F("pk"))
    return _RowGreater(keys, _row(Value(band_rank), Value(deadline_key, output_field=DateField()), Value(pk)))


def _read_page(
    cases: QuerySet[Case], cursor: str | None, size: int, today: dt.date, overdue: bool | None = None
) -> tuple[list[CaseRow], Key | None]:
    """Up to `size` rows after the cursor in the worklist order (the rest of the cursor's part,
    then the start of the part after it), and the key of the last one if more rows follow it.
    `overdue` (the filters' own) leaves the one part those rows can be in.

    Whether more follow is read with the page: one row past it, in the same query and so through
    the worklist-order index, its sealed values never opened (only the rows shown are). One query
    when the first part fills the page; otherwise one for each part read."""
    parts = _parts(cases, today)
    ranks = [0, 1] if overdue is None else [0 if overdue else 1]
    start = _decode_cursor(cursor) if cursor else None
    read: list[dict[str, Any]] = []
    for rank in ranks:
        if len(read) > size or (start is not None and rank < start[0]):
            continue
        part = parts[rank]
        if start is not None and rank == start[0]:
            part = part.filter(_after(*start[1:]))
        read += part.values(*_ROW_VALUES)[: size + 1 - len(read)]
    shown = [_case_row(row) for row in read[:size]]
    return shown, shown[-1].key if len(read) > size else None


class CasePage(list[CaseRow]):
    """One page of a case list, in the worklist order: the rows shown, and `next_cursor`, which
    asks for the page after it (None on the last page)."""

    def __init__(self, rows: list[CaseRow], next_cursor: str | None) -> None:
        super().__init__(rows)
        self.next_cursor = next_cursor


def _page(
    user: User,
    cases: QuerySet[Case],
    listing: tuple[str, str],
    filters: CaseFilters | None,
    cursor: str | None,
    size: int,
    *,
    log: bool = True,
) -> CasePage:
    """One page of `cases` after `cursor`, filtered, in the worklist order; logged (s.62) as one
    entry naming the cases on the page and no others.

    Keyset pagination: the cursor is the order key of the last row shown, so a page is read
    through the order from there (`_read_page`), at the same cost whatever page it is, and cases
    added or removed meanwhile neither shift a case onto two pages nor past both."""
    filters = filters or CaseFilters()
    problems = filters.problems()
    if not 1 <= size <= MAX_PAGE_SIZE:
        problems.append({"path": "limit", "message": f"from 1 to {MAX_PAGE_SIZE}"})
    if problems:
        raise ValidationFailed(problems)
    today = timezone.localdate()
    shown, last = _read_page(filters.apply(_list_rows(cases), today), cursor, size, today, filters.overdue)
    page = CasePage(shown, _encode_cursor(last) if last is not None else None)
    if log:
        _listed(user, listing[0], listing[1], shown)
    return page


def _open_cases(user: User) -> QuerySet[Case]:
    return visible_cases(user, shared=False).exclude(state="closed")


def my_cases(
    user: User, filters: CaseFilters | None = None, cursor: str | None = None, size: int = PAGE_SIZE
) -> CasePage:
    """Open cases assigned to the user (providers: cases referred to their organisation), a page
    at a time in the worklist order."""
    cases = _open_cases(user)
    if not _is_provider(user):
        cases = cases.filter(assigned_to=user)
    return _page(user, cases, ("my_cases", "My worklist: open cases I work on"), filters, cursor, size)


def team_worklist(
    user: User, filters: CaseFilters | None = None, cursor: str | None = None, size: int = PAGE_SIZE
) -> CasePage:
    """Open cases of the user's unit, a page at a time: overdue first, then by band and deadline."""
    if not allowed("view_worklists", user):
        raise PermissionDenied("the team worklist is for police caseworkers")
    cases = _open_cases(user)
    if user.unit_id is not None:
        cases = cases.filter(unit_id=user.unit_id)
    listing = ("team_worklist", "Team worklist: open cases of my unit")
    return _page(user, cases, listing, filters, cursor, size)


def overdue_cases(user: User, cursor: str | None = None, size: int = PAGE_SIZE) -> CasePage:
    """Open overdue cases of the user's force, a page at a time: most urgent band first, then by
    deadline (the overdue page and the API's overdue list: one ordered list, whose rows each sets
    out under their bands, `by_band`)."""
    if not allowed("view_worklists", user):
        raise PermissionDenied("worklists are for police caseworkers")
    listing = ("overdue", "Overdue worklist: cases past their deadline")
    return _page(user, _open_cases(user), listing, CaseFilters(overdue=True), cursor, size)


#: The name under which a page of overdue cases sets out those not prioritised (the API's key,
#: the overdue page's table id); every other band is named by its value.
UNPRIORITISED_GROUP = "unknown"


def by_band(rows: Iterable[CaseRow]) -> dict[str, list[CaseRow]]:
    """The rows of a page of overdue cases under their bands (`UNPRIORITISED` for none), in the
    page's order and so most urgent band first: how the overdue page and the API's overdue list
    set out one page of `overdue_cases`."""
    grouped: dict[str, list[CaseRow]] = {}
    for row in rows:
        grouped.setdefault(row.priority_band or UNPRIORITISED, []).append(row)
    return grouped


#: What the approvals queue and its alerts show of a proposal, and the case's force that the
#: `approve` rule and the s.62 entry read: not the case's sealed facts and summary, nor the
#: subject's date of birth and address, which the queue would otherwise open for every proposal.
_QUEUE_COLUMNS = (
    "kind",
    "departs_from_recommendation",
    "proposed_at",
    "case__reference",
    "case__force",
    "case__subject__full_name",
    "proposed_by__username",
    "proposed_by__first_name",
    "proposed_by__last_name",
)


def _decidable_proposals(user: User) -> list[DisposalProposal]:
    """Pending proposals in the user's force that the user may approve or reject: the same two tests
    as `services.approve_disposal` (the `approve` permission on the case, and never one's own).
    Nothing is read for a user who could approve no case at all."""
    if user.force_id is None or not approver(user):
        return []
    pending = (
        DisposalProposal.objects.filter(
            status=ProposalStatus.PENDING,
            case__force_id=user.force_id,
            case__state=CaseState.DECISION_PENDING,
        )
        .exclude(proposed_by=user)
        .select_related("case", "case__subject", "proposed_by")
        .only(*_QUEUE_COLUMNS)
        .order_by("proposed_at", "id")
    )
    return [p for p in pending if allowed("approve", user, p.case)]


def approvals_waiting(user: User) -> list[DisposalProposal]:
    """The supervisor's approvals queue, oldest proposal first (empty for anyone who may not approve).

    The queue shows subjects' names, so it is logged as a list naming the cases shown."""
    proposals = _decidable_proposals(user)
    _listed(user, "approvals", "Approvals queue: proposals awaiting my decision", [p.case for p in proposals])
    return proposals


def list_cases(
    user: User,
    filters: CaseFilters | None = None,
    cursor: str | None = None,
    size: int = PAGE_SIZE,
    *,
    subject_name: str | None = None,
) -> CasePage:
    """Cases the user may see, including those shared with their force, a page at a time in the
    worklist order (overdue first, then band, then deadline): the API's case index. Names are
    encrypted, so the name search matches the blind index of the normalised name (case and
    spacing do not matter; spelling does), and is logged as a search even when it finds nothing."""
    cases = visible_cases(user)
    if subject_name is None:
        return _page(
            user, cases, ("case_index", "Case index: finding a case I am working on"), filters, cursor, size
        )
    found = _page(
        user,
        cases.filter(subject__name_index=blind_index(subject_name, Subject.NAME_INDEX_PURPOSE)),
        ("", ""),
        filters,
        cursor,
        size,
        log=False,
    )
    with transaction.atomic():  # every search, found or not: "is X under investigation?" is a question
        trail.searched(user, subject_name, found)
    return found


#: The kinds of alert, each with its own source.
ALERT_KINDS = (
    "approval_waiting",
    "overdue_action",
    "missed_session",
    "overdue_notification",
    "programme_overdue",
)

#: An alert's place in the alerts order: its due date (undated: after every date), its case, its
#: kind. No case has two alerts of one kind, so the key names one alert.
AlertKey = tuple[dt.date, int, str]


@dataclass(frozen=True)
class Alert:
    kind: str  # one of ALERT_KINDS
    case_id: int
    reference: str
    message: str
    due: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def key(self) -> AlertKey:
        return (dt.date.fromisoformat(self.due) if self.due else NO_DEADLINE, self.case_id, self.kind)


class AlertPage(list[Alert]):
    """One page of alerts, most overdue first, and `next_cursor`, which asks for the page after
    it (None on the last page)."""

    def __init__(self, alerts: list[Alert], next_cursor: str | None) -> None:
        super().__init__(alerts)
        self.next_cursor = next_cursor


def _encode_alert_cursor(key: AlertKey) -> str:
    due, case_id, kind = key
    return base64.urlsafe_b64encode(f"{due.isoformat()}.{case_id}.{kind}".encode()).decode().rstrip("=")


def _decode_alert_cursor(cursor: str) -> AlertKey:
    """The key an alerts cursor names; `ValidationFailed` (path `cursor`) for anything else."""
    try:
        due, case_id, kind = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(".")
        key = (dt.date.fromisoformat(due), int(case_id), kind)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed.field("cursor", "not a cursor this list gave") from None
    if kind not in ALERT_KINDS or not 0 < key[1] < _MAX_ID:
        raise ValidationFailed.field("cursor", "not a cursor this list gave")
    return key


def _after_alert(after: AlertKey | None, kind: str, due: str | None, case: str) -> Q:
    """A filter on one kind of alert's rows for those after the cursor in the alerts order, given
    the field of their due date (None: undated) and of their case."""
    if after is None:
        return Q()
    at, case_id, after_kind = after
    if due is None:  # undated: after every dated alert, then by case
        if at < NO_DEADLINE:
            return Q()
        return Q(**{f"{case}__gte" if kind > after_kind else f"{case}__gt": case_id})
    later = Q(**{f"{due}__gt": at}) | Q(**{due: at, f"{case}__gt": case_id})
    return later | Q(**{due: at, case: case_id}) if kind > after_kind else later


def alerts(user: User, cursor: str | None = None, size: int = PAGE_SIZE) -> AlertPage:
    """Things that need doing now across the cases the user can see, a page at a time: most
    overdue first, then by case and kind; undated ones (a decision waiting, missed sessions) last.

    Each kind is read from the cursor on in that order, at most a page and one more row from the
    database, and the kinds are merged, so a page costs the same however many cases are overdue.
    Re-notifications are the exception: their dates are sealed, so they are dated after reading
    (one row for each open case with a notification already made)."""
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationFailed.field("limit", f"from 1 to {MAX_PAGE_SIZE}")
    after = _decode_alert_cursor(cursor) if cursor else None
    today = timezone.localdate()
    cases = visible_cases(user, shared=False).exclude(state="closed")
    found: list[Alert] = [
        Alert(
            "approval_waiting",
            proposal.case_id,
            proposal.case.reference,
            f"{proposal.get_kind_display()} proposed; awaits your decision",
            None,
        )
        for proposal in _decidable_proposals(user)
    ]
    if _is_police(user):
        overdue = (
            cases.filter(action_taken_on__isnull=True, action_deadline__lt=today)
            .filter(_after_alert(after, "overdue_action", "action_deadline", "pk"))
            .order_by("action_deadline", "pk")
            .only("pk", "reference", "action_deadline")
        )
        found += [
            Alert(
                "overdue_action",
                case.pk,
                case.reference,
                "Enforcement action is overdue",
                _iso(case.action_deadline),
            )
            for case in overdue[: size + 1]
        ]
        in_force = NotificationRecord.objects.filter(
            case__in=cases, current=True, notifiable=True, ended_on=None
        ).select_related("case")
        initial = (
            in_force.filter(initial_notified_on=None, initial_due__lt=today)
            .filter(_after_alert(after, "overdue_notification", "initial_due", "case_id"))
            .order_by("initial_due", "case_id")
            .only("case__reference", "initial_notified_on", "initial_due")
        )
        periodic = in_force.exclude(initial_notified_on=None).only(
            "case__reference", "initial_notified_on", "renotification_dates"
        )
        for record in [*initial[: size + 1], *periodic]:
            due = _notification_due(record)
            if due is not None and due < today:
                found.append(
                    Alert(
                        "overdue_notification",
                        record.case_id,
                        record.case.reference,
                        "Notification is overdue",
                        _iso(due),
                    )
                )
    active = cases.filter(state="caution_active")
    missed = (
        active.annotate(missed=Count("attendance", filter=Q(attendance__attended=False)))
        .filter(missed__gt=0)
        .filter(_after_alert(after, "missed_session", None, "pk"))
        .order_by("pk")
        .only("pk", "reference")
    )
    for case in missed[: size + 1]:
        count: Any = case
        found.append(
            Alert(
                "missed_session",
                case.pk,
                case.reference,
                f"{count.missed} programme session(s) missed",
                None,
            )
        )
    for caution in (
        ConditionalCaution.objects.filter(case__in=active, programme_deadline__lt=today)
        .filter(_after_alert(after, "programme_overdue", "programme_deadline", "case_id"))
        .order_by("programme_deadline", "case_id")
        .select_related("case")
        .only("case__reference", "programme_deadline")[: size + 1]
    ):
        found.append(
            Alert(
                "programme_overdue",
                caution.case_id,
                caution.case.reference,
                "Programme deadline passed before completion",
                _iso(caution.programme_deadline),
            )
        )
    ordered = sorted((alert for alert in found if after is None or alert.key() > after), key=Alert.key)
    shown = ordered[:size]
    return AlertPage(shown, _encode_alert_cursor(shown[-1].key()) if len(ordered) > size else None)


def _notification_due(record: NotificationRecord) -> dt.date | None:
    if record.initial_notified_on is None:
        return record.initial_due
    if record.renotification_dates:
        return dt.date.fromisoformat(record.renotification_dates[0])
    return None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# --- dashboard ------------------------------------------------------------------------------

DASHBOARD_SERIES = ("referrals", "arrests", "children_safeguarded", "diversions", "charges", "breaches")


def _month_keys(months: int, today: dt.date) -> list[str]:
    keys = []
    year, month = today.year, today.month
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def dashboard(user: User, months: int = 12) -> dict[str, Any]:
    """Monthly counts for the user's force over the last `months` months (aggregates only).

    referrals by received date; arrests by arrest date; children safeguarded by safeguarding date;
    diversions by signed caution date; charges by charge date; breaches (without reasonable
    excuse) by the date of the breach: read from the counts kept with each write
    (`cases.monthly_counts`), at most six rows a month. Also the cases by workflow state, as the
    database's triggers keep them (`StateCount`): one row a state.
    """
    if not allowed("view_dashboard", user):
        raise PermissionDenied("the dashboard is for members of a force")
    months = max(1, min(months, 60))
    keys = _month_keys(months, timezone.localdate())
    force_id = user.force_id
    assert force_id is not None  # view_dashboard requires a force
    kept = MonthlyCount.objects.filter(force_id=force_id, month__gte=dt.date.fromisoformat(keys[0] + "-01"))
    found = {
        (name, f"{month:%Y-%m}"): count
        for name, month, count in kept.values_list("measure", "month", "count")
    }
    by_state = dict(StateCount.objects.filter(force_id=force_id).values_list("state", "count"))
    return {
        "force": user.force.code if user.force else None,
        "months": keys,
        "series": {name: [found.get((name, key), 0) for key in keys] for name in DASHBOARD_SERIES},
        "cases_by_state": {state.value: by_state.get(state.value, 0) for state in CaseWorkflow.states},
    }


# --- retention ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReview:
    case_id: int
    reference: str
    record_class: str
    closed_on: str | None
    review_due: str
    personal_data_erased: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def review_due_on(user: User, case_id: int) -> dt.date | None:
    """When the closed case's retention review is due (for the review page; administrators)."""
    case = record_case(user, case_id, "erase")
    return retention.next_review_on(Case.objects.select_related("closure").get(pk=case.pk))


def records_due_for_review(user: User, within_days: int = 90) -> list[DueReview]:
    """Closed records of the user's force whose review falls due within `within_days` (or is past).

    References, classes and dates only (no personal data, so nothing to log): administrators plan
    reviews from this list, then open a case (with a justification) to review it.
    """
    if not allowed("review_records", user) or user.force_id is None:
        raise PermissionDenied("the records review list is for administrators")
    horizon = timezone.localdate() + dt.timedelta(days=max(0, within_days))
    due: list[DueReview] = []
    closed = (
        Case.objects.filter(force_id=user.force_id, state="closed")
        .select_related("closure")
        .prefetch_related("reviews")
        .only("pk", "reference", "state", "offence", "personal_data_erased_on", "closure")
    )
    for case in closed:
        when = retention.next_review_on(case)
        if when is not None and when <= horizon:
            due.append(
                DueReview(
                    case.pk,
                    case.reference,
                    retention.record_class(case).key,
                    _iso(getattr(case, "closure", None) and case.closure.closed_on),
                    when.isoformat(),
                    case.personal_data_erased_on is not None,
                )
            )
    return sorted(due, key=lambda d: (d.review_due, d.reference))
