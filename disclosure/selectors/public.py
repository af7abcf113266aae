"""Reads for the public: what anyone may see, with no login (API.md "Public", the portal, the feed).

Everything here reads the public projection (``PublicRecord``, written by
``services.projection``), never the records' raw text. What a row of it means is decided there;
the one condition left for read time is the date: a record whose display period ends today
disappears at midnight, before the expiry job gets to it. A revoked record's page (``page``)
ends with its display period the same way.

Search (``public_search``): one box takes a name, a credit code (any width, any case), a document
number or keywords; every word must match, as a phrase of the tokens ``disclosure.search_tokens``
writes, in the title, subject, credit code, document number, legal basis or content as the public
sees them. Results come in three tiers, newest publication first within each: exact credit-code or
document-number hits, then records where every word is in the title, subject, code or document
number, then the rest. Counts are exact up to ``PUBLIC_COUNT_CAP`` and capped above it.
"""
from __future__ import annotations

import math
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import NotVisible
from backend.ids import whole_number
from disclosure.models import Agency, PublicRecord
from disclosure.search_tokens import QueryWord, holds_personal_number, query_words
from disclosure.services.privacy import fold

_CODE = re.compile(r"[0-9A-Z]{1,18}")
T = TypeVar("T")


def clean_text(raw: str, *, max_length: int = 100) -> str:
    """A search box's text without control characters (a NUL byte cannot reach PostgreSQL)."""
    text = "".join(c for c in raw if unicodedata.category(c)[0] != "C" or c in "\t\n")
    return " ".join(text.split())[:max_length]


def normalize_code(raw: str) -> str:
    """A credit code as typed (full-width, lower case, spaces): its canonical form, or "" when it
    cannot be one."""
    code = re.sub(r"[\s\-]", "", fold(clean_text(raw, max_length=40))).upper()
    return code if _CODE.fullmatch(code) else ""


def _visible(today: date | None) -> QuerySet[PublicRecord]:
    today = today or timezone.localdate()
    return PublicRecord.objects.filter(Q(expires_on__isnull=True) | Q(expires_on__gt=today))


def _listed(today: date | None) -> QuerySet[PublicRecord]:
    return _visible(today).filter(listed=True)


def public_records(*, today: date | None = None) -> QuerySet[PublicRecord]:
    """Every record the public search may show, newest publication first."""
    return _listed(today).select_related("agency").order_by("-published_at", "-record_id")


# -- the full-text match, in each engine's own syntax ---------------------------------------------
def _pg_word(word: QueryWord) -> str:
    if word.prefix:
        return f"'{word.tokens[0]}':*"
    return "(" + " <-> ".join(f"'{t}'" for t in word.tokens) + ")"


def tsquery(words: list[QueryWord]) -> str:
    """The PostgreSQL ``tsquery`` of a query's words (tokens hold only letters, digits and CJK)."""
    return " & ".join(_pg_word(w) for w in words)


def _fts5_word(word: QueryWord) -> str:
    return f'"{word.tokens[0]}"*' if word.prefix else '"' + " ".join(word.tokens) + '"'


def _match(words: list[QueryWord], *, head: bool) -> Any:
    """A condition: every word found (``head``: found in the title, subject, code or number)."""
    if connection.vendor == "postgresql":
        column = "search_head_vector" if head else "search_vector"
        full = tsquery(words)
        rare = _rare_tokens(words, column)
        if rare:
            # The GIN index is asked only for the rare tokens (every one of them is in any match),
            # and the phrase is checked on those rows: a document number's 号 and 罚, in nearly
            # every record, are not read from the index for nothing. ts_match_vq is @@ written as a
            # function, which the planner does not take to the index.
            return RawSQL(f"({column} @@ %s::tsquery AND ts_match_vq({column}, %s::tsquery))",
                          (" & ".join(f"'{t}'" for t in rare), full), output_field=BooleanField())
        return RawSQL(f"{column} @@ %s::tsquery", (full,), output_field=BooleanField())
    expression = " AND ".join(_fts5_word(w) for w in words)
    if head:
        expression = f"search_head : ({expression})"
    return RawSQL(
        '"disclosure_publicrecord"."record_id" IN '
        "(SELECT rowid FROM disclosure_public_fts WHERE disclosure_public_fts MATCH %s)",
        (expression,), output_field=BooleanField(),
    )


