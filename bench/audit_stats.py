"""Timeliness statistics benchmark: the rollup against today's direct query, at 5 million records.

Builds a throw-away PostgreSQL database (default ``bench_rol_stats``, 5,000,000 records over
2024-2026 spread over the real agency tree, skewed, 10 % drafts, 2 % backfilled), generated with
one INSERT ... SELECT generate_series per batch (triggers off, so the rollup is then counted by
``rollup_rebuild``, the code of ``manage.py rebuild_timeliness_rollup``, timed), then times for
one year (2025, about a third of the rows) and for one month, in the same run, median and p95:

* direct     - ``timeliness_statistics_direct``: GROUP BY over the records (the code before the
               rollup, kept as the reference);
* rollup     - ``timeliness_statistics``: the same figures from the rollup, what the API and the
               dashboard run (every agency rolled up over its subtree, by kind, exact median and
               p90 latency, backfill counted apart);
* SQL/rollup - the rollup read as bare SQL (one GROUP BY over the same rows), without the ORM and
               the Python roll-up: the floor for this design;

and the 12-month trend (direct and rollup). It checks that rollup and direct give the same
figures for every agency, kind and month, and that the direct query agrees with the textbook
aggregate (an ancestor join and percentile_cont), prints ratios, and drops the database at the end
(unless --keep).

    .venv/bin/python bench/audit_stats.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_rol_x .venv/bin/python bench/audit_stats.py \
        --records 1000000 --keep
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_on_postgres, drop_database, runs_ms  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_rol_stats"


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
ROLLUP_SQL = """
    SELECT agency_id, kind, state, latency, late_days, sum(n), sum(n) FILTER (WHERE due < %(today)s)
    FROM disclosure_timelinessrollup
    WHERE {window}
    GROUP BY agency_id, kind, state, latency, late_days
