"""Backfill import benchmark: ``manage.py import_records`` on a generated 100,000-row CSV.

Builds a fresh database (SQLite file ``bench-backfill.sqlite3`` in the temp directory by default; PostgreSQL when
BENCH_DATABASE_URL is set: that database is dropped and created anew), loads the agency tree,
writes N rows of historical records of every kind (four in five marked published, so they are
published as well), then times in the same run:

* **parse + check only** — reading the CSV and checking every row (``import_records`` stops
  there when a row is bad): the floor of any import of this file;
* **raw bulk insert** — the same rows as ``Record`` objects with ``bulk_create``: no versions,
  no audit trail, no deadlines; what a second write path would cost, shown for scale only;
* **import_records** — the real command, with its progress bar: every row through
  ``record_create`` (+ ``record_publish``), with versions and hash-chained audit entries.

    .venv/bin/python bench/backfill_import.py                 # 100,000 rows on SQLite
    .venv/bin/python bench/backfill_import.py --rows 10000
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_insp .venv/bin/python bench/backfill_import.py
"""
from __future__ import annotations

import argparse
import csv
import os
import random
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


def write_csv(path: Path, rows: int, agencies: list[str], seed: int) -> None:
    from disclosure.credit_code import CHARSET, make_credit_code

    rng = random.Random(seed)  # noqa: S311  # synthetic data, not a draw
    start = date(2017, 1, 1)
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
                f"BENCH-{n:07d}", kind, rng.choice(agencies), f"历史监管信息{n}", f"葫芦岛市某某有限公司{n}", code, "",
                (start + timedelta(days=rng.randint(0, 1000))).isoformat(), "补录的历史信息。", "《行政许可法》",
                f"葫历〔2018〕{n}号", "public", "", "no", task_ref, "yes" if n % 5 else "no",
            ])
            if kind == "inspection_task":
                last_task = f"BENCH-{n:07d}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

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

    from disclosure.models import Agency, Record, RecordVersion, User
    from disclosure.services.users import membership_set
    from inspections.services import backfill
    from inspections.tabular import read_table

    print(f"backfill_import: {args.rows:,} rows on {connection.vendor}; setting up (migrate, load_agencies)")
    call_command("migrate", verbosity=0)
    call_command("load_agencies", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    clerk = User.objects.create_user(username="bench-importer")
    membership_set(user=clerk, agency=Agency.objects.get(code="city"), role="clerk")  # the whole tree
    agencies = list(Agency.objects.values_list("code", flat=True))

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "backfill.csv"
        began = time.perf_counter()
        write_csv(path, args.rows, agencies, args.seed)
        print(f"generated {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - began:.1f} s")
        data = path.read_bytes()

        # Baseline 1: parse and check every row, nothing written.
        began = time.perf_counter()
        table = read_table(path.name, data, required=backfill.REQUIRED)
        scope = {a.code: a for a in Agency.objects.all()}
        errors: list[backfill.RowError] = []
        known: set[str] = set()
        parsed = []
        for number, row in table.rows:
            item = backfill._parse(number, row, scope, known, errors)
            known.add(row["external_id"])
            parsed.append(item)
        parse_s = time.perf_counter() - began
        assert not errors, errors[:3]

        # Baseline 2: the same rows bulk-inserted raw, then removed again.
        began = time.perf_counter()
        with transaction.atomic():
            Record.objects.bulk_create([
                Record(agency=p.agency, created_by=clerk, **{k: v for k, v in p.values.items() if k != "task"})
                for p in parsed if p is not None], batch_size=2000)
            bulk_s = time.perf_counter() - began
            transaction.set_rollback(True)

        began = time.perf_counter()
        call_command("import_records", str(path), "--user", clerk.username)
        import_s = time.perf_counter() - began

    records = Record.objects.filter(backfill=True).count()
    versions = RecordVersion.objects.count()
    print()
    print(f"{'step':<42}{'rows':>10}{'seconds':>10}{'rows/s':>10}")
    for label, seconds in [("parse + check only (baseline)", parse_s), ("raw bulk insert (no services)", bulk_s),
                           ("import_records (services, all or nothing)", import_s)]:
        print(f"{label:<42}{args.rows:>10,}{seconds:>10.1f}{args.rows / seconds:>10,.0f}")
    print(f"records {records:,}, versions {versions:,}")
    print(f"ratio import / parse+check: {import_s / parse_s:.1f}x; import / raw bulk insert: {import_s / bulk_s:.1f}x")
    if connection.vendor == "postgresql":
        print("dropping the bench tables' rows is done by dropping the database: "
              f"DROP DATABASE {urlparse(url).path.lstrip('/')}")
    return 0 if records == args.rows else 1


if __name__ == "__main__":
    sys.exit(main())