# -- the plan (PostgreSQL) ------------------------------------------------------------------------
# PostgreSQL estimates a word of several tokens as if its character pairs were independent (保质 and
# 质期 each in a quarter of the records gives 6 %, where 保质期 is in a quarter), so it picks a GIN
# bitmap that reads every match where a scan in newest-first order would stop after a page. The
# search estimates the share itself from the same statistics (pg_stats.most_common_elems, kept by
# ANALYZE), taking a word's rarest token (its pairs go together) and multiplying across words, and
# tells the planner which plan to use. A plan chosen on a wrong guess is bounded by
# ``PUBLIC_SEARCH_PLAN_TIMEOUT_MS`` and the query is then run as PostgreSQL itself would plan it.
#
# The choice weighs what each plan reads, so that it follows the table's size. Walking the
# newest-first index reads rows until the cap (or a page) is met: the same rows, the newest, at ten
# million as at one, and the rows every search reads first, so they stay in shared buffers. The GIN
# bitmap reads the posting list of every token it is asked for and puts every row that has them
# all into a bitmap before the first row is returned: that grows with the table. Two words each in
# a tenth of the records are cheaper through the index at a million rows and cheaper by the walk
# at ten million. The unit costs (microseconds) were measured with EXPLAIN ANALYZE at one and ten
# million rows on the reference 2-core machine (bench/README.md "public_search.py").
_WALK_ROW_COST = 2.0  # a row reached through the newest-first index (a shared-buffer hit) and checked
_COVERED_ROW_COST = 1.2  # the same for a count: the covering index alone (index-only, no table row)
_ENTRY_COST = 0.03  # an entry of a posting list read from the GIN index
_BITMAP_ROW_COST = 0.6  # a row put into the bitmap
_FETCH_ROW_COST = 5.0  # a row the bitmap points to, read from the table and checked
_STATS_SECONDS = 600


@dataclass
class _TokenStats:
    freqs: dict[str, float]
    floor: float  # the least frequency the statistics keep: anything rarer is below it
    rows: float  # the projection's size as ANALYZE last counted it
    read_at: float


_stats: dict[str, _TokenStats] = {}


def _token_stats(column: str) -> _TokenStats | None:
    now = time.monotonic()
    cached = _stats.get(column)
    if cached and now - cached.read_at < _STATS_SECONDS:
        return cached
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples FROM pg_stats s "
            "JOIN pg_class c ON c.relname = s.tablename AND c.relnamespace = current_schema()::regnamespace "
            "WHERE s.schemaname = current_schema() AND s.tablename = 'disclosure_publicrecord' AND s.attname = %s",
            [column])
        row = cursor.fetchone()
    if not row or not row[0] or not row[1] or not row[2] or row[2] <= 0:
        _stats.pop(column, None)
        return None
    elems, freqs, rows = row
    # most_common_elem_freqs: one frequency per element, then the minimum, the maximum and the
    # frequency of nulls.
    stats = _TokenStats(freqs=dict(zip(elems, freqs[:len(elems)], strict=True)), floor=float(freqs[len(elems)]),
                        rows=float(rows), read_at=now)
    _stats[column] = stats
    return stats


def _freq(stats: _TokenStats, word: QueryWord) -> list[float]:
    """The share of rows holding each token of a word (a prefix: every token it starts)."""
    if word.prefix:
        found = sum(f for t, f in stats.freqs.items() if t.startswith(word.tokens[0]))
        return [min(1.0, found) if found else stats.floor / 2]
    return [stats.freqs.get(t, stats.floor / 2) for t in word.tokens]


