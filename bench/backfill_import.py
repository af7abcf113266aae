"""Backfill import benchmark: ``manage.py import_records``, batched and per record, on a generated CSV.

Builds a fresh database (SQLite file ``bench-backfill.sqlite3`` in the temp directory by default; PostgreSQL when
BENCH_DATABASE_URL is set: that database is dropped and created anew, and dropped again at the end unless
``--keep``), loads the agency tree, writes N rows of historical records of every kind (four in five marked
published, so they are published as well), then times in the same run:

* **parse + check only**: the batched path's streamed reading and checking of every row, nothing
  written (``import_records`` stops there when a row is bad): the floor of any import of this file;
* **import_records (batched)**: the real command, with its progress bar: the file streamed and written
  a chunk at a time by ``disclosure.services.bulk`` (records, versions, chained audit entries, feed
  events, projection, backfill items);
* **raw bulk insert of the same rows**: the best hand-written plan for writing what the batched import
  wrote, with nothing computed: PostgreSQL ``COPY`` of exactly those rows into empty copies of the
  tables with all their indexes (the projection's GIN indexes included); on SQLite a raw ``bulk_create``
  of the records only;
* **import_records --per-record**: every row through ``record_create`` (+ ``record_publish``), on a
  second file of ``--per-record-rows`` rows (default: all; at a million it would take hours, so time a
  sample and say so); ``--skip-per-record`` leaves it out (and ``--skip-floor`` the COPY floor, which
  holds the copied rows in memory).

Peak memory (``ru_maxrss``) is printed after each import: the batched one runs first, so its figure is
its own.

    .venv/bin/python bench/backfill_import.py --rows 10000                 # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_imp_backfill .venv/bin/python bench/backfill_import.py
    BENCH_DATABASE_URL=... .venv/bin/python bench/backfill_import.py --rows 1000000 --skip-per-record --skip-floor
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ["permit", "filing", "inspection_task", "inspection_result", "penalty", "coercive_measure",
         "administrative_order", "dishonest_list", "other"]
COLUMNS = ["external_id", "kind", "agency", "title", "subject_name", "subject_code", "subject_type", "event_date",
           "content", "legal_basis", "document_number", "disclosure", "withheld_reason", "surprise",
           "task_external_id", "published"]


def recreate_postgres(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def write_csv(path: Path, rows: int, agencies: list[str], seed: int, prefix: str = "BENCH") -> None:
    from disclosure.credit_code import CHARSET, make_credit_code

    rng = random.Random(seed)  # noqa: S311  # synthetic data, not a draw
    start = date(2024, 1, 1)  # recent: most records are inside their display period, so public
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        last_task = ""
        for n in range(rows):
            kind = KINDS[n % len(KINDS)]
            body = "".join(rng.choice(CHARSET[:10]) for _ in range(9))
            code = make_credit_code(f"912114{rng.randint(0, 99):02d}{body}")
            task_ref = last_task if kind == "inspection_result" else ""
            writer.writerow([
                f"{prefix}-{n:07d}", kind, rng.choice(agencies), f"历史监管信息{n}", f"葫芦岛市某某有限公司{n}", code,
                "",
                (start + timedelta(days=rng.randint(0, 1000))).isoformat(), "补录的历史信息。", "《行政许可法》",
                f"葫历〔2018〕{n}号", "public", "", "no", task_ref, "yes" if n % 5 else "no",
            ])
            if kind == "inspection_task":
                last_task = f"{prefix}-{n:07d}"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The tables an import writes, and how to find the rows one import wrote (``%s``: its batch id).
WRITTEN = [
    ("disclosure_record", "id IN (SELECT record_id FROM inspections_backfillitem WHERE batch_id = %s)"),
    ("disclosure_recordversion", "record_id IN (SELECT record_id FROM inspections_backfillitem WHERE batch_id = %s)"),
    ("disclosure_auditentry", "object_type = 'record' AND object_id IN "
     "(SELECT record_id::text FROM inspections_backfillitem WHERE batch_id = %s)"),
    ("disclosure_feedevent", "record_id IN (SELECT record_id FROM inspections_backfillitem WHERE batch_id = %s)"),
    ("disclosure_publicrecord", "record_id IN (SELECT record_id FROM inspections_backfillitem WHERE batch_id = %s)"),
    ("inspections_backfillitem", "batch_id = %s"),
]


def copy_floor(batch_id: int) -> tuple[float, dict[str, int]]:
    """COPY exactly the rows batch ``batch_id`` wrote into empty copies of their tables (every
    index, no trigger, no constraint to other tables); returns the seconds the COPYs took."""
    from django.db import connection, transaction

    dumps: dict[str, bytes] = {}
    columns: dict[str, str] = {}
    with connection.cursor() as cursor:
        raw = cursor.connection
        for table, where in WRITTEN:
            cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                           "AND is_generated = 'NEVER' ORDER BY ordinal_position", [table])
            columns[table] = ", ".join(f'"{name}"' for (name,) in cursor.fetchall())
            buf = io.BytesIO()
            query = f"COPY (SELECT {columns[table]} FROM {table} WHERE {where % int(batch_id)}) TO STDOUT"
            with raw.cursor().copy(query) as copy:
                for block in copy:
                    buf.write(block)
            dumps[table] = buf.getvalue()
    counts = {table: data.count(b"\n") for table, data in dumps.items()}
    with transaction.atomic(), connection.cursor() as cursor:
        for table, _where in WRITTEN:
            cursor.execute(f"CREATE TEMP TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        seconds = 0.0
        for table, _where in WRITTEN:
            began = time.perf_counter()
            with cursor.connection.cursor().copy(f"COPY floor_{table} ({columns[table]}) FROM STDIN") as copy:
                view = memoryview(dumps[table])
                for start in range(0, len(view), 1 << 20):
                    copy.write(view[start:start + (1 << 20)])
            took = time.perf_counter() - began
            seconds += took
            print(f"  COPY {counts[table]:>9,} rows into {table:<28} {took:6.2f} s")
        # What the projection's GIN indexes (fastupdate off, for search latency) cost of that.
        table = "disclosure_publicrecord"
        for variant in ("fastupdate on", "no GIN index"):
            name = "floor_gin_on" if variant == "fastupdate on" else "floor_no_gin"
            cursor.execute(f"CREATE TEMP TABLE {name} (LIKE {table} INCLUDING ALL)")
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef ILIKE %s",
                           [name, "%USING gin%"])
            for (index,) in cursor.fetchall():
                cursor.execute(f'ALTER INDEX "{index}" SET (fastupdate = on)' if variant == "fastupdate on"
                               else f'DROP INDEX "{index}"')
            began = time.perf_counter()
            with cursor.connection.cursor().copy(f"COPY {name} ({columns[table]}) FROM STDIN") as copy:
                copy.write(dumps[table])
            print(f"  COPY {counts[table]:>9,} rows into {table:<28} {time.perf_counter() - began:6.2f} s "
                  f"with its GIN indexes' {variant}")
        transaction.set_rollback(True)
    return seconds, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--per-record-rows", type=int, default=None,
                        help="rows of the per-record run (default: --rows); its figures are per row")
    parser.add_argument("--skip-per-record", action="store_true")
    parser.add_argument("--skip-floor", action="store_true",
                        help="no raw COPY floor (it holds the copied rows in memory: leave it out at a million)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    per_record_rows = 0 if args.skip_per_record else (args.per_record_rows or args.rows)

    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        if not url.startswith("postgres"):
            parser.error("BENCH_DATABASE_URL must point at PostgreSQL")
        recreate_postgres(url)
    else:
        db_file = Path(tempfile.gettempdir()) / "bench-backfill.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db_file}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "0")  # as in production: no per-query logging
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from backend.iterables import chunked
    from disclosure.models import (
        Agency,
        AuditEntry,
        BackfillBatch,
        FeedEvent,
        PublicRecord,
        Record,
        RecordVersion,
        User,
    )
    from disclosure.services import backfill
    from disclosure.services.users import membership_set

    print(f"backfill_import: {args.rows:,} rows on {connection.vendor}; setting up (migrate, load_agencies)")
    call_command("migrate", verbosity=0)
    call_command("load_agencies", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    clerk = User.objects.create_user(username="bench-importer")
    membership_set(user=clerk, agency=Agency.objects.get(code="city"), role="clerk")  # the whole tree
    agencies = list(Agency.objects.values_list("code", flat=True))
    results: list[tuple[str, int, float]] = []
    peaks: dict[str, float] = {}

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "backfill.csv"
        began = time.perf_counter()
        write_csv(path, args.rows, agencies, args.seed)
        print(f"generated {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - began:.1f} s")

        # Floor 1: stream, parse and check every row, nothing written.
        began = time.perf_counter()
        source = backfill._Source(path.name, None, path)
        report = backfill.BackfillReport()
        state = backfill._Batched(clerk, report, {a.code: a for a in Agency.objects.all()}, 0)
        for chunk in chunked(source.rows(), backfill.CHUNK):
            state.check(chunk)
        results.append(("parse + check only (floor)", args.rows, time.perf_counter() - began))
        assert not report.errors, report.errors[:3]
        del state
        peaks["after parse + check"] = peak_mb()

        began = time.perf_counter()
        call_command("import_records", str(path), "--user", clerk.username)
        results.append(("import_records (batched)", args.rows, time.perf_counter() - began))
        peaks["batched"] = peak_mb()
        batch_id = BackfillBatch.objects.get().pk
        counts = {"records": Record.objects.count(), "versions": RecordVersion.objects.count(),
                  "audit entries": AuditEntry.objects.count(), "feed events": FeedEvent.objects.count(),
                  "projection rows": PublicRecord.objects.count()}
        ok = counts["records"] == args.rows

        # Floor 2: the same rows written raw.
        if args.skip_floor:
            pass
        elif connection.vendor == "postgresql":
            seconds, copied = copy_floor(batch_id)
            results.append((f"raw COPY of the same {sum(copied.values()):,} rows (floor)", args.rows, seconds))
        else:
            began = time.perf_counter()
            with transaction.atomic():
                Record.objects.bulk_create([
                    Record(agency=p.agency, created_by=clerk, **{k: v for k, v in p.values.items() if k != "task"})
                    for p in (backfill._parse(n, row, {a.code: a for a in Agency.objects.all()}, set(), [])
                              for n, row in source.rows()) if p is not None], batch_size=2000)
                seconds = time.perf_counter() - began
                transaction.set_rollback(True)
            results.append(("raw bulk_create of the records only (floor)", args.rows, seconds))

        if per_record_rows:
            sample = Path(tmp) / "per-record.csv"
            write_csv(sample, per_record_rows, agencies, args.seed + 1, prefix="PER")
            began = time.perf_counter()
            call_command("import_records", str(sample), "--user", clerk.username, "--per-record")
            results.append(("import_records --per-record", per_record_rows, time.perf_counter() - began))
            peaks["per-record"] = peak_mb()
            ok = ok and Record.objects.count() == args.rows + per_record_rows

    print()
    print(f"{'step':<52}{'rows':>11}{'seconds':>10}{'rows/s':>10}")
    rates = {}
    for label, rows, seconds in results:
        rates[label] = rows / seconds
        print(f"{label:<52}{rows:>11,}{seconds:>10.1f}{rows / seconds:>10,.0f}")
    print(", ".join(f"{k} {v:,}" for k, v in counts.items()) + " (after the batched import)")
    batched = rates["import_records (batched)"]
    for label, rate in rates.items():
        if label != "import_records (batched)":
            print(f"batched / {label}: {batched / rate:.2f}x")
    print("peak memory (ru_maxrss, MB): " + ", ".join(f"{k} {v:,.0f}" for k, v in peaks.items())
          + " (a running maximum: each includes the steps before it)")
    if connection.vendor == "postgresql":
        connection.close()
        if args.keep:
            print(f"kept the database {urlparse(url).path.lstrip('/')}")
        else:
            from bench.common import drop_database

            drop_database(url)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
