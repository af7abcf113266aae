"""Exchange export benchmark: the national standard's penalties CSV of 1,000,000 published records.

Builds a throw-away PostgreSQL database, fills it with published penalties (one INSERT … SELECT per
batch, each with the standard's fields in ``details``), then in the same run:

* times ``manage.py export_exchange --dataset penalties --format csv`` — the real streaming code
  the API view runs too (``disclosure.selectors.exchange``: ``values()`` over a server-side cursor,
  ``iterator(chunk_size=…)``, formatted and written a batch at a time) — and its peak memory
  (``ru_maxrss`` growth of this process, and the tracemalloc peak in a second, traced run over a
  tenth of the rows);
* times the best hand-written plan: PostgreSQL ``COPY (SELECT …) TO STDOUT (FORMAT csv)`` with the
  same columns computed in SQL, read by psycopg and written to a file;
* prints both, the ratio, and checks that both files have one line per record.

    .venv/bin/python bench/exchange_export.py                    # 1,000,000 penalties
    .venv/bin/python bench/exchange_export.py --records 100000 --keep

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/disc_f14_exchange_bench);
the database is dropped at the end unless --keep.
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_on_postgres, drop_database, progress  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/disc_f14_exchange_bench"
TARGET_SECONDS = 60


def fill(records: int) -> None:
    """``records`` published penalties over the agency tree, with the standard's fields."""
    from django.db import connection

    from disclosure.models import Agency, User

    owner = User.objects.create_user(username="bench-owner")
    agencies = list(Agency.objects.order_by("path").values_list("id", flat=True))
    batch = 100_000
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for offset in range(0, records, batch):
            size = min(batch, records - offset)
            cursor.execute(
                """
                INSERT INTO disclosure_record (kind, agency_id, status, version, title, subject_name, subject_code,
                    subject_type, event_date, content, legal_basis, document_number, disclosure, withheld_reason,
                    surprise, backfill, due_date, due_provisional, published_at, published_on, on_time,
                    late_working_days, created_by_id, created_at, updated_at, penalty_types, fine_amount,
                    expires_on, details)
                SELECT 'penalty', (%s::bigint[])[1 + g %% %s], 'published', 2,
                       '葫芦岛市某商贸有限公司销售不合格产品案' || g, '葫芦岛市某商贸有限公司' || g,
                       '91211400MA0Q1234X' || (g %% 10), 'organization',
                       DATE '2026-01-01' + (g %% 300), '罚款人民币' || (g %% 50000) || '元。',
                       '《中华人民共和国产品质量法》第四十九条', '连市监罚〔2026〕' || g || '号', 'public', '',
                       false, false, DATE '2026-01-10' + (g %% 300), false,
                       TIMESTAMPTZ '2026-01-08 10:00+08' + make_interval(days => g %% 300),
                       DATE '2026-01-08' + (g %% 300), true, 0, %s, now(), now(),
                       '["fine", "confiscate_gains"]'::jsonb, (g %% 50000)::numeric(14, 2),
                       DATE '2029-01-01' + (g %% 300),
                       jsonb_build_object('legal_representative', '张某' || (g %% 100),
                                          'violation_type', '销售不合格产品',
                                          'violation_facts', '经抽检，当事人销售的产品不合格。',
                                          'confiscated_amount', ((g %% 9000) || '.00'),
                                          'penalty_valid_to', 'long_term')
                FROM generate_series(%s, %s) AS g
                """,
                [agencies, len(agencies), owner.pk, offset + 1, offset + size],
            )
            progress(offset + size, records, began)
        cursor.execute("ANALYZE disclosure_record")


