"""Timeliness statistics benchmark: reports.selectors.timeliness_statistics at 5 million records.

Builds a throw-away PostgreSQL database (default 5,000,000 records over 2024-2026 spread over the
real agency tree, skewed, 10 % drafts, 2 % backfilled), generated with one INSERT ... SELECT
generate_series per batch, then times for one year (2025, about a third of the rows: "a year of
a province's records") and for one month, in the same run:

* selector   - ``timeliness_statistics`` for the auditor's scope (every agency, each rolled up over
               its subtree, by kind, backfill counted apart), the code the API and dashboard run;
* SQL/pct    - the bare SQL aggregate that computes the same per-agency roll-up figures the
               textbook way: join every record to each of its ancestors by path prefix, GROUP BY
               ancestor, median and p90 with percentile_cont;
* SQL/hist   - the selector's own plan as bare SQL (GROUP BY agency, kind, latency), without the
               ORM and the Python roll-up: what the ORM layer costs.

It checks that the selector and SQL/pct give the same figures for every agency, prints the
medians and the ratios, and drops the database at the end (unless --keep).

    .venv/bin/python bench/audit_stats.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_audit .venv/bin/python bench/audit_stats.py \
        --records 1000000 --keep
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_on_postgres, drop_database, median_ms  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_audit"


FILLED = {"id", "kind", "agency_id", "status", "version", "title", "subject_name", "subject_code", "subject_type",
          "event_date", "content", "legal_basis", "document_number", "disclosure", "withheld_reason", "surprise",
          "backfill", "due_date", "due_provisional", "published_at", "published_on", "on_time", "late_working_days",
          "latency_working_days", "created_by_id", "created_at", "updated_at"}
NEUTRAL = {"boolean": "false", "jsonb": "'[]'::jsonb", "date": "DATE '2024-01-01'",
           "timestamp with time zone": "now()"}


def other_required_columns() -> tuple[str, str]:
    """Columns other apps added to the record table that must not be NULL: filled with a neutral
    value of their type, so the benchmark does not break when the model grows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = "
                       "'disclosure_record' AND is_nullable = 'NO'")
        extra = [(name, kind) for name, kind in cursor.fetchall() if name not in FILLED]
    names = "".join(f", {name}" for name, _kind in extra)
    values = "".join(f", {NEUTRAL.get(kind, '0' if 'int' in kind or kind == 'numeric' else chr(39) * 2)}"
                     for _name, kind in extra)
    return names, values


