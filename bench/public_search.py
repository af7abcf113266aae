"""Public search benchmark: the projection searched in Chinese, at 1,000,000 and 10,000,000 records.

Fills a throw-away PostgreSQL database with published penalties whose titles, subjects, document
numbers, legal bases and contents are realistic Chinese text from a vocabulary (a few hundred
distinct words, 20,000 companies, skewed so some words are common and others rare), and their
public projection with the tokens ``disclosure.search_tokens`` writes (checked row by row on a
sample against the Python tokenizer). Then times, in the same run and for each case:

* ``selector``: ``public_search`` as the API runs it (capped count + first page of 20, tiers);
* ``by hand``: the best SQL I can write for the same answer (one capped count, one page query),
  each tried with PostgreSQL's own plan, with a walk of the newest-first index and with the GIN
  bitmap; the fastest of the three for each query is timed (``hand plan``: count / page);
* ``http``: ``GET /api/v1/public/records/?q=…`` through Django's full stack (middleware, DRF,
  serializer, JSON), in process;
* ``old``: the previous plan, ``icontains`` on title and subject over the records table with an
  exact ``count(*)`` (on ``--old-sample`` records at most: at ten million it takes seconds a query).

Prints median and p95 in milliseconds over ``--repeat`` runs, the ratios, the index and table
sizes, and the projection build rate of ``reindex_public`` (``projection_rebuild``).

    .venv/bin/python bench/public_search.py                          # 1,000,000 records
    .venv/bin/python bench/public_search.py --records 10000000
    .venv/bin/python bench/public_search.py --records 10000000 --reuse   # time again, no refill
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_on_postgres, progress, runs_ms  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_public"
COMPANIES = 20_000

_PLACES = ["连山区", "龙港区", "南票区", "兴城市", "绥中县", "建昌县", "葫芦岛市", "杨家杖子"]
_BRANDS = [a + b for a in "鑫源华宏盛泰恒达广益福兴和瑞嘉祥隆昌金" for b in "源达盛鑫丰茂通顺利安"]
_TRADES = ["食品", "商贸", "餐饮", "五金", "建材", "药房", "超市", "汽修", "印刷", "物流"]
_VIOLATIONS = [
    ("销售过期糕点", "销售超过保质期的糕点"), ("无照经营", "未取得营业执照从事经营活动"),
    ("未按规定公示年度报告", "未按规定期限公示年度报告"), ("虚假宣传", "发布虚假广告欺骗消费者"),
    ("使用未经检定的计量器具", "使用未经检定的电子秤"), ("销售不合格产品", "销售抽检不合格的电线"),
    ("未落实进货查验制度", "未查验供货者许可证和产品合格证明"), ("价格违法", "不按规定明码标价"),
    ("销售假冒注册商标商品", "销售假冒注册商标的白酒"), ("超范围经营", "超出登记范围经营药品"),
    ("特种设备未检验", "使用未经定期检验的电梯"), ("食品标签不规范", "销售标签不符合规定的预包装食品"),
] + [(f"违反{w}管理规定", f"违反{w}管理规定的行为") for w in
     ["网络交易", "合同", "广告", "质量", "标准化", "认证认可", "直销", "拍卖", "商标", "专利", "消防", "环保",
      "烟草", "粮食", "棉花", "化妆品", "医疗器械", "农药", "种子", "燃气"]]
_LAWS = ["《中华人民共和国食品安全法》第一百二十四条", "《无证无照经营查处办法》第十三条",
         "《企业信息公示暂行条例》第十八条", "《中华人民共和国广告法》第五十五条", "《中华人民共和国计量法》第二十六条",
         "《中华人民共和国产品质量法》第四十九条", "《中华人民共和国价格法》第四十二条",
         "《中华人民共和国商标法》第六十条",
         "《中华人民共和国药品管理法》第一百一十五条", "《中华人民共和国特种设备安全法》第八十四条"]
_PENALTIES = ["警告", "罚款人民币二千元", "罚款人民币五千元", "没收违法所得并处罚款", "责令改正并处罚款人民币一万元",
              "没收违法所得", "通报批评", "责令停产停业"]
_PREFIXES = ["连市监罚", "龙市监罚", "南市监罚", "兴市监罚", "绥市监罚", "建市监罚", "葫市监罚"]


def _vocab() -> dict[str, tuple[list[str], list[str]]]:
    from disclosure.search_tokens import tokens

    def pair(words: list[str]) -> tuple[list[str], list[str]]:
        return words, [" ".join(tokens(w)) for w in words]

    companies = [f"{_PLACES[i % len(_PLACES)]}{_BRANDS[(i // 8) % len(_BRANDS)]}{_TRADES[(i // 1600) % 10]}"
                 f"有限公司{'' if i < 1600 * 10 else i}" for i in range(COMPANIES)]
    return {
        "company": pair(companies), "title": pair([v + "案" for v, _ in _VIOLATIONS]),
        "detail": pair([d for _, d in _VIOLATIONS]), "law": pair(_LAWS), "penalty": pair(_PENALTIES),
        "prefix": pair(_PREFIXES),
    }


# One uniform pseudo-random number in [0, 1) per (record id, salt): deterministic, so the record
# and its projection pick the same words.
def _u(salt: int) -> str:
    return f"((hashint8(id * 7 + {salt}) & 2147483647) %% 1000003) / 1000003.0"


def _pick(name: str, n: int, salt: int, skew: float = 1.0) -> str:
    return f"1 + floor(power({_u(salt)}, {skew}) * {n})::int"


def fill(records: int) -> None:
    """Published penalties and their projection, in batches of INSERT … SELECT."""
    from django.db import connection

    from disclosure.models import Agency, User

    vocab = _vocab()
    owner = User.objects.create_user(username="bench-owner")
    agencies = list(Agency.objects.order_by("path").values_list("id", "name"))
    from disclosure.search_tokens import tokens

    pick = {
        "c": _pick("company", COMPANIES, 1), "v": _pick("violation", len(_VIOLATIONS), 2, 2.5),
        "l": _pick("law", len(_LAWS), 3), "p": _pick("penalty", len(_PENALTIES), 4, 1.5),
        "x": _pick("prefix", len(_PREFIXES), 5), "a": _pick("agency", len(agencies), 6, 3.0),
    }
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_company (i int PRIMARY KEY, name text, toks text)")
        with cursor.copy("COPY bench_company (i, name, toks) FROM STDIN") as copy:
            for i, (name, toks) in enumerate(zip(*vocab["company"], strict=True), start=1):
                copy.write_row((i, name, toks))
    params = {
        "title": vocab["title"][0],
        "title_t": vocab["title"][1], "detail": vocab["detail"][0], "detail_t": vocab["detail"][1],
        "law": vocab["law"][0], "law_t": vocab["law"][1], "penalty": vocab["penalty"][0],
        "penalty_t": vocab["penalty"][1], "prefix": vocab["prefix"][0], "prefix_t": vocab["prefix"][1],
        "agency": [a for a, _ in agencies], "agency_t": [" ".join(tokens(n)) for _, n in agencies],
        "owner": owner.pk, "w_check": " ".join(tokens("经查")), "w_violate": " ".join(tokens("违反了")),
        "w_basis": " ".join(tokens("依据")), "w_decide": " ".join(tokens("决定")),
    }
    picks = ", ".join(f"{expr} AS {name}" for name, expr in pick.items())
    record_sql = f"""
        INSERT INTO disclosure_record (id, kind, agency_id, status, version, title, subject_name, subject_code,
            subject_type, event_date, content, legal_basis, document_number, disclosure, withheld_reason,
            surprise, backfill, due_date, due_provisional, published_at, published_on, on_time,
            late_working_days, latency_working_days, created_by_id, created_at, updated_at)
        SELECT id, 'penalty', (%(agency)s::bigint[])[a], 'published', 2, (%(title)s::text[])[v],
               k.name, '91211400MA' || lpad(c::text, 8, '0'), 'organization',
               DATE '2023-06-01' + (id %% 1200)::int,
               '经查，' || k.name || '，' || (%(detail)s::text[])[v] || '，违反了，' ||
               (%(law)s::text[])[l] || '，依据，' || (%(law)s::text[])[l] || '，决定，' ||
               (%(penalty)s::text[])[p] || '。',
               (%(law)s::text[])[l],
               (%(prefix)s::text[])[x] || '〔' || (2023 + id %% 4) || '〕' || (id %% 5000) || '号',
               'public', '', false, false, DATE '2023-06-10' + (id %% 1200)::int, false,
               TIMESTAMPTZ '2023-06-05 09:00+08' + make_interval(days => (id %% 1200)::int, secs => id %% 86400),
               DATE '2023-06-05' + (id %% 1200)::int, true, 0, 3, %(owner)s, now(), now()
        FROM (SELECT id, {picks} FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS id) s
        JOIN bench_company k ON k.i = s.c
    """
    projection_sql = f"""
        INSERT INTO disclosure_publicrecord (record_id, listed, page, kind, agency_id, status, version, title,
            subject_name, subject_code, subject_type, event_date, content, legal_basis, document_number,
            penalty_types, fine_amount, task, published_at, expires_on, history, search_head, search_body,
            projected_at)
        SELECT r.id, true, true, r.kind, r.agency_id, r.status, r.version, r.title, r.subject_name, r.subject_code,
               r.subject_type, r.event_date, r.content, r.legal_basis, r.document_number, '[]', NULL, NULL,
               r.published_at, NULL, '[]',
               concat_ws(' ', (%(title_t)s::text[])[s.v], k.toks, lower(r.subject_code),
                         (%(prefix_t)s::text[])[s.x], (2023 + r.id %% 4)::text, (r.id %% 5000)::text, '号'),
               concat_ws(' ', (%(law_t)s::text[])[s.l], %(w_check)s, k.toks, (%(detail_t)s::text[])[s.v],
                         %(w_violate)s, (%(law_t)s::text[])[s.l], %(w_basis)s, (%(law_t)s::text[])[s.l], %(w_decide)s,
                         (%(penalty_t)s::text[])[s.p], (%(agency_t)s::text[])[s.a]),
               now()
        FROM (SELECT id, {picks} FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS id) s
        JOIN disclosure_record r ON r.id = s.id JOIN bench_company k ON k.i = s.c
    """
    batch, began = 200_000, time.perf_counter()
    with connection.cursor() as cursor:
        # Loading is faster without the secondary indexes and the records' foreign keys; all are
        # rebuilt (the same definitions) before anything is timed.
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                       "('disclosure_publicrecord', 'disclosure_record') AND indexname NOT LIKE '%%_pkey'")
        # The covering index first: built last, its sort and the index itself need about 25 GiB
        # free at once at ten million records, on top of everything else.
        indexes = sorted(cursor.fetchall(), key=lambda row: row[0] != "public_newest_search")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SELECT conname, pg_get_constraintdef(oid), conrelid::regclass::text FROM pg_constraint "
                       "WHERE conrelid IN ('disclosure_record'::regclass, 'disclosure_publicrecord'::regclass) "
                       "AND contype = 'f'")
        foreign_keys = cursor.fetchall()
        for name, _definition, table in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        print(f"filling {records:,} records and their projection")
        for lo in range(1, records + 1, batch):
            hi = min(lo + batch - 1, records)
            cursor.execute(record_sql, {**params, "lo": lo, "hi": hi})
            cursor.execute(projection_sql, {**params, "lo": lo, "hi": hi})
            progress(hi, records, began)
        cursor.execute("SELECT setval('disclosure_record_id_seq', %s)", [records])
        started = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition, table in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        print(f"  indexes built in {time.perf_counter() - started:,.0f} s")
        # The previous plan had trigram indexes on title and subject and a partial newest-first
        # index on the records (migrations 0005 and 0001, dropped by 0008): rebuilt here so that
        # the baseline is timed as it really ran.
        started = time.perf_counter()
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in (("record_title_trgm", "title"), ("record_subject_trgm", "subject_name")):
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON disclosure_record "
                           f"USING gin (UPPER({column}::text) gin_trgm_ops)")
        cursor.execute("CREATE INDEX IF NOT EXISTS record_public_newest ON disclosure_record "
                       "(published_at DESC, id DESC) WHERE disclosure = 'public' "
                       "AND status IN ('published', 'changed', 'corrected')")
        print(f"  the previous plan's indexes built in {time.perf_counter() - started:,.0f} s")
        cursor.execute("VACUUM (ANALYZE) disclosure_publicrecord")
        cursor.execute("VACUUM (ANALYZE) disclosure_record")


def check_tokens(sample: int = 500) -> None:
    """The SQL-built tokens must be what the projection itself would write."""
    from disclosure.models import PublicRecord
    from disclosure.search_tokens import tokens

    for row in PublicRecord.objects.select_related("agency").order_by("?")[:sample]:
        head = tokens(" ".join((row.title, row.subject_name, row.subject_code, row.document_number)))
        assert row.search_head.split() == head, (row.record_id, row.search_head, head)
        body = tokens(" ".join((row.legal_basis, row.content, row.agency.name)))
        assert sorted(row.search_body.split()) == sorted(body), (row.record_id, row.search_body, body)


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    runs = runs_ms(fn, repeat)
    return statistics.median(runs), runs[min(len(runs) - 1, int(len(runs) * 0.95))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--old-sample", type=int, default=1_000_000,
                        help="the old icontains plan runs over at most this many records (a subset)")
    parser.add_argument("--reuse", action="store_true", help="time an existing database without refilling")
    parser.add_argument("--cases", default="", help="only the cases whose label contains this text")
    parser.add_argument("--fill-only", action="store_true",
                        help="fill the database and stop (time it later with --reuse)")
    args = parser.parse_args()
    os.environ["PUBLIC_SEARCH_RATE"] = "100000000/minute"  # the benchmark is not a flood
    django_on_postgres(DEFAULT_URL, reuse=args.reuse, error=parser.error)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from disclosure.models import Agency, PublicRecord
    from disclosure.search_tokens import query_words
    from disclosure.selectors.public import SearchParams, public_search, tsquery
    from disclosure.services.projection import projection_rebuild

    if not args.reuse:
        fill(args.records)
    check_tokens()
    if args.fill_only:
        return 0
    total = PublicRecord.objects.count()
    cap = settings.PUBLIC_COUNT_CAP

    def fetch(sql: str, params: list[object]) -> list[tuple[object, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def size(relation: str) -> str:
        return f"{fetch('SELECT pg_total_relation_size(%s)', [relation])[0][0] / 2**20:,.0f} MiB"

    print(f"public search at {total:,} public records; {args.repeat} runs each; ms; cap {cap:,}")
    print(f"sizes: GIN index {size('public_search_gin')}, projection table with indexes "
          f"{size('disclosure_publicrecord')}, records table {size('disclosure_record')}")
    district = Agency.objects.filter(parent__isnull=False).order_by("path").values_list("code", flat=True).first()
    district_ids = list(Agency.objects.filter(
        path__startswith=Agency.objects.get(code=district).path).values_list("pk", flat=True))
    code = fetch("SELECT subject_code FROM disclosure_publicrecord WHERE record_id = 4242", [])[0][0]
    number = fetch("SELECT document_number FROM disclosure_publicrecord WHERE record_id = 4243", [])[0][0]
    visible = "listed AND (expires_on IS NULL OR expires_on > CURRENT_DATE)"
    cols = "p.*, a.code, a.name"
    page_sql = (f"SELECT {cols} FROM disclosure_publicrecord p JOIN disclosure_agency a ON a.id = p.agency_id "
                f"WHERE {visible} AND {{where}} ORDER BY p.published_at DESC, p.record_id DESC LIMIT 20")
    count_sql = (f"SELECT count(*) FROM (SELECT 1 FROM disclosure_publicrecord WHERE {visible} AND {{where}} "
                 f"{{order}}LIMIT {cap + 1}) c")
    # The three plans the hand-written queries are tried with: PostgreSQL's own, a walk of the
    # newest-first index, the GIN bitmap (the same switches the selector sets).
    hand_plans: dict[str, tuple[str, ...]] = {
        "pg": (), "walk": ("enable_bitmapscan", "enable_seqscan"), "gin": ("enable_indexscan", "enable_seqscan")}

    def planned(plan: str, sql: str, sql_params: list[object]) -> Callable[[], object]:
        def run() -> object:
            with connection.cursor() as cursor:
                for name in hand_plans[plan]:
                    cursor.execute(f"SET {name} = off")
                try:
                    cursor.execute(sql, sql_params)
                    return cursor.fetchall()
                finally:
                    cursor.execute("RESET ALL")
        return run

    def best_plan(sqls: dict[str, str], sql_params: list[object]) -> tuple[str, Callable[[], object]]:
        """The fastest of the three plans over a few probe runs."""
        probes = {plan: timed(planned(plan, sqls[plan], sql_params), 5)[0] for plan in hand_plans}
        plan = min(probes, key=lambda k: probes[k])
        return plan, planned(plan, sqls[plan], sql_params)

    def ts(q: str) -> str:
        return tsquery(query_words(q))

    cases: list[tuple[str, SearchParams, str, list[object]]] = [
        ("credit code", SearchParams(q=code), "subject_code = %s", [code]),
        ("document number", SearchParams(q=number), "document_number = %s", [number]),
        ("rare name (公司19999)", SearchParams(q="公司19999"), "search_vector @@ %s::tsquery", [ts("公司19999")]),
        ("uncommon word (燃气)", SearchParams(q="燃气"), "search_vector @@ %s::tsquery", [ts("燃气")]),
        ("common 2-char word (罚款)", SearchParams(q="罚款"), "search_vector @@ %s::tsquery", [ts("罚款")]),
        ("content word (保质期)", SearchParams(q="保质期"), "search_vector @@ %s::tsquery", [ts("保质期")]),
        ("two words (兴城 糕点)", SearchParams(q="兴城 糕点"), "search_vector @@ %s::tsquery", [ts("兴城 糕点")]),
        ("name fragment (鑫源)", SearchParams(q="鑫源"), "search_vector @@ %s::tsquery", [ts("鑫源")]),
        ("no filter", SearchParams(), "true", []),
        (f"agency filter ({district})", SearchParams(agency=district), "agency_id = ANY(%s)", [district_ids]),
    ]
    client = Client(HTTP_HOST="127.0.0.1")
    old_ids = min(args.old_sample, total)
    header = (f"{'case':<28}{'rows':>8}{'old rows':>9}{'sel med':>9}{'sel p95':>9}{'hand med':>9}{'hand p95':>9}"
              f"{'http med':>9}{'http p95':>9}{'old med':>9}{'sel/hand':>9}{'http/sel':>9}{'old/sel':>9}"
              f"  hand plan")
    print(header)
    for label, params, where, sql_params in cases:
        if args.cases and args.cases not in label:
            continue

        def selector(params: SearchParams = params) -> object:
            page = public_search(params=params)
            return page.count, [r.agency.code for r in page.items]

        newest = "ORDER BY published_at DESC, record_id DESC "
        count_plan, hand_count = best_plan({plan: count_sql.format(where=where, order=newest if plan == "walk" else "")
                                            for plan in hand_plans}, sql_params)
        page_plan, hand_page = best_plan({plan: page_sql.format(where=where) for plan in hand_plans}, sql_params)

        def by_hand(count: Callable[[], object] = hand_count, page: Callable[[], object] = hand_page) -> object:
            return count(), page()

        query = {k: v for k, v in (("q", params.q), ("agency", params.agency)) if v}

        def http(query: dict[str, str] = query) -> object:
            response = client.get("/api/v1/public/records/", query)
            assert response.status_code == 200, response.content[:200]
            return response.content

        like = f"%{params.q}%"
        old_where = ("(UPPER(title::text) LIKE UPPER(%s) OR UPPER(subject_name::text) LIKE UPPER(%s))"
                     if params.q else "true")
        old_params: list[object] = [like, like] if params.q else []
        if params.agency:
            old_where, old_params = "agency_id = ANY(%s)", [district_ids]
        old_base = (f"FROM disclosure_record WHERE id <= {old_ids} AND disclosure = 'public' "
                    f"AND status IN ('published', 'changed', 'corrected') AND {old_where}")

        def old(old_base: str = old_base, old_params: list[object] = old_params) -> object:
            return (fetch(f"SELECT count(*) {old_base}", old_params),
                    fetch(f"SELECT * {old_base} ORDER BY published_at DESC, id DESC LIMIT 20", old_params))

        page = public_search(params=params)
        rows = f"{page.count:,}{'+' if page.count_capped else ''}"
        sel = timed(selector, args.repeat)
        hand = timed(by_hand, args.repeat)
        web = timed(http, args.repeat)
        old_med = timed(old, max(5, args.repeat // 10))[0]
        old_rows = int(old()[0][0][0])  # type: ignore[index]
        print(f"{label:<28}{rows:>8}{old_rows:>9,}{sel[0]:>9.1f}{sel[1]:>9.1f}{hand[0]:>9.1f}{hand[1]:>9.1f}{web[0]:>9.1f}"
              f"{web[1]:>9.1f}{old_med:>9.1f}{sel[0] / hand[0]:>8.2f}x{web[0] / sel[0]:>8.2f}x"
              f"{old_med / sel[0]:>8.1f}x  {count_plan}/{page_plan}")
    print(f"sel: the selector the API runs; hand: the best hand-written SQL; http: the API through Django's stack; "
          f"old: icontains + exact count(*) over {old_ids:,} records (the previous plan)")
    # The projection build rate: real records through the real code, rewritten in place.
    sample = 5_000
    began = time.perf_counter()
    projection_rebuild(batch_size=500, start_after=0, limit=sample, progress=False)
    rate = sample / (time.perf_counter() - began)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) disclosure_publicrecord")  # leave the table as timed
    print(f"reindex_public: {rate:,.0f} records/s ({sample:,} records, masking + tokens + write), "
          f"{total / rate / 3600:,.1f} h for all {total:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
