"""The national standard's exchange files: ``GET /api/v1/exchange/{dataset}/`` and
``manage.py export_exchange`` (issue 14)."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from disclosure.kinds.exchange import COLUMNS
from disclosure.models import Agency, Record
from disclosure.selectors.exchange import mask_id_number, wan_yuan
from tests.conftest import PERSON_ID, VALID_CODE, Staff, call_command_en, penalty, standard_details

pytestmark = pytest.mark.django_db
PERIOD = {"from": "2026-09-01", "to": "2026-09-30"}


def published(staff: Staff, clock: Any, day: str = "2026-09-28", **overrides: Any) -> int:
    clock(day)
    response = staff.client().post("/api/v1/records/", penalty(event_date=day, **overrides), format="json")
    assert response.status_code == 201, response.json()
    record_id = int(response.json()["id"])
    assert staff.client().post(f"/api/v1/records/{record_id}/publish/", {}, format="json").status_code == 200
    return record_id


def export(staff: Staff, dataset: str = "penalties", **params: str) -> Any:
    return staff.client().get(f"/api/v1/exchange/{dataset}/", {**PERIOD, **params})


def csv_rows(response: Any) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_wan_yuan_is_decimal_exact() -> None:
    assert wan_yuan("2000.00") == "0.2"
    assert wan_yuan("10000") == "1"
    assert wan_yuan("0.01") == "0.000001"
    assert wan_yuan("123456789.12") == "12345.678912"
    assert wan_yuan("0") == "0"
    assert wan_yuan(None) == ""


def test_a_penalty_exports_in_the_standards_columns_and_forms(clerk: Staff, auditor: Staff, clock: Any,
                                                              tree: dict[str, Agency]) -> None:
    Agency.objects.filter(code="lianshan-amr").update(credit_code=VALID_CODE)
    record_id = published(clerk, clock, fine_amount="2000.00", penalty_types=["fine", "confiscate_gains"],
                          details={**standard_details("penalty"), "confiscated_amount": "1500",
                                   "penalty_valid_to": "long_term"})
    response = export(auditor)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == [heading for heading, _ in COLUMNS["penalties"]]
    record = Record.objects.get(pk=record_id)
    assert row["罚款金额（万元）"] == "0.2"
    assert row["没收违法所得、没收非法财物的金额（万元）"] == "0.15"
    assert row["处罚类别"] == "罚款;没收违法所得"
    assert row["行政相对人类别"] == "法人及非法人组织"
    assert row["统一社会信用代码"] == VALID_CODE
    assert row["法定代表人"] == "张某某"
    assert row["处罚决定日期"] == "2026/09/28"
    assert row["处罚有效期"] == "2099/12/31"
    assert record.expires_on is not None
    last_day = record.expires_on - timedelta(days=1)
    assert row["公示截止期"] == last_day.strftime("%Y/%m/%d")
    assert row["处罚机关"] == row["数据来源单位"] == "葫芦岛市连山区市场监督管理局"
    assert row["处罚机关统一社会信用代码"] == row["数据来源单位统一社会信用代码"] == VALID_CODE
    assert row["行政处罚决定书文号"] == "连市监罚〔2026〕12号"
    assert row["违法行为类型"] == "销售不合格产品"


def test_natural_persons_id_numbers_raw_only_to_a_platform(clerk: Staff, auditor: Staff, make_staff: Any,
                                                          clock: Any) -> None:
    published(clerk, clock, subject_type="natural_person", subject_code="", subject_name="张三")
    platform = make_staff("city", "platform")
    raw = csv_rows(export(platform))[0]
    assert raw["证件号码"] == PERSON_ID and raw["证件类型"] == "身份证"
    assert raw["行政相对人类别"] == "自然人"
    for staff in (auditor, clerk):
        response = export(staff)
        masked = csv_rows(response)[0]
        assert masked["证件号码"] == mask_id_number(PERSON_ID) != PERSON_ID
        assert PERSON_ID not in str(masked)
    for fmt in ("json", "xlsx"):
        body = export(auditor, format=fmt)
        content = b"".join(body.streaming_content) if body.streaming else body.content
        assert PERSON_ID.encode() not in content


def test_agency_staff_export_their_subtree_only(clerk: Staff, outsider: Staff, make_staff: Any, clock: Any,
                                                anonymous: Any) -> None:
    ours = published(clerk, clock)
    theirs = published(outsider, clock, agency="longgang-amr", title="龙港案件")
    station = make_staff("lianshan-amr-station", "clerk")
    assert [r["行政处罚决定书文号"] for r in csv_rows(export(clerk))] == ["连市监罚〔2026〕12号"]
    assert len(csv_rows(export(outsider))) == 1
    assert csv_rows(export(station)) == []
    viewer = make_staff("lianshan", "viewer")
    assert len(csv_rows(export(viewer))) == 1
    assert anonymous.get("/api/v1/exchange/penalties/", PERIOD).status_code in (401, 403)
    assert ours != theirs


@pytest.mark.parametrize("params", [
    {"from": "2026-9-1"}, {"from": "２０２６-０９-０１"}, {"to": "2026-02-30"}, {"from": "2026-10-01"},
    {"format": "pdf"}, {"from": "2026-09-01\x00"}, {"from": ""},
])
def test_bad_parameters_are_a_400_json_error(auditor: Staff, params: dict[str, str]) -> None:
    response = export(auditor, **params)
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


def test_an_unknown_dataset_is_a_400(auditor: Staff) -> None:
    response = export(auditor, dataset="parking_tickets")
    assert response.status_code == 400 and "dataset" in response.json()["errors"]


def test_the_three_formats_carry_the_same_values(clerk: Staff, auditor: Staff, clock: Any) -> None:
    published(clerk, clock, fine_amount="2000.00")
    csv_row = csv_rows(export(auditor))[0]
    document = json.loads(b"".join(export(auditor, format="json").streaming_content))
    assert document["columns"] == list(csv_row)
    json_row = document["rows"][0]
    assert json_row["罚款金额（万元）"] == "0.2"
    assert json_row["处罚决定日期"] == "2026-09-28"  # JSON: ISO dates (API.md)
    xlsx = export(auditor, format="xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True).active
    values = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == list(csv_row)
    assert values[1] == list(csv_row.values())


def test_other_datasets(clerk: Staff, auditor: Staff, clock: Any) -> None:
    published(clerk, clock, kind="permit", document_number="", details={**standard_details("permit"),
                                                                          "valid_to": "long_term"})
    published(clerk, clock, kind="coercive_measure")
    published(clerk, clock, kind="inspection_result")
    permit = csv_rows(export(auditor, dataset="permits"))[0]
    assert permit["行政许可决定文书号"] == "JY12114020012345"  # the permit number when there is no document number
    assert permit["有效期至"] == "2099/12/31" and permit["许可类别"] == "普通" and permit["当前状态"] == "有效"
    coercive = csv_rows(export(auditor, dataset="coercive_measures"))[0]
    assert coercive["行政强制种类"] == "行政强制措施" and coercive["强制措施类型"] == "扣押财物"
    inspection = csv_rows(export(auditor, dataset="inspections"))[0]
    assert inspection["检查人员及执法证号"] == "李检查（21140001）;王检查（21140002）"
    assert inspection["检查结果"] == "未发现问题" and inspection["检查时间"] == "2026/09/28"
    assert inspection["监管对象编码"] == VALID_CODE


def test_rows_are_by_publication_date(clerk: Staff, auditor: Staff, clock: Any) -> None:
    published(clerk, clock, day="2026-08-28")
    published(clerk, clock, day="2026-09-28")
    assert len(csv_rows(export(auditor))) == 1
    assert len(csv_rows(export(auditor, **{"from": "2026-08-01"}))) == 2


def test_the_query_count_does_not_grow_with_rows(clerk: Staff, auditor: Staff, clock: Any) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            b"".join(export(auditor).streaming_content)
        return len(ctx)

    published(clerk, clock)
    before = count()
    for _ in range(4):
        published(clerk, clock)
    assert count() == before


def test_the_command_writes_the_same_bytes(clerk: Staff, make_staff: Any, clock: Any, tmp_path: Path) -> None:
    published(clerk, clock, fine_amount="2000.00")
    platform = make_staff("city", "platform")
    api = b"".join(export(platform).streaming_content)
    call_command_en("export_exchange", "--dataset", "penalties", "--from", "2026-09-01", "--to", "2026-09-30",
                    "--out", str(tmp_path), "--raw-ids", "--no-progress")
    assert (tmp_path / "penalties_20260901-20260930.csv").read_bytes() == api
    call_command_en("export_exchange", "--dataset", "all", "--from", "2026-09-01", "--to", "2026-09-30",
                    "--format", "json", "--out", str(tmp_path), "--no-progress")
    assert sorted(p.name for p in tmp_path.glob("*.json")) == [
        "coercive_measures_20260901-20260930.json", "inspections_20260901-20260930.json",
        "penalties_20260901-20260930.json", "permits_20260901-20260930.json"]


def test_numbers_written_in_the_texts_are_masked_for_all_but_a_platform(clerk: Staff, auditor: Staff,
                                                                        make_staff: Any, clock: Any) -> None:
    """An ID or a phone number written inside a text (content, facts), however it is written, goes
    as it is only to a platform account (review finding: only the ID columns were masked)."""
    wrapped_id = PERSON_ID[:12] + "\n" + PERSON_ID[12:]
    published(clerk, clock, subject_type="natural_person", subject_code="", subject_name="张三",
              content=f"当事人身份证号{wrapped_id}，电话138 1234    5678。",
              details={**standard_details("penalty", "natural_person"),
                       "violation_facts": f"当事人身份证ID{PERSON_ID}，联系电话１３８·１２３４·５６７８。"})
    for staff in (auditor, clerk):
        row = csv_rows(export(staff))[0]
        text = row["处罚内容"] + row["违法事实"]
        digits = "".join(c for c in text if c.isdigit())
        assert PERSON_ID[:12] not in digits and "12345678" not in digits, text
        assert "当事人身份证号" in row["处罚内容"]  # the rest of the text stays
    raw = csv_rows(export(make_staff("city", "platform")))[0]
    assert wrapped_id in raw["处罚内容"] and PERSON_ID in raw["违法事实"]


def test_a_control_character_in_a_text_does_not_break_the_xlsx(clerk: Staff, auditor: Staff, clock: Any) -> None:
    published(clerk, clock, details={**standard_details("penalty"), "violation_facts": "事实\x07\x0b\x1b。"})
    response = export(auditor, format="xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                     else response.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert "事实。" in values[1]
