"""Transparency log benchmark: inclusion and consistency proofs, and appends, at ten million leaves.

Fills a throw-away PostgreSQL database (default ``bench_tlog``) with N leaves (default 10,000,000)
and the completed-subtree hashes of their tree, written with ``COPY`` straight into the tables the
services write (``disclosure_transparencyleaf``, ``disclosure_transparencynode``), the same hash
layout (RFC 9162 leaf and node hashes, ``merkle.node_key``), computed with the same
``merkle.frontier_after`` an append uses. The leaves' bytes are short synthetic JSON and the leaf
table's foreign key to the feed is dropped for the fill: proofs never read either.

Then it times, over many random queries (median and p95, milliseconds):

* an inclusion proof (random tree size in the upper half, random leaf) through the selector
  (``selectors.transparency.inclusion_path``: plan, ONE query through the ORM, fold) and through
  the best hand-written plan in the same run (the same plan, one raw ``= ANY`` query per table in
  one statement, fold);
* a consistency proof (random pair of sizes) the same two ways;
* a tree root (what signing a head reads);
* an append: ``services.transparency.tlog_append`` of one leaf, rolled back each time (frontier
  read, leaf hash, completed subtrees, inserts), with the rows it wrote.

    .venv/bin/python bench/transparency.py                     # 10,000,000 leaves
    .venv/bin/python bench/transparency.py --leaves 1000000 --queries 500 --keep
    .venv/bin/python bench/transparency.py --reuse             # time again on a kept database

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench_tlog);
the database is dropped at the end unless --keep.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_on_postgres, drop_database, progress  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_tlog"
LEAF = "disclosure_transparencyleaf"
NODE = "disclosure_transparencynode"


def _drop_constraints(cursor: object) -> None:
    """No foreign key to the feed (no events are filled), and the primary keys rebuilt after the fill."""
    for table in (LEAF, NODE):
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass", [table])  # type: ignore[attr-defined]
        for (name,) in cursor.fetchall():  # type: ignore[attr-defined]
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')  # type: ignore[attr-defined]


def fill(leaves: int) -> None:
    from django.db import connection, transaction

    from disclosure import merkle

    began = time.perf_counter()
    frontier: list[tuple[int, int, bytes]] = []
    batch = 200_000
    with transaction.atomic(), connection.cursor() as cursor:
        _drop_constraints(cursor)
        for start in range(0, leaves, batch):
            end = min(start + batch, leaves)
            nodes: list[tuple[int, int, int, bytes]] = []
            with cursor.copy(f'COPY {LEAF} ("index", position, content, hash) FROM STDIN') as copy:
                for index in range(start, end):
                    content = b'{"i":%d}' % index
                    digest = merkle.leaf_hash(content)
                    copy.write_row((index, index + 1, content, digest))
                    frontier, completed = merkle.frontier_after(frontier, index, digest)
                    nodes.extend((merkle.node_key(level, i), level, i, h) for level, i, h in completed)
            with cursor.copy(f'COPY {NODE} (key, level, "index", hash) FROM STDIN') as copy:
                for row in nodes:
                    copy.write_row(row)
            progress(end, leaves, began)
        print("  primary keys, analyze")
        cursor.execute(f'ALTER TABLE {LEAF} ADD PRIMARY KEY ("index")')
        cursor.execute(f"ALTER TABLE {NODE} ADD PRIMARY KEY (key)")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {LEAF}")
        cursor.execute(f"ANALYZE {NODE}")
    print(f"  filled in {time.perf_counter() - began:,.0f} s")


def _hand_written(plan: object) -> list[bytes]:
    """The best plan by hand: the same parts, fetched by primary key in one statement, folded."""
    from django.db import connection

    from disclosure import merkle

    assert isinstance(plan, merkle.Plan)
    parts = plan.parts()
    leaves = [i for level, i in parts if level == 0]
    keys = [merkle.node_key(level, i) for level, i in parts if level]
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT 0, "index", hash FROM {LEAF} WHERE "index" = ANY(%s) '  # noqa: S608
                       f'UNION ALL SELECT level, "index", hash FROM {NODE} WHERE key = ANY(%s)', [leaves, keys])
        found = {(level, index): bytes(h) for level, index, h in cursor.fetchall()}
    return plan.resolve(found)


def _time(fn: Callable[[], object]) -> float:
    began = time.perf_counter()
    fn()
    return (time.perf_counter() - began) * 1000


def _stats(runs: list[float]) -> tuple[float, float]:
    runs = sorted(runs)
    return statistics.median(runs), runs[min(len(runs) - 1, int(len(runs) * 0.95))]


def measure(queries: int, seed: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from disclosure import merkle
    from disclosure.models import FeedEvent, RecordVersion, TransparencyNode
    from disclosure.selectors import transparency as sel
    from disclosure.services.transparency import tlog_append

    n = sel.tree_size()
    rng = random.Random(seed)
    print(f"tree of {n:,} leaves; {queries} random queries each, median / p95 ms")
    cases: list[tuple[str, Callable[[], object], Callable[[], object]]] = []
    for _ in range(queries):
        size = rng.randint(n // 2, n)
        index = rng.randrange(size)
        cases.append(("inclusion", lambda i=index, s=size: sel.inclusion_path(index=i, size=s),
                      lambda i=index, s=size: _hand_written(merkle.inclusion_plan(i, s))))
        first = rng.randint(1, n)
        second = rng.randint(first, n)
        cases.append(("consistency", lambda a=first, b=second: sel.consistency_path(first=a, second=b),
                      lambda a=first, b=second: _hand_written(merkle.consistency_plan(a, b))))
        cases.append(("root", lambda s=size: sel.tree_root(s), lambda s=size: _hand_written(merkle.root_plan(s))[0]))
    # Both ways agree, and warm the caches the same for both.
    for _kind, ours, theirs in cases[:30]:
        assert ours() == theirs()
    rng.shuffle(cases)
    timings: dict[str, tuple[list[float], list[float]]] = {}
    for kind, ours, theirs in cases:
        mine, best = timings.setdefault(kind, ([], []))
        mine.append(_time(ours))
        best.append(_time(theirs))
    for kind, (mine, best) in timings.items():
        (m50, m95), (b50, b95) = _stats(mine), _stats(best)
        print(f"  {kind:<12} selector {m50:6.2f} / {m95:6.2f}   hand-written SQL {b50:6.2f} / {b95:6.2f}"
              f"   ratio (median) {m50 / b50:4.2f}")

    # Appends: the service, leaf after leaf (each its own call, as each publication makes one),
    # all rolled back at the end so the tree stays at n.
    runs = []
    count = min(queries, 512)
    with transaction.atomic():
        nodes_before = TransparencyNode.objects.count()
        for k in range(count):
            event = FeedEvent(position=n + 1 + k, record_id=1 + k, action="publish", public=True, at=timezone.now(),
                              version=RecordVersion(number=2, status="published"))
            began = time.perf_counter()
            tlog_append(entries=[(event, None)])
            runs.append((time.perf_counter() - began) * 1000)
        written = TransparencyNode.objects.count() - nodes_before
        transaction.set_rollback(True)
    m50, m95 = _stats(runs)
    print(f"  append       tlog_append, {count} leaves one by one from n = {n:,}: {m50:6.2f} / {m95:6.2f} ms each "
          f"(one frontier query of at most {n.bit_length()} hashes; {written} subtree rows for {count} leaves)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time a database kept by an earlier run")
    args = parser.parse_args()
    url = django_on_postgres(DEFAULT_URL, reuse=args.reuse, error=parser.error)
    try:
        if not args.reuse:
            fill(args.leaves)
        measure(args.queries, args.seed)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(url)
            print("dropped the database (--keep keeps it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