# The same columns as ``disclosure.kinds.exchange.COLUMNS["penalties"]``, computed in SQL.
HAND_SQL = r"""
COPY (
SELECT r.subject_name AS "行政相对人名称",
       CASE r.subject_type WHEN 'organization' THEN '法人及非法人组织' WHEN 'natural_person' THEN '自然人'
            ELSE '个体工商户' END AS "行政相对人类别",
       r.subject_code AS "统一社会信用代码",
       coalesce(r.details->>'business_registration_number', '') AS "工商注册号",
       coalesce(r.details->>'organization_code', '') AS "组织机构代码",
       coalesce(r.details->>'tax_registration_number', '') AS "税务登记号",
       coalesce(r.details->>'institution_certificate_number', '') AS "事业单位证书号",
       coalesce(r.details->>'social_organization_number', '') AS "社会组织登记证号",
       coalesce(r.details->>'legal_representative', '') AS "法定代表人",
       coalesce(r.details->>'legal_representative_id_type', '') AS "法定代表人证件类型",
       coalesce(r.details->>'legal_representative_id_number', '') AS "法定代表人证件号码",
       coalesce(r.details->>'person_id_type', '') AS "证件类型",
       coalesce(r.details->>'person_id_number', '') AS "证件号码",
       r.document_number AS "行政处罚决定书文号",
       coalesce(r.details->>'violation_type', '') AS "违法行为类型",
       coalesce(r.details->>'violation_facts', '') AS "违法事实",
       r.legal_basis AS "处罚依据",
       (SELECT string_agg(CASE t WHEN 'fine' THEN '罚款' WHEN 'confiscate_gains' THEN '没收违法所得' ELSE t END, ';')
          FROM jsonb_array_elements_text(r.penalty_types) AS t) AS "处罚类别",
       r.content AS "处罚内容",
       coalesce(trim_scale(round(r.fine_amount / 10000, 6))::text, '') AS "罚款金额（万元）",
       coalesce(trim_scale(round((r.details->>'confiscated_amount')::numeric / 10000, 6))::text, '')
           AS "没收违法所得、没收非法财物的金额（万元）",
       coalesce(r.details->>'licence_name_number', '') AS "暂扣或吊销证照名称及编号",
       to_char(r.event_date, 'YYYY/MM/DD') AS "处罚决定日期",
       CASE r.details->>'penalty_valid_to' WHEN 'long_term' THEN '2099/12/31'
            ELSE coalesce(replace(r.details->>'penalty_valid_to', '-', '/'), '') END AS "处罚有效期",
       coalesce(to_char(r.expires_on - 1, 'YYYY/MM/DD'), '') AS "公示截止期",
       a.name AS "处罚机关", a.credit_code AS "处罚机关统一社会信用代码",
       a.name AS "数据来源单位", a.credit_code AS "数据来源单位统一社会信用代码",
       '' AS "备注"
  FROM disclosure_record r JOIN disclosure_agency a ON a.id = r.agency_id
 WHERE r.kind = 'penalty' AND r.disclosure = 'public' AND r.status <> 'draft'
   AND r.published_on BETWEEN %s AND %s
 ORDER BY r.published_on, r.id
) TO STDOUT (FORMAT csv, HEADER true)
"""


def export_ours(out_dir: str, date_from: str, date_to: str) -> Path:
    from django.core.management import call_command

    call_command("export_exchange", "--dataset", "penalties", "--from", date_from, "--to", date_to,
                 "--out", out_dir, "--no-progress", stdout=io.StringIO())
    return Path(out_dir) / f"penalties_{date_from.replace('-', '')}-{date_to.replace('-', '')}.csv"


def export_hand(path: Path, date_from: str, date_to: str) -> None:
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor, path.open("wb") as out:
        out.write(b"\xef\xbb\xbf")
        with cursor.copy(HAND_SQL.replace("%s", "'{}'").format(date_from, date_to)) as copy:
            for block in copy:
                out.write(block)


def lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept bench database and its rows")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_DEBUG", "0")
    url = django_on_postgres(DEFAULT_URL, reuse=args.reuse, error=parser.error)
    try:
        if not args.reuse:
            fill(args.records)
        from disclosure.models import Record

        date_from, date_to = "2026-01-01", "2026-12-31"
        expected = Record.objects.filter(kind="penalty", status="published", published_on__gte=date_from,
                                         published_on__lte=date_to).count()
        print(f"{expected:,} published penalties in the period")
        with tempfile.TemporaryDirectory() as tmp:
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            began = time.perf_counter()
            ours = export_ours(tmp, date_from, date_to)
            ours_s = time.perf_counter() - began
            rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
            size_mb = ours.stat().st_size / 2**20
            hand = Path(tmp) / "hand.csv"
            began = time.perf_counter()
            export_hand(hand, date_from, date_to)
            hand_s = time.perf_counter() - began
            assert lines(ours) == lines(hand) == expected + 1, (lines(ours), lines(hand), expected)
            ours.unlink()
            # tracemalloc slows Python down several times: a tenth of the period, traced apart.
            tracemalloc.start()
            export_ours(tmp, "2026-01-01", "2026-02-05")
            peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        print(f"ours  export_exchange CSV : {ours_s:7.1f} s  ({expected / ours_s:,.0f} rows/s, {size_mb:,.0f} MB), "
              f"ru_maxrss growth {rss_growth_mb:,.1f} MB, tracemalloc peak {peak_mb:,.1f} MB (36 days of rows)")
        print(f"hand  COPY … TO STDOUT     : {hand_s:7.1f} s")
        print(f"ratio ours / hand          : {ours_s / hand_s:7.2f}x   target < {TARGET_SECONDS} s: "
              f"{'met' if ours_s < TARGET_SECONDS else 'NOT met'}")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
