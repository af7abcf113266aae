"""Public search benchmark: GET /api/v1/public/records/ at a million published records.

Fills a throw-away PostgreSQL database like bench/records_list.py (same fill), gives the rows
credit codes and keyword-searchable names, then times, in the same run, the public selector
(``disclosure.selectors.public.public_search``: first page of 20 and its count) against the bare
SQL a careful hand-written query would run, for a credit-code lookup and a keyword search.
Prints median and p95 in milliseconds and the ratio selector / bare SQL.

    .venv/bin/python bench/public_search.py                    # 1,000,000 records
    .venv/bin/python bench/public_search.py --records 200000 --reuse
"""
from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_on_postgres, runs_ms  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_public"


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, p95) milliseconds of ``repeat`` runs after one warm-up."""
    runs = runs_ms(fn, repeat)
    return statistics.median(runs), runs[min(len(runs) - 1, int(len(runs) * 0.95))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="time an existing database without refilling")
    args = parser.parse_args()
    from bench.records_list import fill

    django_on_postgres(DEFAULT_URL, reuse=args.reuse, error=parser.error)
    from django.db import connection

    from disclosure.credit_code import make_credit_code
    from disclosure.models import Record
    from disclosure.selectors.public import SearchParams, public_search

    code = make_credit_code("91211400MA0Q1234X")
    if not args.reuse:
        fill(args.records)
        with connection.cursor() as cursor:
            # 20,000 companies with about 50 records each; one real, checked code among them.
            cursor.execute("UPDATE disclosure_record SET subject_code = CASE WHEN id %% 20000 = 7 THEN %s "
                           "ELSE lpad((id %% 20000)::text, 18, '0') END, "
                           "subject_name = '葫芦岛市' || (ARRAY['星海','龙湾','兴城','绥中','建昌'])[1 + id %% 5] "
                           "|| '商贸有限公司' || (id %% 20000)", [code])
            cursor.execute("ANALYZE disclosure_record")
    total = Record.objects.count()
    public = public_search(params=SearchParams()).count()
    print(f"public_search: {total:,} records ({public:,} public), {args.repeat} runs each, ms")

    def fetch(sql: str, params: list[object]) -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    base = ("FROM disclosure_record r WHERE r.status IN ('published','changed','corrected') "
            "AND r.disclosure = 'public' AND (r.expires_on IS NULL OR r.expires_on > CURRENT_DATE) "
            "AND (NOT r.surprise OR EXISTS (SELECT 1 FROM disclosure_record t WHERE t.task_id = r.id "
            "AND t.published_at IS NOT NULL))")
    cases = {
        "credit-code lookup": (SearchParams(subject_code=code), "AND r.subject_code = %s", [code]),
        "keyword, 3+ characters (兴城商贸)": (SearchParams(q="兴城商贸"),
                                       "AND (UPPER(r.title::text) LIKE UPPER(%s) OR UPPER(r.subject_name::text) "
                                       "LIKE UPPER(%s))", ["%兴城商贸%", "%兴城商贸%"]),
        "keyword, rare (有限公司19999)": (SearchParams(q="有限公司19999"),
                                     "AND (UPPER(r.title::text) LIKE UPPER(%s) OR UPPER(r.subject_name::text) "
                                     "LIKE UPPER(%s))", ["%有限公司19999%", "%有限公司19999%"]),
        "no filter (newest first)": (SearchParams(), "", []),
    }
    print(f"{'search':<34}{'rows':>9}{'ORM med':>9}{'ORM p95':>9}{'SQL med':>9}{'SQL p95':>9}{'ratio':>7}")
    for label, (params, where, sql_params) in cases.items():
        def orm(params: SearchParams = params) -> object:
            qs = public_search(params=params)
            return qs.count(), list(qs[:20])

        def bare(where: str = where, sql_params: list[object] = sql_params) -> object:
            joined = base.replace("WHERE", "JOIN disclosure_agency a ON a.id = r.agency_id WHERE", 1)
            return (fetch(f"SELECT count(*) {base} {where}", sql_params),
                    fetch(f"SELECT r.*, a.code, a.name {joined} {where} "
                          "ORDER BY r.published_at DESC, r.id DESC LIMIT 20", sql_params))

        rows = public_search(params=params).count()
        orm_med, orm_p95 = timed(orm, args.repeat)
        sql_med, sql_p95 = timed(bare, args.repeat)
        print(f"{label:<34}{rows:>9,}{orm_med:>9.1f}{orm_p95:>9.1f}{sql_med:>9.1f}{sql_p95:>9.1f}"
              f"{orm_med / sql_med:>6.2f}x")
    print("ORM: the selector the API runs (count + first page of 20); SQL: the same by hand; ratio of medians")
    return 0


if __name__ == "__main__":
    sys.exit(main())