def fill(records: int) -> None:
    from django.db import connection
    from tqdm import tqdm

    from disclosure.models import Agency, User

    extra_names, extra_values = other_required_columns()

    owner = User.objects.create_user(username="bench-owner")
    agencies = list(Agency.objects.order_by("path").values_list("id", flat=True))
    batch = 250_000
    with connection.cursor() as cursor, tqdm(total=records, unit="rec", unit_scale=True, desc="fill") as bar:
        # Other apps' row triggers (search vectors, feed) are not what is measured here; bulk
        # generated rows skip them, which keeps 5 million rows to a few minutes.
        cursor.execute("ALTER TABLE disclosure_record DISABLE TRIGGER USER")
        for offset in range(0, records, batch):
            size = min(batch, records - offset)
            # l = latency in working days (0-22); the due date lies 10 working days (14 days) after the
            # event; on time when l <= 10; drafts (1 in 10) have no publication.
            cursor.execute(
                """
                INSERT INTO disclosure_record (kind, agency_id, status, version, title, subject_name, subject_code,
                    subject_type, event_date, content, legal_basis, document_number, disclosure, withheld_reason,
                    surprise, backfill, due_date, due_provisional, published_at, published_on, on_time,
                    late_working_days, latency_working_days, created_by_id, created_at, updated_at"""
                + extra_names + """)
                SELECT (ARRAY['permit','penalty','inspection_task','inspection_result','other'])[1 + g %% 5],
                       (%s::bigint[])[1 + floor(power(random(), 3) * %s)::int],
                       CASE WHEN g %% 10 = 0 THEN 'draft' WHEN g %% 97 = 0 THEN 'revoked' ELSE 'published' END, 1,
                       '案件' || g, '某公司' || g, '', 'organization',
                       DATE '2024-01-01' + (g %% 1090), '', '', '', 'public', '', false, g %% 50 = 0,
                       DATE '2024-01-15' + (g %% 1090), false,
                       CASE WHEN g %% 10 = 0 THEN NULL ELSE now() END,
                       CASE WHEN g %% 10 = 0 THEN NULL ELSE DATE '2024-01-01' + (g %% 1090) + (g * 7 %% 23) * 7 / 5 END,
                       CASE WHEN g %% 10 = 0 THEN NULL ELSE (g * 7 %% 23) <= 10 END,
                       CASE WHEN g %% 10 = 0 THEN NULL ELSE greatest(0, (g * 7 %% 23) - 10) END,
                       CASE WHEN g %% 10 = 0 THEN NULL ELSE g * 7 %% 23 END,
                       %s, now(), now()"""
                + extra_values + """
                FROM generate_series(%s, %s) AS g
                """,
                [agencies, len(agencies), owner.pk, offset + 1, offset + size],
            )
            bar.update(size)
        cursor.execute("ALTER TABLE disclosure_record ENABLE TRIGGER USER")
        cursor.execute("ANALYZE disclosure_record")


