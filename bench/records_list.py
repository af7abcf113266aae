"""Records list benchmark: the permission-scoped first page of GET /api/v1/records/ at scale.

Builds a throw-away PostgreSQL database (default 1,000,000 records spread over the real agency
tree, skewed so that some agencies are small), then times, for three callers — a clerk of a small
dispatched body, a district government's clerk (its whole subtree) and the bureau's auditor
(everything) — the queries the list endpoint runs (the scoped page and its count), through the
ORM selector and as hand-written bare SQL, in the same run, and prints the ratio.

    .venv/bin/python bench/records_list.py                  # 1,000,000 records
    .venv/bin/python bench/records_list.py --records 200000 --keep

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/disclosure_bench);
the database is dropped and created anew unless --reuse is given.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_on_postgres, median_ms, progress  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/disclosure_bench"


def fill(records: int) -> None:
    """Insert ``records`` rows with one INSERT … SELECT per batch: realistic shape, skewed agencies."""
    from django.db import connection

    from disclosure.models import Agency, User

    owner = User.objects.create_user(username="bench-owner")
    agencies = list(Agency.objects.order_by("path").values_list("id", flat=True))
    batch = 100_000
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for offset in range(0, records, batch):
            size = min(batch, records - offset)
            # Agency chosen with a skew: low indexes get most records, the last ones very few.
            cursor.execute(
                """
                INSERT INTO disclosure_record (kind, agency_id, status, version, title, subject_name, subject_code,
                    subject_type, event_date, content, legal_basis, document_number, disclosure, withheld_reason,
                    surprise, backfill, due_date, due_provisional, published_at, published_on, on_time,
                    late_working_days, created_by_id, created_at, updated_at)
                SELECT (ARRAY['permit','penalty','inspection_task','inspection_result','other'])[1 + g %% 5],
                       (%s::bigint[])[1 + floor(power(random(), 3) * %s)::int],
                       CASE WHEN g %% 10 = 0 THEN 'draft' ELSE 'published' END, 1,
                       '案件' || g, '某公司' || g, '', 'organization',
                       DATE '2024-01-01' + (g %% 1000), '', '', '', 'public', '', false, false,
                       DATE '2024-01-10' + (g %% 1000), false,
                       CASE WHEN g %% 10 = 0 THEN NULL ELSE now() END,
                       CASE WHEN g %% 10 = 0 THEN NULL ELSE DATE '2024-01-09' + (g %% 1000) END,
                       CASE WHEN g %% 10 = 0 THEN NULL ELSE true END,
                       CASE WHEN g %% 10 = 0 THEN NULL ELSE 0 END,
                       %s, now(), now()
                FROM generate_series(%s, %s) AS g
                """,
                [agencies, len(agencies), owner.pk, offset + 1, offset + size],
            )
            progress(offset + size, records, began)
        cursor.execute("ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench database and its rows")
    args = parser.parse_args()

    django_on_postgres(DEFAULT_URL, reuse=args.reuse, error=parser.error)
    from django.db import connection

    from disclosure.models import Agency, Record, User
    from disclosure.selectors.records import record_list
    from disclosure.services.users import membership_set

    if not args.reuse:
        fill(args.records)

    def staff(code: str, role: str) -> User:
        user, _ = User.objects.get_or_create(username=f"bench-{role}-{code}")
        membership_set(user=user, agency=Agency.objects.get(code=code), role=role)
        return user

    smallest = Agency.objects.filter(kind="dispatched_body").order_by("-path").first()
    assert smallest is not None
    callers = {
        f"clerk of {smallest.code}": staff(smallest.code, "clerk"),
        "clerk of the Lianshan district (subtree)": staff("lianshan", "clerk"),
        "auditor (everything)": staff("city-amr", "auditor"),
    }
    total = Record.objects.count()
    print(f"records_list: {total:,} records, {Agency.objects.count()} agencies, median of {args.repeat} runs (ms)")
    print(f"{'caller':<44}{'rows':>10}{'ORM page':>10}{'SQL page':>10}{'ORM count':>11}{'SQL count':>11}"
          f"{'ratio':>7}{'1-stmt count':>14}")

    scope_sql = """
        SELECT a.id FROM disclosure_agency a WHERE EXISTS (
            SELECT 1 FROM disclosure_agencyuserobjectpermission g
            JOIN auth_permission p ON p.id = g.permission_id
            JOIN disclosure_agency ga ON ga.id = g.content_object_id
            WHERE g.user_id = %s AND p.codename = 'view_agency_records' AND a.path LIKE ga.path || '%%')
    """

    def fetch(sql: str, params: list[object]) -> list[tuple[object, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def bare_where(user_id: int) -> tuple[str, list[object]]:
        """The baseline does what a careful hand-written query would: agency ids first, then a
        plain filter (none when the caller sees every agency)."""
        ids = [row[0] for row in fetch(scope_sql, [user_id])]
        if len(ids) == fetch("SELECT count(*) FROM disclosure_agency", [])[0][0]:
            return "", []
        return "WHERE r.agency_id = ANY(%s)", [ids]

    def bare_page(user_id: int) -> object:
        where, params = bare_where(user_id)
        return fetch("SELECT r.*, a.code FROM disclosure_record r JOIN disclosure_agency a ON a.id = r.agency_id "
                     f"{where} ORDER BY r.id DESC LIMIT 50", params)

    def bare_count(user_id: int) -> object:
        where, params = bare_where(user_id)
        return fetch(f"SELECT count(*) FROM disclosure_record r {where}", params)

    def one_statement_count(user_id: int) -> object:
        return fetch(f"SELECT count(*) FROM disclosure_record WHERE agency_id IN ({scope_sql})", [user_id])

    worst = 0.0
    for label, user in callers.items():
        qs = record_list(user=user)
        orm_page = median_ms(lambda user=user: list(record_list(user=user)[:50]), args.repeat)
        orm_count = median_ms(lambda user=user: record_list(user=user).count(), args.repeat)
        sql_page = median_ms(lambda user=user: bare_page(user.pk), args.repeat)
        sql_count = median_ms(lambda user=user: bare_count(user.pk), args.repeat)
        naive = median_ms(lambda user=user: one_statement_count(user.pk), max(3, args.repeat // 5))
        rows = qs.count()
        ratio = (orm_page + orm_count) / (sql_page + sql_count)
        worst = max(worst, orm_page + orm_count)
        print(f"{label:<44}{rows:>10,}{orm_page:>10.1f}{sql_page:>10.1f}{orm_count:>11.1f}{sql_count:>11.1f}"
              f"{ratio:>6.2f}x{naive:>14.1f}")
    print(f"slowest first page with its count: {worst:.1f} ms")
    print("ratio: ORM (page + count) / bare SQL (page + count); 1-stmt count: the scope as one subquery, "
          "the plan the selector avoids")
    return 0


if __name__ == "__main__":
    sys.exit(main())