"""


def rollup_window(start: date, end: date, today: date) -> tuple[str, dict[str, object]]:
    """The rollup rows of [start, end] as the selector reads them, as a WHERE clause: whole years,
    whole months and days; drafts split at ``today``."""
    from datetime import timedelta

    from reports.selectors import _segments

    params: dict[str, object] = {"today": today}

    def ranges(segments: list[tuple[str, date, date]]) -> str:
        parts = []
        for span, first, last in segments:
            index = len(params)
            parts.append(f"(span = '{span}' AND due BETWEEN %(a{index})s AND %(b{index})s)")
            params[f"a{index}"], params[f"b{index}"] = first, last
        return " OR ".join(parts) or "false"

    whole = _segments(start, end)
    drafts = _segments(start, min(end, today - timedelta(days=1))) + _segments(max(start, today), end)
    if drafts == whole:  # today splits no row of the period: one range per span
        return ranges(whole), params
    return f"(state <> 3 AND ({ranges(whole)})) OR (state = 3 AND ({ranges(drafts)}))", params


def median_p95(runs: list[float]) -> tuple[float, float]:
    ordered = sorted(runs)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=11, help="timed runs of each (the direct query: --repeat-direct)")
    parser.add_argument("--repeat-direct", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the bench database (drop it by hand later)")
    parser.add_argument("--reuse", action="store_true", help="use an existing bench database and its rows")
    args = parser.parse_args()

    url = django_on_postgres(DEFAULT_URL, reuse=args.reuse, error=parser.error)
    from django.db import connection

    from disclosure.models import Agency, Record, TimelinessRollup
    from disclosure.services.rollup import rollup_rebuild
    from reports.selectors import (
        month_starts,
        report_scope,
        timeliness_statistics,
        timeliness_statistics_direct,
        timeliness_trend,
        timeliness_trend_direct,
    )

    try:
        if not args.reuse:
            fill(args.records)
        # The fill bypasses the services, so the rollup is counted here (and, reusing a database,
        # checked): the code of manage.py rebuild_timeliness_rollup.
        began = time.perf_counter()
        result = rollup_rebuild(progress=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE disclosure_timelinessrollup")
        print(f"rollup_rebuild: {time.perf_counter() - began:.1f} s, {result.rows:,} rows repaired "
              f"({result.agencies} agencies)")

        def fetch(sql: str, params: dict[str, object]) -> list[tuple[object, ...]]:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        today = date(2026, 12, 1)
        total = Record.objects.count()
        print(f"audit_stats: {total:,} records, {Agency.objects.count()} agencies, "
              f"{TimelinessRollup.objects.count():,} rollup rows, PostgreSQL "
              f"{connection.cursor().connection.info.server_version}; ms, median / p95 of {args.repeat} runs "
              f"({args.repeat_direct} for the direct query)")

        def shape(stats: object) -> dict[object, object]:
            out: dict[object, object] = {}
            for pk, row in stats.rows.items():  # type: ignore[attr-defined]
                out[pk] = (row.total.as_dict(), +row.total.latency, row.backfill,
                           {k: (f.as_dict(), +f.latency) for k, f in row.by_kind.items()})
            return out

        def cell(runs: list[float]) -> str:
            median, p95 = median_p95(runs)
            return f"{median:>9.1f} /{p95:>7.1f}"

        print(f"{'period':<18}{'rows due':>11}{'direct':>18}{'rollup':>18}{'SQL/rollup':>18}{'direct/rollup':>15}")
        ok = True
        for label, start, end in (("year 2025", date(2025, 1, 1), date(2025, 12, 31)),
                                  ("month 2025-06", date(2025, 6, 1), date(2025, 6, 30)),
                                  ("month 2026-12 (today's)", date(2026, 12, 1), date(2026, 12, 31))):
            def direct(start: date = start, end: date = end) -> object:
                # The scope is built inside, as the API does per request.
                return timeliness_statistics_direct(scope=report_scope(), date_from=start, date_to=end, today=today)

            def rollup(start: date = start, end: date = end) -> object:
                return timeliness_statistics(scope=report_scope(), date_from=start, date_to=end, today=today)

            window, params = rollup_window(start, end, today)

            def bare(window: str = window, params: dict[str, object] = params) -> object:
                return fetch(ROLLUP_SQL.format(window=window), params)

            mine, reference = rollup(), direct()
            same = shape(mine) == shape(reference)
            expected = {row[0]: row[1:] for row in fetch(PCT_SQL, {"start": start, "end": end, "today": today})}
            textbook = all(
                (row.total.due, row.total.published_on_time, row.total.published_late, row.total.late_working_days,
                 row.total.overdue_unpublished, row.total.pending) == tuple(expected[pk][:6])
                for pk, row in reference.rows.items() if row.total.due  # type: ignore[attr-defined]
            )
            ok = ok and same and textbook
            slow, fast, floor = (runs_ms(direct, args.repeat_direct), runs_ms(rollup, args.repeat),
                                 runs_ms(bare, args.repeat))
            due = mine.total.total.due if mine.total else 0  # type: ignore[attr-defined]
            print(f"{label:<18}{due:>11,}{cell(slow)}{cell(fast)}{cell(floor)}"
                  f"{statistics.median(slow) / statistics.median(fast):>14.1f}x")
            print(f"  figures identical for all {len(mine.rows)} agencies (rollup = direct): "  # type: ignore[attr-defined]
                  f"{'yes' if same else 'NO'}; direct = textbook percentile SQL: {'yes' if textbook else 'NO'}")

        months = month_starts(date(2026, 11, 1), 12)

        def trend_direct() -> object:
            return timeliness_trend_direct(scope=report_scope(), agency=None, months=months, today=today)

        def trend_rollup() -> object:
            return timeliness_trend(scope=report_scope(), agency=None, months=months, today=today)

        same = trend_direct() == trend_rollup()
        ok = ok and same
        slow, fast = runs_ms(trend_direct, args.repeat_direct), runs_ms(trend_rollup, args.repeat)
        print(f"{'trend 12 months':<18}{'':>11}{cell(slow)}{cell(fast)}{'':>18}"
              f"{statistics.median(slow) / statistics.median(fast):>14.1f}x")
        print(f"  trend identical (rollup = direct): {'yes' if same else 'NO'}")
        print("direct/rollup: how many times faster the rollup answers than the direct query, medians")
        return 0 if ok else 1
    finally:
        connection.close()
        if not args.keep:
            drop_database(url)
            print(f"dropped database {urlparse(url).path.lstrip('/')}")


if __name__ == "__main__":
    sys.exit(main())
