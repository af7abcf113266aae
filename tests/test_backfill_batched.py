"""The batched backfill writer (``disclosure.services.bulk``) against the per-record services.

Each example generates a file of rows of every kind (drafts and published records, surprise tasks
with and without their result, natural persons and organizations, withheld records, rows the
checks refuse, rows the record services refuse, duplicates, results naming tasks, re-imports of
ids a previous file brought in) and imports it both ways into the same starting state, rolled
back in between: once row by row through ``record_create``/``record_publish``, once batched. Every
row of every table the import writes must come out the same, surrogate ids mapped by their order,
and the audit chain must verify after each.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection, models, transaction
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from disclosure.credit_code import make_credit_code
from disclosure.models import (
    AuditChainHead,
    AuditEntry,
    BackfillBatch,
    BackfillItem,
    FeedEvent,
    FeedHead,
    PublicRecord,
    Record,
    RecordVersion,
    RollupSpan,
    TimelinessRollup,
    TransparencyLeaf,
    TransparencyNode,
    User,
)
from disclosure.services import backfill
from disclosure.services.backfill import OPTIONAL, REQUIRED, backfill_import
from disclosure.services.verification import verify_everything
from tests.conftest import Staff

pytestmark = pytest.mark.django_db

KINDS = ["permit", "filing", "inspection_task", "inspection_result", "penalty", "coercive_measure",
         "administrative_order", "dishonest_list", "other"]
CODE = make_credit_code("91211402MA0A00001")
NATURAL_CODE = make_credit_code("92211402MA0B00002")
BAD_CODE = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")


@st.composite
def row(draw: st.DrawFn, n: int, flawed: bool) -> dict[str, str]:
    """One row; in a flawed file, about one in eight is wrong in a way the checks or the services see."""
    kind = draw(st.sampled_from(KINDS))
    person = draw(st.booleans())
    values = {
        "external_id": f"X-{n}", "kind": kind,
        "agency": draw(st.sampled_from(["lianshan-amr", "lianshan-amr-station"])),
        "title": draw(st.sampled_from(["行政处罚决定", " 食品经营许可 ", "检查结果", "张三经营信息"])),
        "subject_name": "张三" if person else "葫芦岛市某商贸有限公司",
        "subject_code": draw(st.sampled_from(["", NATURAL_CODE])) if person else CODE,
        "subject_type": "natural_person" if person else draw(st.sampled_from(["", "organization"])),
        "event_date": draw(st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 10, 9))).isoformat(),
        "content": draw(st.sampled_from(["", "罚款人民币五千元。", "当事人张三，身份证号码210102199001011234。"])),
        "legal_basis": draw(st.sampled_from(["", "《中华人民共和国行政许可法》"])),
        "document_number": draw(st.sampled_from(["", "连市监罚〔2019〕5号"])),
        "disclosure": draw(st.sampled_from(["public", "public", "public", "withheld"])),
        "withheld_reason": "涉及个人隐私",
        "surprise": "yes" if kind == "inspection_task" and draw(st.booleans()) else "no",
        "task_external_id": "", "published": draw(st.sampled_from(["yes", "yes", "no"])),
        # The national standard's fields, some by the standard's Chinese headings.
        "penalty_types": draw(st.sampled_from(["", "罚款;警告", "fine"])) if kind == "penalty" else "",
        "fine_amount": draw(st.sampled_from(["", "5000"])) if kind == "penalty" else "",
        "违法事实": draw(st.sampled_from(["", "销售不合格产品。"])) if kind in ("penalty", "coercive_measure") else "",
        "许可类别": draw(st.sampled_from(["", "普通", "general"])) if kind in ("permit", "filing") else "",
    }
    flaw = draw(st.integers(0, 39)) if flawed else -1
    if flaw == 0:
        values["title"] = ""  # refused by the checks
    elif flaw == 1:
        values["subject_code"] = BAD_CODE  # refused by the record services
    elif flaw == 2:
        values["event_date"] = "2030-01-01"  # in the future: refused by the checks
    elif flaw == 3:
        values["surprise"] = "yes"  # a surprise that is no inspection task, unless it is one
    elif flaw == 4:
        values["withheld_reason"], values["disclosure"] = "", "withheld"  # refused by the record services
    elif flaw == 5:
        values["许可类别"] = "宽松"  # not in the code list: refused by the record services
    return values


@st.composite
def files(draw: st.DrawFn) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A previous file and the file under test, which repeats some of the previous one's ids."""
    previous = [draw(row(n, False)) for n in range(draw(st.integers(0, 4)))]
    flawed = draw(st.integers(0, 2)) == 0
    rows = [draw(row(n, flawed)) for n in range(100, 100 + draw(st.integers(1, 14)))]
    for r in rows:
        choice = draw(st.integers(0, 11))
        if choice == 0 and previous:
            r["external_id"] = draw(st.sampled_from(previous))["external_id"]  # already imported: skipped
        elif choice == 1 and flawed:
            r["external_id"] = draw(st.sampled_from(rows))["external_id"]  # a duplicate (or itself)
    for i, r in enumerate(rows):
        if r["kind"] == "inspection_result" and draw(st.integers(0, 3)):
            earlier = [p["external_id"] for p in previous + rows[:i] if p["kind"] == "inspection_task"]
            r["task_external_id"] = draw(st.sampled_from(earlier)) if earlier else "X-NONE"
        if r["kind"] == "inspection_task" and r["surprise"] == "yes" and draw(st.integers(0, 3)):
            # the result that lets a surprise task be published, later in the file
            rows.insert(draw(st.integers(i + 1, len(rows))), r | {
                "external_id": f"{r['external_id']}-R", "kind": "inspection_result", "surprise": "no",
                "task_external_id": r["external_id"], "published": draw(st.sampled_from(["yes", "yes", "no"]))})
    return previous, rows