def _share(words: list[QueryWord], column: str) -> float | None:
    """The estimated share of projected rows matching every word, or None without statistics."""
    stats = _token_stats(column)
    if stats is None:
        return None
    share = 1.0
    for word in words:
        share *= min(_freq(stats, word))
    return share


_COMMON = 0.05  # a token in more of the rows than this does not narrow a search through the index


def _rare_tokens(words: list[QueryWord], column: str) -> list[str]:
    """The query's tokens rare enough to look up in the index, when some others are not (else [])."""
    stats = _token_stats(column)
    tokens = [t for w in words if not w.prefix for t in w.tokens]
    if stats is None or not tokens:
        return []
    rare = list(dict.fromkeys(t for t in tokens if stats.freqs.get(t, stats.floor / 2) < _COMMON))
    return rare if rare and len(rare) < len(set(tokens)) + sum(w.prefix for w in words) else []


@dataclass(frozen=True)
class _Estimate:
    """What the statistics say of a tier: the rows in the table, the share matching, and the
    share of entries the GIN index reads (the posting lists of the tokens it is asked for, summed)
    with the share of rows those tokens leave to check."""

    rows: float
    share: float
    entries: float
    candidates: float


def _estimate(words: list[QueryWord], column: str) -> _Estimate | None:
    stats = _token_stats(column)
    if stats is None:
        return None
    rare = set(_rare_tokens(words, column))
    looked_up: dict[str, float] = {}
    candidates = 1.0
    for word in words:
        freqs = _freq(stats, word)
        keys = [f"{word.tokens[0]}*"] if word.prefix else word.tokens
        for key, f in zip(keys, freqs, strict=True):
            if not rare or key in rare:
                looked_up[key] = f
    for f in looked_up.values():
        candidates *= f
    share = _share(words, column) or 0.0
    return _Estimate(rows=stats.rows, share=share, entries=sum(looked_up.values()),
                     candidates=max(candidates, share))


def _index_cost(estimate: _Estimate, fetched: float) -> float:
    return (estimate.rows * (estimate.entries * _ENTRY_COST + estimate.candidates * _BITMAP_ROW_COST)
            + fetched * _FETCH_ROW_COST)


def _walk_or_index(estimate: _Estimate | None, wanted: int, *, fetched_all: bool) -> str | None:
    """Walk the newest-first index until ``wanted`` matches, or use the GIN bitmap (reading every
    match from the table when ``fetched_all``, for a sort; else until ``wanted``), whichever costs
    less; None (PostgreSQL's own plan) without statistics."""
    if estimate is None or not estimate.share:
        return None
    matches = estimate.rows * estimate.share
    walk = min(estimate.rows, wanted / estimate.share) * (_WALK_ROW_COST if fetched_all else _COVERED_ROW_COST)
    fetched = estimate.rows * estimate.candidates if fetched_all else min(matches, wanted) * (
        estimate.candidates / estimate.share)
    return "walk" if walk <= _index_cost(estimate, fetched) else "index"


# The plans: walk the newest-first index ("walk"), or through the GIN index ("index").
_PLANS = {"walk": ("enable_bitmapscan", "enable_seqscan"), "index": ("enable_indexscan", "enable_seqscan")}


@contextmanager
def _planned(plan: str | None) -> Iterator[None]:
    """Run the enclosed queries with the plan chosen (None: PostgreSQL's own choice)."""
    if plan is None or connection.vendor != "postgresql":
        yield
        return
    off = _PLANS[plan]
    timeout = settings.PUBLIC_SEARCH_PLAN_TIMEOUT_MS
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"current_setting('{s}')" for s in (*off, "statement_timeout")))
        before = cursor.fetchone()
        names = (*off, "statement_timeout")
        sets = ", ".join("set_config(%s, %s, true)" for _name in names)
        values = [*(v for name in off for v in (name, "off")), "statement_timeout", str(timeout)]
        cursor.execute(f"SELECT {sets}", values)
        yield
        # Reached only when the queries succeeded; after an error the savepoint's rollback has
        # already undone the settings.
        cursor.execute(f"SELECT {sets}", [v for name, value in zip(names, before, strict=True) for v in (name, value)])


