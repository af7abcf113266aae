"""Deadline sweep benchmark: classify a million open deadlines and record the notices due.

Builds a throw-away PostgreSQL database with ``--records`` open (draft) records whose due dates
are spread evenly from 30 days ago to 30 days ahead (plus a tenth as many published ones, which
the sweep must skip), then times, in the same run:

* bare SQL, classification only: the one aggregate that counts each class;
* bare SQL, the whole job: that aggregate plus one hand-written ``INSERT … SELECT … ON CONFLICT``
  per class, the least any implementation must do;
* ``scheduler.sweep.deadlines_sweep``, the code the Celery task and ``check_deadlines`` run;

first on an empty notice table (the first sweep after go-live: every overdue record is new), then
in the steady state (the same day again: nothing new), both as a full sweep (every open deadline
checked against the notices) and as the incremental sweep that beat runs by day (only what can
have changed class since the previous sweep; its bare twin is written by hand with the same
windows). Ratios are sweep / bare SQL doing the same work. Delivery to inboxes is not timed here (it is proportional to
new notices, not to open records).

    .venv/bin/python bench/sweep.py                      # 1,000,000 open records
    .venv/bin/python bench/sweep.py --records 200000

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/disclosure_bench_sweep);
the database is dropped and created anew unless --reuse is given.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_on_postgres, median_ms, progress  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/disclosure_bench_sweep"


def fill(records: int) -> None:
    """Copy one template record made through the ORM ``records`` times with INSERT … SELECT, varying
    agency, status and dates: every other column keeps the model's own value, whatever columns
    later issues add."""
    from django.db import connection
    from django.utils import timezone

    from disclosure.models import Agency, Record, User

    owner = User.objects.create_user(username="bench-owner")
    agency = Agency.objects.first()
    today = timezone.localdate()
    template = Record.objects.create(kind="penalty", agency=agency, title="t", subject_name="s", event_date=today,
                                     due_date=today, created_by=owner)
    overrides = {
        "agency_id": "(%(agencies)s::bigint[])[1 + g %% %(n)s]",
        "status": "CASE WHEN g > %(records)s THEN 'published' ELSE 'draft' END",
        "title": "'案件' || g", "subject_name": "'某公司' || g",
        "event_date": "CURRENT_DATE - 40 + (g %% 61)", "due_date": "CURRENT_DATE - 30 + (g %% 61)",
        "created_at": "now() - interval '40 days'", "updated_at": "now() - interval '40 days'",
    }
    columns = [f.column for f in Record._meta.concrete_fields if f.column != "id"]
    select = ", ".join(overrides.get(c, f"t.{c}") for c in columns)
    agencies = list(Agency.objects.values_list("id", flat=True))
    total = records + records // 10
    batch = 100_000
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for offset in range(0, total, batch):
            cursor.execute(
                f"INSERT INTO disclosure_record ({', '.join(columns)}) SELECT {select} "
                "FROM disclosure_record t, generate_series(%(first)s, %(last)s) AS g WHERE t.id = %(template)s",
                {"agencies": agencies, "n": len(agencies), "records": records, "first": offset + 1,
                 "last": min(offset + batch, total), "template": template.pk},
            )
            progress(min(offset + batch, total), total, began)
        cursor.execute("DELETE FROM disclosure_record WHERE id = %s", [template.pk])
        cursor.execute("ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench database and its rows")
    args = parser.parse_args()

    django_on_postgres(DEFAULT_URL, reuse=args.reuse, error=parser.error)
    from datetime import timedelta

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from disclosure.models import Record
    from scheduler.models import SweepRun
    from scheduler.sweep import deadlines_sweep, thresholds_for

    if not args.reuse:
        fill(args.records)

    today = timezone.localdate()
    t = thresholds_for(today)
    classes = {
        "reminder": ("r.due_date > %s AND r.due_date <= %s", [t.today, t.soon_until]),
        "due_today": ("r.due_date = %s", [t.today]),
        "overdue": ("r.due_date < %s", [t.today]),
        "escalation": ("r.due_date <= %s", [t.escalate_until]),
    }
    open_rows = "r.status = 'draft' AND NOT r.backfill AND r.due_date IS NOT NULL"

    def execute(sql: str, params: list[object]) -> list[tuple[object, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def bare_classify() -> object:
        filters = ", ".join(f"count(*) FILTER (WHERE {where})" for where, _ in classes.values())
        params = [p for _, ps in classes.values() for p in ps]
        return execute(f"SELECT {filters} FROM disclosure_record r WHERE {open_rows} AND r.due_date <= %s",
                       [*params, t.soon_until])

    def windows() -> dict[str, tuple[str, list[object]]]:
        """What the hand-written incremental sweep rechecks: past the previous run's boundaries,
        or changed since it started (the same rule as scheduler.sweep)."""
        prev = SweepRun.objects.order_by("-finished_at").first()
        assert prev is not None
        since = prev.started_at - timedelta(minutes=settings.SWEEP_CHANGE_MARGIN_MINUTES)
        changed = "r.updated_at >= %s"
        return {
            "reminder": (f"(r.due_date > %s OR {changed})", [prev.soon_until, since]),
            "due_today": (f"(r.due_date > %s OR {changed})", [prev.today, since]),
            "overdue": (f"(r.due_date >= %s OR {changed})", [prev.today, since]),
            "escalation": (f"(r.due_date > %s OR {changed})", [prev.escalate_until, since]),
        }

    def bare_whole(incremental: bool = False) -> None:
        bare_classify()
        window = windows() if incremental else {}
        for kind, (where, params) in classes.items():
            if incremental:
                where, params = f"{where} AND {window[kind][0]}", [*params, *window[kind][1]]
            with transaction.atomic():
                execute(
                    "INSERT INTO scheduler_notice (kind, subject_kind, subject_id, agency_id, due_date, created_at, "
                    "recipients) SELECT %s, 'record', r.id, r.agency_id, r.due_date, now(), 0 "
                    f"FROM disclosure_record r WHERE {open_rows} AND {where} AND NOT EXISTS ("
                    "SELECT 1 FROM scheduler_notice n WHERE n.subject_kind = 'record' AND n.subject_id = r.id "
                    "AND n.kind = %s AND n.due_date = r.due_date) "
                    "ON CONFLICT (subject_kind, subject_id, kind, due_date) DO NOTHING",
                    [kind, *params, kind],
                )

    def bare_incremental() -> None:
        bare_whole(incremental=True)

    def empty_notices() -> None:
        execute("TRUNCATE scheduler_notice, scheduler_notification, scheduler_sweeprun", [])

    def sweep() -> object:
        return deadlines_sweep(today=today)

    open_count = Record.objects.filter(status="draft").count()
    print(f"sweep: {open_count:,} open records ({Record.objects.count():,} in all), as of {today}, "
          f"median of {args.repeat} runs (s)")
    classify = median_ms(bare_classify, args.repeat, warm_up=False) / 1000
    cold_bare = median_ms(bare_whole, args.repeat, warm_up=False, before=empty_notices) / 1000
    cold_sweep = median_ms(sweep, args.repeat, warm_up=False, before=empty_notices) / 1000
    noticed = execute("SELECT count(*) FROM scheduler_notice", [])[0][0]
    warm_full_bare = median_ms(bare_whole, args.repeat, warm_up=False) / 1000
    warm_full_sweep = median_ms(lambda: deadlines_sweep(today=today, full=True), args.repeat, warm_up=False) / 1000
    warm_bare = median_ms(bare_incremental, args.repeat, warm_up=False) / 1000
    warm_sweep = median_ms(sweep, args.repeat, warm_up=False) / 1000
    print(f"{'':<52}{'bare SQL':>10}{'sweep':>10}{'ratio':>8}")
    print(f"{'classification only (the one aggregate)':<52}{classify:>10.3f}{'':>10}")
    print(f"{f'first sweep, full ({noticed:,} new notices)':<52}{cold_bare:>10.3f}{cold_sweep:>10.3f}"
          f"{cold_sweep / cold_bare:>7.2f}x")
    print(f"{'same day again, full (nothing new)':<52}{warm_full_bare:>10.3f}{warm_full_sweep:>10.3f}"
          f"{warm_full_sweep / warm_full_bare:>7.2f}x")
    print(f"{'same day again, incremental (nothing new)':<52}{warm_bare:>10.3f}{warm_sweep:>10.3f}"
          f"{warm_sweep / warm_bare:>7.2f}x")
    print(f"incremental sweep / classification aggregate alone: {warm_sweep / classify:.2f}x")
    empty_notices()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