def as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REQUIRED + OPTIONAL + ("违法事实", "许可类别"))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


# -- capturing every row an import writes ------------------------------------------------------------
def _rows(model: type[models.Model], order: str, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in drop} for r in model._default_manager.order_by(order).values()]


def capture() -> tuple[dict[str, Any], dict[str, Any]]:
    """Every row of the tables an import writes, with surrogate ids replaced by their rank."""
    record_ids = {pk: i for i, pk in enumerate(Record.objects.order_by("id").values_list("id", flat=True))}
    batch_ids = {pk: i for i, pk in enumerate(BackfillBatch.objects.order_by("id").values_list("id", flat=True))}
    version_keys = {pk: (record_ids[r], n)
                    for pk, r, n in RecordVersion.objects.values_list("id", "record_id", "number")}
    def rid(pk: Any) -> Any:
        return None if pk is None else ("record", record_ids[int(pk)])

    def payload(p: dict[str, Any]) -> dict[str, Any]:
        return {**p, "id": rid(p["id"]), "task": rid(p.get("task"))}

    records = [r | {"id": rid(r["id"]), "task_id": rid(r["task_id"])} for r in _rows(Record, "id")]
    # A snapshot names the task by id, and its digest covers that: the digests are compared apart
    # with the hashes (and checked against the data by verification).
    versions = [r | {"record_id": rid(r["record_id"]), "data": r["data"] | {"task_id": rid(r["data"]["task_id"])}}
                for r in _rows(RecordVersion, "id", ("id", "digest"))]
    versions.sort(key=lambda v: (v["record_id"], v["number"]))
    audit = []
    # The hashes cover the ids: they are compared apart, where the ids came out the same ("raw").
    for r in _rows(AuditEntry, "id", ("hash", "prev_hash")):
        if r["object_type"] == "record" and r["object_id"]:
            r["object_id"] = rid(r["object_id"])
            r["detail"] = {k: v for k, v in r["detail"].items() if k != "digest"}  # compared apart, as above
        elif r["object_type"] == "backfill_batch":
            r["object_id"] = ("batch", batch_ids[int(r["object_id"])])
        audit.append(r)
    feed = [r | {"record_id": rid(r["record_id"]), "version_id": version_keys[r["version_id"]]}
            for r in _rows(FeedEvent, "position")]
    # The transparency log: each leaf's bytes parsed, ids by rank; its hash and the subtree hashes
    # cover the ids, so they are compared apart ("raw"), with the audit chain's.
    leaves = []
    for r in _rows(TransparencyLeaf, "index", ("hash",)):
        shown = json.loads(bytes(r.pop("content")))
        shown |= {"record": rid(shown["record"]), "payload": payload(shown["payload"]) if "kind" in shown["payload"]
                  else shown["payload"] | {"id": rid(shown["payload"]["id"])}}
        leaves.append(r | {"content": shown})
    nodes = [(r["key"], r["level"], r["index"]) for r in _rows(TransparencyNode, "key", ("hash",))]
    public = []
    for r in _rows(PublicRecord, "record_id"):
        r |= {"record_id": rid(r["record_id"]), "task": rid(r["task"]),
              "history": [h | ({"payload": payload(h["payload"])} if "payload" in h else {}) for h in r["history"]]}
        public.append(r)
    state: dict[str, Any] = {
        "records": records, "versions": versions, "audit": audit, "feed": feed, "public": public,
        "leaves": leaves, "nodes": nodes,
        "batches": _rows(BackfillBatch, "id", ("id",)),
        "items": sorted((r["external_id"], ("batch", batch_ids[r["batch_id"]]), rid(r["record_id"]))
                        for r in BackfillItem.objects.values()),
        "chain": _rows(AuditChainHead, "id", ("last_hash",)),
        "feed_head": _rows(FeedHead, "id"),
        "rollup": sorted(tuple(r.values()) for r in TimelinessRollup.objects.values(
            *(f.attname for f in TimelinessRollup._meta.concrete_fields if not f.primary_key))),
    }
    raw = {"ids": (sorted(record_ids), sorted(batch_ids)),
           "hashes": list(AuditEntry.objects.order_by("id").values_list("id", "prev_hash", "hash")),
           "digests": sorted(RecordVersion.objects.values_list("record_id", "number", "digest")),
           "head": list(AuditChainHead.objects.values_list("last_hash", flat=True)),
           "log": [bytes(h) for h in TransparencyLeaf.objects.order_by("index").values_list("hash", flat=True)]
           + [bytes(h) for h in TransparencyNode.objects.order_by("key").values_list("hash", flat=True)]}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid, search_head, search_body FROM disclosure_public_fts ORDER BY rowid")
            state["fts"] = [(rid(pk), head, body) for pk, head, body in cursor.fetchall()]
    return state, raw