def _run(fetch: Callable[[], T], plan: str | None) -> T:
    """``fetch()`` with the chosen plan; when that plan runs past its time limit, as planned by
    PostgreSQL alone."""
    if plan is None or connection.vendor != "postgresql":
        return fetch()
    try:
        with _planned(plan):
            return fetch()
    except OperationalError as exc:  # psycopg's QueryCanceled: the time limit, nothing else
        if getattr(exc.__cause__, "sqlstate", "") != "57014":
            raise
        return fetch()


# -- search --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    subject_code: str = ""
    agency: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class SearchPage:
    """One page of results; ``count`` is exact unless ``count_capped`` (then it is the cap)."""

    items: list[PublicRecord]
    count: int
    count_capped: bool
    number: int
    page_size: int
    cap: int = field(default=0)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))

    @property
    def cap_display(self) -> str:
        return f"{self.cap:,}"

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _filtered(params: SearchParams, today: date | None) -> QuerySet[PublicRecord]:
    qs = _listed(today)
    if params.subject_code:
        qs = qs.filter(subject_code=normalize_code(params.subject_code) or "-")
    if params.agency:
        path = Agency.objects.filter(code=params.agency).values_list("path", flat=True).first()
        ids = list(Agency.objects.filter(path__startswith=path).values_list("pk", flat=True)) if path else []
        qs = qs.filter(agency_id__in=ids)
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.date_from:
        qs = qs.filter(event_date__gte=params.date_from)
    if params.date_to:
        qs = qs.filter(event_date__lte=params.date_to)
    return qs


Tier = tuple[QuerySet[PublicRecord], _Estimate | None]  # the rows, and what the statistics say of them


def _tiers(params: SearchParams, today: date | None) -> tuple[list[Tier], Tier]:
    """The result tiers in rank order, and their union (for the count)."""
    base = _filtered(params, today)
    q = clean_text(params.q)
    words = query_words(q)
    unknown: _Estimate | None = None
    if not q:
        return [(base, unknown)], (base, unknown)
    exact = Q()
    if " " not in q:  # a credit code or a document number, typed whole
        code = normalize_code(q)
        numbers = {q, fold(q)}
        exact = Q(document_number__in=sorted(numbers)) | (Q(subject_code=code) if code else Q())
        # Two index probes tell whether the exact tier has anything. Most searches are words,
        # which match no code or number: they then count over the covering index alone (an
        # "or equals" on a column outside it would read every row of the walk from the table).
        if not base.filter(exact).exists():
            exact = Q()
    if holds_personal_number(q):
        words = []  # only a credit code or a document number typed whole, never a person's number
    if not words:
        tiers: list[Tier] = [(base.filter(exact), unknown)] if exact else []
        return tiers, (base.filter(exact) if exact else base.none(), unknown)
    full, head = _match(words, head=False), _match(words, head=True)
    vendor = connection.vendor == "postgresql"
    anywhere = _estimate(words, "search_vector") if vendor else None
    in_head_estimate = _estimate(words, "search_head_vector") if vendor else None
    in_head = base.filter(head)
    elsewhere = base.filter(Q(full) & ~Q(head))
    if not exact:
        return [(in_head, in_head_estimate), (elsewhere, anywhere)], (base.filter(full), anywhere)
    return ([(base.filter(exact), unknown), (in_head.exclude(exact), in_head_estimate),
             (elsewhere.exclude(exact), anywhere)], (base.filter(exact | Q(full)), anywhere))


def _ordered(qs: QuerySet[PublicRecord]) -> QuerySet[PublicRecord]:
    return qs.select_related("agency").order_by("-published_at", "-record_id")


def capped_count(qs: QuerySet[PublicRecord], cap: int, *, newest_first: bool = False) -> tuple[int, bool]:
    """``qs.count()`` up to ``cap`` (one ``count(*)`` over a ``LIMIT cap + 1`` subquery; in
    newest-first order when the count walks that index)."""
    rows = qs.order_by("-published_at", "-record_id") if newest_first else qs.order_by()
    found = rows[: cap + 1].count()
    return min(found, cap), found > cap