PCT_SQL = """
    SELECT anc.id,
           count(*),
           count(*) FILTER (WHERE r.published_on IS NOT NULL AND r.on_time),
           count(*) FILTER (WHERE r.published_on IS NOT NULL AND NOT r.on_time),
           coalesce(sum(r.late_working_days) FILTER (WHERE r.published_on IS NOT NULL AND NOT r.on_time), 0),
           count(*) FILTER (WHERE r.status = 'draft' AND r.due_date < %(today)s),
           count(*) FILTER (WHERE r.status = 'draft' AND r.due_date >= %(today)s),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.latency_working_days),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY r.latency_working_days)
    FROM disclosure_record r
    JOIN disclosure_agency a ON a.id = r.agency_id
    JOIN disclosure_agency anc ON a.path LIKE anc.path || '%%'
    WHERE NOT r.backfill AND r.due_date BETWEEN %(start)s AND %(end)s
    GROUP BY anc.id
"""
BACKFILL_SQL = """
    SELECT agency_id, count(*) FROM disclosure_record
    WHERE backfill AND due_date BETWEEN %(start)s AND %(end)s GROUP BY agency_id
"""
# The index the report proposes for disclosure.Record: the statistics read it alone (index-only scan).
PROPOSED_INDEX = """
    CREATE INDEX record_due_stats ON disclosure_record (due_date)
    INCLUDE (agency_id, kind, status, backfill, published_on, on_time, late_working_days, latency_working_days)
"""
HIST_SQL = """
    SELECT agency_id, kind, latency_working_days, backfill, count(*),
           count(*) FILTER (WHERE published_on IS NOT NULL AND on_time),
           count(*) FILTER (WHERE published_on IS NOT NULL AND NOT on_time),
           sum(late_working_days) FILTER (WHERE published_on IS NOT NULL AND NOT on_time),
           max(late_working_days) FILTER (WHERE published_on IS NOT NULL AND NOT on_time),
           count(*) FILTER (WHERE status = 'draft' AND due_date < %(today)s),
           count(*) FILTER (WHERE status = 'draft' AND due_date >= %(today)s)
    FROM disclosure_record
    WHERE due_date BETWEEN %(start)s AND %(end)s
    GROUP BY agency_id, kind, latency_working_days, backfill
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the bench database (drop it by hand later)")
    parser.add_argument("--reuse", action="store_true", help="use an existing bench database and its rows")
    args = parser.parse_args()

    url = django_on_postgres(DEFAULT_URL, reuse=args.reuse, error=parser.error)
    from django.db import connection

    from disclosure.models import Agency, Record
    from reports.selectors import report_scope, timeliness_statistics

    try:
        if not args.reuse:
            fill(args.records)

        def fetch(sql: str, params: dict[str, object]) -> list[tuple[object, ...]]:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        today = date(2026, 12, 1)
        total = Record.objects.count()
        print(f"audit_stats: {total:,} records, {Agency.objects.count()} agencies, PostgreSQL "
              f"{connection.cursor().connection.info.server_version}, median of {args.repeat} runs (ms)")

        def run_periods(setting: str) -> bool:
            print(f"{setting}\n{'period':<26}{'rows due':>11}{'selector':>10}{'SQL/pct':>10}{'SQL/hist':>10}"
                  f"{'sel/pct':>9}{'sel/hist':>10}")
            for label, start, end in (("year 2025", date(2025, 1, 1), date(2025, 12, 31)),
                                      ("month 2025-06", date(2025, 6, 1), date(2025, 6, 30))):
                params: dict[str, object] = {"start": start, "end": end, "today": today}

                def selector(start: date = start, end: date = end) -> object:
                    # The scope is built inside, as the API does per request.
                    return timeliness_statistics(scope=report_scope(), date_from=start, date_to=end, today=today)

                def bare_pct(params: dict[str, object] = params) -> object:
                    return fetch(PCT_SQL, params), fetch(BACKFILL_SQL, params)

                def bare_hist(params: dict[str, object] = params) -> object:
                    return fetch(HIST_SQL, params)

                stats = timeliness_statistics(scope=report_scope(), date_from=start, date_to=end, today=today)
                expected = {row[0]: row[1:] for row in fetch(PCT_SQL, params)}
                mismatches = 0
                for agency_id, row in stats.rows.items():
                    f = row.total
                    if f.due == 0 and agency_id not in expected:
                        continue
                    mine = (f.due, f.published_on_time, f.published_late, f.late_working_days, f.overdue_unpublished,
                            f.pending, f.median_latency_working_days, f.p90_latency_working_days)
                    theirs = expected.get(agency_id)
                    if theirs is None or mine[:6] != tuple(theirs[:6]) or any(
                            (a is None) != (b is None) or (a is not None and abs(float(a) - float(b)) > 0.005)  # type: ignore[arg-type]
                            for a, b in zip(mine[6:], theirs[6:], strict=True)):
                        mismatches += 1
                        if mismatches == 1:
                            print(f"MISMATCH agency {agency_id}: selector {mine} vs SQL {theirs}")
                sel = median_ms(selector, args.repeat)
                pct = median_ms(bare_pct, args.repeat)
                hist = median_ms(bare_hist, args.repeat)
                due = stats.total.total.due if stats.total else 0
                print(f"{label:<26}{due:>11,}{sel:>10.1f}{pct:>10.1f}{hist:>10.1f}{sel / pct:>8.2f}x"
                      f"{sel / hist:>9.2f}x")
                print(f"  figures identical for all {len(stats.rows)} agencies: {'yes' if not mismatches else 'NO'}")
                if mismatches:
                    return False
            return True

        if not run_periods("without an index for the statistics (today's schema):"):
            return 1
        with connection.cursor() as cursor:
            cursor.execute(PROPOSED_INDEX)
            cursor.execute("VACUUM ANALYZE disclosure_record")
        if not run_periods("with the proposed covering index (see README):"):
            return 1
        print("sel/pct: selector / the bare percentile_cont roll-up (below 1: the selector is faster); "
              "sel/hist: selector / its own plan as bare SQL (the ORM and roll-up overhead)")
    finally:
        connection.close()
        if not args.keep:
            drop_database(url)
            print(f"dropped database {urlparse(url).path.lstrip('/')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
