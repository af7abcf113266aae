"""Open data (issue 14): the daily dump of everything public, ``manage.py open_data_dump``, the
claim that makes it once, the lease takeover, the retention, and the ``/open-data/`` page."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from disclosure.kinds.exchange import COLUMNS, DATASET_KINDS
from disclosure.models import OpenDataDump, OpenDataState, PublicRecord, Record
from disclosure.selectors.exchange import never_public
from disclosure.selectors.open_data import dataset_schema, dump_dir
from disclosure.services.open_data import open_data_dump, open_data_prune
from disclosure.services.privacy import fold
from tests.conftest import PERSON_ID, VALID_CODE, Staff, call_command_en, penalty, publish_record, resident_id
from tests.test_concurrency import race

pytestmark = pytest.mark.django_db
DAY = date(2026, 9, 29)


@pytest.fixture(autouse=True)
def _open_data_root(tmp_path: Path, settings: Any) -> Iterator[Path]:
    settings.OPEN_DATA_ROOT = tmp_path / "open-data"
    yield settings.OPEN_DATA_ROOT




def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def read_json(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text("utf-8")))


def public_headings(dataset: str) -> list[str]:
    return [heading for heading, source in COLUMNS[dataset] if not never_public(source)]


def test_every_dataset_as_csv_and_json_with_the_exports_columns_minus_never_public(
        clerk: Staff, clock: Callable[[str], None], tmp_path: Path) -> None:
    clock("2026-09-29")
    penalty_id = publish_record(clerk, fine_amount="2000.00", penalty_types=["fine"])
    publish_record(clerk, kind="permit", title="食品经营许可", subject_name="某餐饮店")
    publish_record(clerk, kind="coercive_measure", title="查封", penalty_types=[])
    result = open_data_dump(day=DAY)
    assert result.made
    dump = OpenDataDump.objects.get(day=DAY)
    assert dump.state == OpenDataState.DONE and dump.finished_at is not None and dump.lease_owner
    assert sorted(dump.files) == sorted(f"{d}_20260929.{f}" for d in DATASET_KINDS for f in ("csv", "json"))
    directory = dump_dir(DAY)
    assert sorted(p.name for p in directory.iterdir()) == sorted(dump.files)  # no temporary file left
    for name, info in dump.files.items():
        data = (directory / name).read_bytes()
        assert info["bytes"] == len(data) and info["sha256"] == hashlib.sha256(data).hexdigest()
    expected_rows = {"penalties": 1, "permits": 1, "coercive_measures": 1, "inspections": 0}
    for dataset in DATASET_KINDS:
        headings, rows = read_csv(directory / f"{dataset}_20260929.csv")
        assert headings == public_headings(dataset)
        assert "证件号码" not in headings and "法定代表人证件号码" not in headings and "证件类型" not in headings
        assert len(rows) == expected_rows[dataset] == dump.files[f"{dataset}_20260929.csv"]["rows"]
        body = read_json(directory / f"{dataset}_20260929.json")
        assert body["dataset"] == dataset and body["day"] == "2026-09-29" and body["columns"] == headings
        assert len(body["rows"]) == expected_rows[dataset] == dump.files[f"{dataset}_20260929.json"]["rows"]
    _headings, (row,) = read_csv(directory / "penalties_20260929.csv")
    record = Record.objects.get(pk=penalty_id)
    assert row["罚款金额（万元）"] == "0.2" and row["处罚类别"] == "罚款"
    assert row["统一社会信用代码"] == VALID_CODE and row["处罚决定日期"] == "2026/09/28"
    assert record.expires_on is not None
    assert row["公示截止期"] == (record.expires_on - timedelta(days=1)).strftime("%Y/%m/%d")
    assert row["行政处罚决定书文号"] == "连市监罚〔2026〕12号" and row["违法行为类型"] == "销售不合格产品"
    (json_row,) = read_json(directory / "penalties_20260929.json")["rows"]
    assert json_row["处罚决定日期"] == "2026-09-28" and json_row["罚款金额（万元）"] == "0.2"


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", fold(text))


NASTY_ID = resident_id("21140219851124002")
NASTY_PHONE = "13904291234"


def test_nothing_raw_in_any_file_whatever_the_written_form(clerk: Staff, clock: Callable[[str], None]) -> None:
    clock("2026-09-29")
    written_id = "２１１４０２　１９８５．１１２４－００２" + fold(NASTY_ID[-1]).translate({ord("X"): "Ｘ"})
    written_phone = "+86 １３９\u200b0429 - 1234"
    text = f"当事人张三（身份证号{written_id}，联系电话{written_phone}）住葫芦岛市连山区某街道8号"
    person = publish_record(clerk, subject_type="natural_person", subject_code="", subject_name="张三",
                     content=text, legal_basis=f"举报人电话 {written_phone}",
                     details={"person_id_type": "id_card", "person_id_number": PERSON_ID,
                              "violation_type": "销售不合格产品", "violation_facts": text,
                              "penalty_valid_to": "2027-09-27"})
    open_data_dump(day=DAY)
    directory = dump_dir(DAY)
    shown = PublicRecord.objects.get(pk=person)
    assert shown.content in (directory / "penalties_20260929.json").read_text("utf-8")  # the masked text is there
    for path in directory.iterdir():
        text_out = path.read_text("utf-8-sig")
        assert PERSON_ID not in text_out and PERSON_ID[:-1] not in _digits(text_out)
        cells = ([v for row in read_csv(path)[1] for v in row.values()] if path.suffix == ".csv" else
                 [v for row in read_json(path)["rows"] for v in row.values()])
        for cell in cells:
            for raw in (NASTY_ID[:-1], NASTY_PHONE, PERSON_ID[:-1]):
                assert raw not in _digits(cell), (path.name, cell)


def test_only_what_is_public_on_the_day(clerk: Staff, clock: Callable[[str], None]) -> None:
    clock("2026-09-29")
    first = publish_record(clerk, title="先公示的案件")
    expires = Record.objects.get(pk=first).expires_on
    assert expires is not None
    later = (expires - timedelta(days=1)).isoformat()
    clock(later)
    shown = publish_record(clerk, title="仍在公示期的案件", document_number="连市监罚〔2029〕1号", event_date=later)
    clerk.client().post("/api/v1/records/", penalty(title="草稿案件"), format="json")
    publish_record(clerk, disclosure="withheld", withheld_reason="涉及国家秘密", title="不予公开案件")
    revoked = publish_record(clerk, title="已撤销案件")
    response = clerk.client().post(f"/api/v1/records/{revoked}/revoke/", {
        "reason": "经行政复议撤销", "legal_basis": "《行政复议法》第二十八条", "document_number": "葫复决〔2029〕3号"},
        format="json")
    assert response.status_code == 200, response.json()
    task = clerk.client().post("/api/v1/records/", penalty(kind="inspection_task", surprise=True,
                                                           title="突击检查计划"), format="json").json()
    assert "id" in task
    clock(expires.isoformat())
    open_data_dump(day=expires)
    directory = dump_dir(expires)
    everything = "".join(p.read_text("utf-8-sig") for p in directory.iterdir())
    for absent in ("先公示的案件", "草稿案件", "不予公开案件", "已撤销案件", "突击检查计划"):
        assert absent not in everything, absent
    _headings, rows = read_csv(directory / f"penalties_{expires:%Y%m%d}.csv")
    assert [r["行政处罚决定书文号"] for r in rows] == ["连市监罚〔2029〕1号"]
    assert shown


def test_a_past_days_dump_holds_nothing_published_after_it(clerk: Staff, clock: Callable[[str], None]) -> None:
    clock("2026-09-28")
    publish_record(clerk, title="九月二十八日公示", event_date="2026-09-28")
    clock("2026-09-29")
    publish_record(clerk, title="九月二十九日公示", event_date="2026-09-29")
    open_data_dump(day=date(2026, 9, 28))
    _headings, rows = read_csv(dump_dir(date(2026, 9, 28)) / "penalties_20260928.csv")
    assert [r["处罚决定日期"] for r in rows] == ["2026/09/28"]


def _claim_and_write(day: date) -> bool:
    return open_data_dump(day=day).made


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_make_the_dump_once(clerk: Staff, clock: Callable[[str], None]) -> None:
    clock("2026-09-29")
    publish_record(clerk)
    results = race([lambda: _claim_and_write(DAY) for _ in range(2)])
    assert sorted(results) == [False, True]
    dump = OpenDataDump.objects.get(day=DAY)
    assert dump.state == OpenDataState.DONE and len(dump.files) == 2 * len(DATASET_KINDS)
    assert OpenDataDump.objects.count() == 1
    assert not open_data_dump(day=DAY).made  # done: a later run does nothing


def test_a_dead_workers_dump_is_taken_over_after_its_lease(clerk: Staff, clock: Callable[[str], None],
                                                           settings: Any) -> None:
    clock("2026-09-29")
    publish_record(clerk)
    now = timezone.now()
    OpenDataDump.objects.create(day=DAY, state=OpenDataState.RUNNING, started_at=now, lease_owner="dead:1:x",
                                lease_until=now + timedelta(seconds=settings.OPEN_DATA_LEASE_SECONDS))
    dump_dir(DAY).mkdir(parents=True)
    (dump_dir(DAY) / "penalties_20260929.csv.part-x").write_bytes(b"half a file")
    assert not open_data_dump(day=DAY).made  # its lease is live
    OpenDataDump.objects.filter(day=DAY).update(lease_until=now - timedelta(seconds=1))
    result = open_data_dump(day=DAY, owner="next:2:y")
    assert result.made
    dump = OpenDataDump.objects.get(day=DAY)
    assert dump.state == OpenDataState.DONE and dump.lease_owner == "next:2:y"
    assert sorted(p.name for p in dump_dir(DAY).iterdir()) == sorted(dump.files)


def test_a_failed_dump_is_retried_by_the_next_run(clerk: Staff, clock: Callable[[str], None]) -> None:
    clock("2026-09-29")
    OpenDataDump.objects.create(day=DAY, state=OpenDataState.FAILED, started_at=timezone.now(), error="disk full")
    assert open_data_dump(day=DAY).made
    assert OpenDataDump.objects.get(day=DAY).state == OpenDataState.DONE


def test_dumps_older_than_the_retention_are_deleted(clerk: Staff, clock: Callable[[str], None],
                                                    settings: Any) -> None:
    assert settings.OPEN_DATA_KEEP_DAYS == 30
    clock("2026-09-01")
    publish_record(clerk, event_date="2026-09-01")
    open_data_dump(day=date(2026, 9, 1))
    clock("2026-09-30")
    assert open_data_dump().deleted == []  # 30 days: 09-01 to 09-30
    assert (dump_dir(date(2026, 9, 1))).is_dir()
    clock("2026-10-01")
    result = open_data_dump()
    assert result.deleted == [date(2026, 9, 1)]
    assert not dump_dir(date(2026, 9, 1)).exists()
    assert sorted(OpenDataDump.objects.values_list("day", flat=True)) == [date(2026, 9, 30), date(2026, 10, 1)]
    # A day directory no row names (a row deleted by hand) goes too.
    stray = dump_dir(date(2026, 8, 1))
    stray.mkdir(parents=True)
    (stray / "x.csv").write_text("x")
    assert open_data_prune() == [] and not stray.exists()


def test_the_command_makes_the_dump_with_a_day(clerk: Staff, clock: Callable[[str], None]) -> None:
    clock("2026-09-29")
    publish_record(clerk)
    out = io.StringIO()
    call_command_en("open_data_dump", "--day", "2026-09-29", "--no-progress", stdout=out)
    assert "penalties_20260929.csv: 1 rows" in out.getvalue()
    assert OpenDataDump.objects.get(day=DAY).state == OpenDataState.DONE
    again = io.StringIO()
    call_command_en("open_data_dump", "--day", "2026-09-29", "--no-progress", stdout=again)
    assert "already made" in again.getvalue()
    from django.core.management.base import CommandError
    for bad in ("2026-02-30", "２０２６-09-29", "yesterday", "2026-09-30"):  # the last: a day to come
        with pytest.raises(CommandError):
            call_command_en("open_data_dump", "--day", bad, "--no-progress")


def test_the_schema_is_documented_from_the_spec() -> None:
    for dataset in DATASET_KINDS:
        schema = dataset_schema(dataset)
        assert [c.heading for c in schema] == public_headings(dataset)
        assert all(c.meaning and c.format for c in schema), dataset
    fine = next(c for c in dataset_schema("penalties") if c.heading == "罚款金额（万元）")
    assert "万元" in fine.format


def test_the_page_lists_the_kept_days_and_serves_their_files(clerk: Staff, clock: Callable[[str], None]) -> None:
    clock("2026-09-29")
    publish_record(clerk)
    open_data_dump(day=DAY)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = client.get("/open-data/")
    assert page.status_code == 200
    html = page.content.decode()
    dump = OpenDataDump.objects.get(day=DAY)
    for name, info in dump.files.items():
        assert f"/open-data/2026-09-29/{name}" in html and info["sha256"] in html
    assert "罚款金额（万元）" in html and "开放数据" in html
    assert "证件号码</td>" not in html
    response = client.get("/open-data/2026-09-29/penalties_20260929.csv")
    assert response.status_code == 200
    served = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(served).hexdigest() == dump.files["penalties_20260929.csv"]["sha256"]
    assert "attachment" in response["Content-Disposition"]
    home = client.get("/")
    assert "/open-data/" in home.content.decode()


@pytest.mark.parametrize("path", [
    "/open-data/2026-09-29/../../settings.py", "/open-data/2026-09-29/..%2F..%2Fetc%2Fpasswd",
    "/open-data/2026-09-29/%2e%2e", "/open-data/2026-09-30/penalties_20260929.csv",
    "/open-data/2026-02-30/penalties_20260230.csv", "/open-data/２０２６-09-29/penalties_20260929.csv",
    "/open-data/2026-09-29/penalties_20260929.csv%00", "/open-data/2026-09-29/penalties_20260929.xlsx",
    "/open-data/2026-09-29/secrets_20260929.csv", "/open-data/2026-09-29/", "/open-data/x/y",
    "/open-data/2026-09-29/penalties_20260929.csv.part-abc",
])
def test_bad_download_names_are_a_404_page(path: str, clerk: Staff, clock: Callable[[str], None]) -> None:
    clock("2026-09-29")
    open_data_dump(day=DAY)
    (dump_dir(DAY) / "penalties_20260929.csv.part-abc").write_bytes(b"x")
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == (400 if "%00" in path else 404), path  # a NUL byte: the bad-request page
    assert response["Content-Type"].startswith("text/html")


def test_a_file_of_a_dump_past_the_retention_is_not_served(clerk: Staff, clock: Callable[[str], None]) -> None:
    clock("2026-09-01")
    open_data_dump()
    clock("2026-10-15")  # the row and files are still there until the next run; the page offers neither
    page = Client().get("/open-data/")
    assert "2026-09-01" not in page.content.decode()
    assert Client().get("/open-data/2026-09-01/penalties_20260901.csv").status_code == 404


def test_the_daily_job_is_the_beat_entry_and_makes_todays_dump(clerk: Staff, clock: Callable[[str], None]) -> None:
    from backend.schedule import BEAT_SCHEDULE
    from disclosure.tasks import make_open_data_dump

    assert BEAT_SCHEDULE["open-data-dump"]["task"] == make_open_data_dump.name == "disclosure.open_data_dump"
    clock("2026-09-29")
    publish_record(clerk)
    result = make_open_data_dump()
    assert result["day"] == "2026-09-29" and result["made"] is True
    files: Any = result["files"]
    assert files["penalties_20260929.csv"]["rows"] == 1
    assert make_open_data_dump()["made"] is False  # made once


def test_the_number_of_queries_does_not_grow_with_the_rows(clerk: Staff, clock: Callable[[str], None]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clock("2026-09-29")
    publish_record(clerk)
    with CaptureQueriesContext(connection) as one:
        open_data_dump(day=DAY)
    OpenDataDump.objects.all().delete()
    for n in range(6):
        publish_record(clerk, document_number=f"连市监罚〔2026〕{n + 20}号")
    with CaptureQueriesContext(connection) as seven:
        open_data_dump(day=DAY)
    assert len(seven) == len(one)
    _headings, rows = read_csv(dump_dir(DAY) / "penalties_20260929.csv")
    assert len(rows) == 7