def page_number(raw: str | None) -> int:
    """A page number from a query string; anything that is not a plain positive number is 1."""
    number = whole_number((raw or "").strip())
    return number if number is not None and 0 < number < 1_000_000 else 1


def public_search(*, params: SearchParams, page: int = 1, page_size: int | None = None,
                  today: date | None = None) -> SearchPage:
    """One page of the public search. A page past the last (or past the cap) is the last page."""
    size = page_size or settings.PUBLIC_PAGE_SIZE
    cap = settings.PUBLIC_COUNT_CAP
    tiers, (union, union_estimate) = _tiers(params, today)
    count_plan = _walk_or_index(union_estimate, cap + 1, fetched_all=False)
    count, capped = _run(lambda: capped_count(union, cap, newest_first=count_plan == "walk"), count_plan)
    number = min(max(page, 1), max(1, math.ceil(count / size)))
    offset, items = (number - 1) * size, list[PublicRecord]()
    wanted = max(0, min(size, count - offset))  # never past the (capped) count
    for tier, estimate in tiers:
        need = wanted - len(items)
        if need <= 0:
            break
        window = _ordered(tier)[offset: offset + need]

        def fetch(window: QuerySet[PublicRecord] = window) -> list[PublicRecord]:
            return list(window)

        found = _run(fetch, _walk_or_index(estimate, offset + need, fetched_all=True))
        items.extend(found)
        if len(items) < wanted:  # this tier has ended: the rest of the page comes from the next one
            offset = 0 if found else offset - tier.order_by()[:offset].count()
    return SearchPage(items=items, count=count, count_capped=capped, number=number, page_size=size, cap=cap)


# -- one record, one entity ----------------------------------------------------------------------
def public_record(*, record_id: int, today: date | None = None) -> PublicRecord:
    """One record for its public page: a listed one, or a revoked one (shown as revoked); 404 for
    anything else, exactly as for a record that does not exist."""
    found = _visible(today).select_related("agency").filter(record_id=record_id, page=True).first()
    if found is None:
        raise NotVisible(_("Not found."))
    return found


@dataclass
class EntityProfile:
    code: str
    name: str
    subject_type: str
    counts: dict[str, int]
    total: int


def entity_profile(*, subject_code: str, today: date | None = None) -> EntityProfile | None:
    """The entity's name and type (from its newest publication) and its public records by kind."""
    code = normalize_code(subject_code)
    if not code:
        return None
    listed = _listed(today).filter(subject_code=code)
    newest = listed.order_by("-published_at", "-record_id").values("subject_name", "subject_type").first()
    if newest is None:
        return None
    counts = {row["kind"]: row["n"] for row in listed.order_by().values("kind").annotate(n=Count("pk"))}
    return EntityProfile(code=code, name=newest["subject_name"], subject_type=newest["subject_type"],
                         counts=counts, total=sum(counts.values()))


def entity_records(*, subject_code: str, kind: str = "", today: date | None = None) -> QuerySet[PublicRecord]:
    """Everything public about one credit code, in time order (Art. 13), optionally of one kind."""
    code = normalize_code(subject_code)
    qs = _listed(today).filter(subject_code=code or "-").select_related("agency").order_by("event_date", "record_id")
    return qs.filter(kind=kind) if kind else qs


def public_history(record: PublicRecord) -> list[dict[str, Any]]:
    """The plain history of a public record (published, changed, corrected, revoked), oldest
    first, each with its time as a ``datetime``; never who."""
    keys = ("number", "action", "reason", "legal_basis", "document_number")
    return [{**{k: h[k] for k in keys}, "at": datetime.fromisoformat(h["at"])} for h in record.history]


def revoked_entry(history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The history entry that revoked a record, if it is revoked."""
    return next((h for h in reversed(history) if h["action"] == "revoke"), None)