def _last_record_id() -> int:
    """The highest record id handed out so far: a refused import's records are rolled back, and on
    PostgreSQL the two imports' ids differ (sequences do not roll back), so an error naming one of
    them names it by its rank after this."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END "
                           "FROM disclosure_record_id_seq")
            return int(cursor.fetchone()[0])
    return Record.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _ranked(start: int) -> Callable[[re.Match[str]], str]:
    def rank(match: re.Match[str]) -> str:
        number = int(match.group(0))
        return f"<new {number - start}>" if number > start else match.group(0)
    return rank


def import_both_ways(user: User, data: bytes) -> tuple[tuple[dict[str, Any], dict[str, Any]], ...]:
    """(report, state) of the per-record import and of the batched one, each rolled back."""
    out = []
    for per_record in (True, False):
        with transaction.atomic():
            start = _last_record_id()
            report = backfill_import(actor=user, file_name="backfill.csv", data=data, per_record=per_record)
            state, raw = capture()
            verified = verify_everything()
            assert verified.ok, verified.problems[:3]
            transaction.set_rollback(True)
        summary = report.as_dict()
        summary["batch"] = summary["batch"] is not None
        for error in summary["errors"]:
            if error["field"] == "task":  # "Record 57 is not an inspection task": by its rank in this run
                error["message"] = re.sub(r"\d+", _ranked(start), error["message"])
        out.append((summary, state, raw))
    # SQLite rolls its id counters back with the transaction, PostgreSQL's sequences do not: where
    # the ids came out the same, so must every hash of the chain.
    (_s, _a, raw_a), (_t, _b, raw_b) = out
    assert connection.vendor != "sqlite" or raw_a["ids"] == raw_b["ids"]
    if raw_a["ids"] == raw_b["ids"]:
        assert raw_a["hashes"] == raw_b["hashes"] and raw_a["head"] == raw_b["head"]
        assert raw_a["digests"] == raw_b["digests"]
        assert raw_a["log"] == raw_b["log"]
    return tuple((summary, state) for summary, state, _raw in out)


def assert_same(per_record: dict[str, Any], batched: dict[str, Any]) -> None:
    assert per_record.keys() == batched.keys()
    for table in per_record:
        assert len(per_record[table]) == len(batched[table]), table
        for a, b in zip(per_record[table], batched[table], strict=True):
            assert a == b, table


@given(example=files())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
def test_batched_import_writes_what_the_services_write(clerk: Staff, clock: Callable[[str], None],
                                                        example: tuple[list[dict[str, str]], list[dict[str, str]]]
                                                        ) -> None:
    clock("2026-10-09")
    previous, rows = example
    note(f"previous:\n{as_csv(previous).decode()}\nfile:\n{as_csv(rows).decode()}")
    with transaction.atomic():
        if previous:
            backfill_import(actor=clerk.user, file_name="earlier.csv", data=as_csv(previous), per_record=True)
        (report_a, state_a), (report_b, state_b) = import_both_ways(clerk.user, as_csv(rows))
        transaction.set_rollback(True)
    event("imported" if report_b["ok"] else "refused")
    event(f"{len(state_b['public'])} public")
    assert report_a == report_b
    assert_same(state_a, state_b)


def test_a_surprise_task_waits_for_its_result_and_a_task_without_one_is_refused(clerk: Staff, clock: Any) -> None:
    clock("2026-10-09")
    task = {"external_id": "T", "kind": "inspection_task", "agency": "lianshan-amr", "title": "突击检查",
            "subject_name": "葫芦岛市某商贸有限公司", "subject_code": CODE, "subject_type": "",
            "event_date": "2024-03-01",
            "content": "", "legal_basis": "", "document_number": "", "disclosure": "public", "withheld_reason": "",
            "surprise": "yes", "task_external_id": "", "published": "yes"}
    result = task | {"external_id": "R", "kind": "inspection_result", "surprise": "no", "task_external_id": "T"}
    # the task first in the file, its result after it: both published, the result's publication first
    (report_a, state_a), (report_b, state_b) = import_both_ways(clerk.user, as_csv([task, result]))
    assert report_a == report_b and report_b["ok"] and report_b["published"] == 2
    assert_same(state_a, state_b)
    publications = [e for e in state_b["audit"] if e["action"] == "record.publish"]
    assert [e["object_id"] for e in publications] == [("record", 1), ("record", 0)]
    # the rollup counts the result once in each span (its due day, month...); the surprise task has no
    # deadline of its own
    assert [(row[0], row[-1]) for row in state_b["rollup"]] == [(span, 1) for span in sorted(RollupSpan.values)]
    # a published surprise task whose result stays a draft is refused, and nothing is written
    draft_result = result | {"published": "no"}
    (report_a, state_a), (report_b, state_b) = import_both_ways(clerk.user, as_csv([task, draft_result]))
    assert report_a == report_b and not report_b["ok"]
    assert report_b["errors"][0]["row"] == 2 and report_b["errors"][0]["field"] == "surprise"
    assert not state_b["records"]


@given(example=files())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
def test_many_small_chunks_write_what_the_services_write(clerk: Staff, clock: Callable[[str], None],
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          example: tuple[list[dict[str, str]], list[dict[str, str]]]
                                                          ) -> None:
    """Chunks of two rows: on PostgreSQL each chunk's COPYs are still being sent while the next is
    built (results naming tasks of earlier chunks, ids reserved ahead); the rows are the same."""
    monkeypatch.setattr(backfill, "CHUNK", 2)
    clock("2026-10-09")
    previous, rows = example
    note(f"previous:\n{as_csv(previous).decode()}\nfile:\n{as_csv(rows).decode()}")
    with transaction.atomic():
        if previous:
            backfill_import(actor=clerk.user, file_name="earlier.csv", data=as_csv(previous), per_record=True)
        (report_a, state_a), (report_b, state_b) = import_both_ways(clerk.user, as_csv(rows))
        transaction.set_rollback(True)
    assert report_a == report_b
    assert_same(state_a, state_b)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY worker runs on PostgreSQL only")
def test_a_copy_failing_on_the_worker_rolls_the_whole_import_back(clerk: Staff, clock: Callable[[str], None],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A COPY of the third chunk fails in the database (a trigger refuses one projection row): the
    import raises that error, nothing of any chunk stays, and the connection works on."""
    monkeypatch.setattr(backfill, "CHUNK", 2)
    clock("2026-10-09")
    base = {"kind": "permit", "agency": "lianshan-amr", "subject_name": "葫芦岛市某商贸有限公司",
            "subject_code": CODE, "subject_type": "", "event_date": "2026-09-01", "content": "", "legal_basis": "",
            "document_number": "", "disclosure": "public", "withheld_reason": "", "surprise": "no",
            "task_external_id": "", "published": "yes"}
    rows = [base | {"external_id": f"F-{n}", "title": "拒收" if n == 5 else f"许可{n}"} for n in range(8)]
    with connection.cursor() as cursor:
        cursor.execute("CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                       "IF NEW.title = '拒收' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$")
        cursor.execute("CREATE TRIGGER refuse_row BEFORE INSERT ON disclosure_publicrecord "
                       "FOR EACH ROW EXECUTE FUNCTION refuse_row()")
    before = (Record.objects.count(), AuditEntry.objects.count(), AuditChainHead.objects.values_list(
        "last_entry_id", "last_hash").first(), FeedHead.objects.values_list("last_position").first())
    with pytest.raises(Exception, match="refused by the test"):
        backfill_import(actor=clerk.user, file_name="failing.csv", data=as_csv(rows))
    after = (Record.objects.count(), AuditEntry.objects.count(), AuditChainHead.objects.values_list(
        "last_entry_id", "last_hash").first(), FeedHead.objects.values_list("last_position").first())
    assert after == before
    assert not BackfillItem.objects.exists() and not PublicRecord.objects.exists()
    assert not TimelinessRollup.objects.filter(n__gt=0).exists()
