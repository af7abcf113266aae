"""Inspection results and surprise inspections, through the API."""
from __future__ import annotations

from typing import Any

import pytest
from django.urls import Resolver404, resolve

from inspections.models import Result, Task
from tests.conftest import Staff, penalty
from tests.test_inspections_draw import approve, code, directory, plan

pytestmark = pytest.mark.django_db


def drawn(staff: Staff, **overrides: Any) -> Task:
    directory(staff, entities=3, inspectors=3)
    response = approve(staff, plan(staff, sample_count=1, **overrides)["id"])
    assert response.status_code == 201, response.json()
    return Task.objects.select_related("record", "entity").get()


def test_result_is_a_record_naming_the_task_with_its_deadline(clerk: Staff, clock: Any) -> None:
    clock("2026-10-09")
    task = drawn(clerk)
    clock("2026-10-20")
    response = clerk.client().post(f"/api/v1/inspections/tasks/{task.pk}/result/", {
        "outcome": "rectification_ordered", "findings": "未公示食品经营许可证，已责令改正。",
        "formed_on": "2026-10-19"},
        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["due_date"] == "2026-11-02"  # 10 working days after 10-19
    result = Result.objects.select_related("record").get()
    assert result.record.kind == "inspection_result"
    assert result.record.task_id == task.record.pk
    assert "发现问题已责令整改" in result.record.content
    again = clerk.client().post(f"/api/v1/inspections/tasks/{task.pk}/result/", {
        "outcome": "no_problem", "formed_on": "2026-10-19"}, format="json")
    assert again.status_code == 409
    listed = clerk.client().get("/api/v1/inspections/tasks/").json()["results"][0]
    assert listed["result"] == result.pk and len(listed["inspectors"]) == 2


def test_result_cannot_precede_its_task_nor_lie_in_the_future(clerk: Staff, clock: Any) -> None:
    clock("2026-10-09")
    task = drawn(clerk)
    client = clerk.client()
    early = client.post(f"/api/v1/inspections/tasks/{task.pk}/result/", {"outcome": "no_problem",
                                                                          "formed_on": "2026-10-08"}, format="json")
    assert early.status_code == 400 and "formed_on" in early.json()["errors"]
    future = client.post(f"/api/v1/inspections/tasks/{task.pk}/result/", {"outcome": "no_problem",
                                                                           "formed_on": "2026-10-10"}, format="json")
    assert future.status_code == 400 and "event_date" in future.json()["errors"]
    assert not Result.objects.exists()


def test_result_links_a_penalty_of_the_same_entity_only(clerk: Staff, clock: Any) -> None:
    clock("2026-10-09")
    task = drawn(clerk)
    client = clerk.client()
    result = client.post(f"/api/v1/inspections/tasks/{task.pk}/result/", {
        "outcome": "case_filed", "formed_on": "2026-10-09"}, format="json").json()
    other = client.post("/api/v1/records/", penalty(event_date="2026-10-09"), format="json").json()
    wrong = client.post(f"/api/v1/inspections/results/{result['id']}/penalty/", {"penalty": other["id"]},
                        format="json")
    assert wrong.status_code == 400 and "penalty" in wrong.json()["errors"]
    own = client.post("/api/v1/records/", penalty(event_date="2026-10-09", subject_code=task.entity.credit_code,
                                                  subject_name=task.entity.name), format="json").json()
    linked = client.post(f"/api/v1/inspections/results/{result['id']}/penalty/", {"penalty": own["id"]},
                         format="json")
    assert linked.status_code == 200 and linked.json()["penalty"] == own["id"]


def test_surprise_task_is_published_only_after_its_result(clerk: Staff, clock: Any, anonymous: Any) -> None:
    clock("2026-10-09")
    task = drawn(clerk, surprise=True)
    assert task.record.surprise is True and task.record.due_date is None
    client = clerk.client()
    early = client.post(f"/api/v1/records/{task.record.pk}/publish/", {}, format="json")
    assert early.status_code == 409
    public_api = True
    try:
        resolve("/api/v1/public/records/")
    except Resolver404:
        public_api = False  # the public portal is another issue; checked when it is there
    if public_api:
        listed = anonymous.get("/api/v1/public/records/", {"subject_code": task.entity.credit_code}).json()
        assert listed.get("count", 0) == 0
        assert anonymous.get(f"/api/v1/public/records/{task.record.pk}/").status_code == 404
    clock("2026-10-15")
    result = client.post(f"/api/v1/inspections/tasks/{task.pk}/result/", {
        "outcome": "no_problem", "formed_on": "2026-10-15"}, format="json").json()
    assert client.post(f"/api/v1/records/{result['record']}/publish/", {}, format="json").status_code == 200
    published = client.post(f"/api/v1/records/{task.record.pk}/publish/", {}, format="json")
    assert published.status_code == 200, published.json()
    if public_api:
        listed = anonymous.get("/api/v1/public/records/", {"subject_code": task.entity.credit_code}).json()
        assert {r["id"] for r in listed["results"]} == {task.record.pk, result["record"]}


def test_entity_import_all_or_nothing_then_idempotent(clerk: Staff, tmp_path: Any) -> None:
    rows = ["agency,name,credit_code,address,industry,risk_level",
            f"lianshan-amr,甲公司,{code(1)},连山区1号,食品销售,高",
            f"lianshan-amr,乙公司,{code(2)},,餐饮服务,low"]
    bad = [*rows, f"longgang-amr,丙公司,{code(3)},,餐饮服务,medium", "lianshan-amr,丁公司,123,,餐饮服务,extreme"]
    client = clerk.client()

    def post(lines: list[str], dry_run: bool = False) -> Any:
        path = tmp_path / "entities.csv"
        path.write_text("\n".join(lines), encoding="utf-8")
        with path.open("rb") as fh:
            return client.post("/api/v1/inspections/entities/import/", {"file": fh, "dry_run": dry_run},
                               format="multipart")

    refused = post(bad)
    assert refused.status_code == 400
    errors = refused.json()["report"]["errors"]
    assert {(e["row"], e["field"]) for e in errors} == {(4, "agency"), (5, "credit_code"), (5, "risk_level")}
    assert client.get("/api/v1/inspections/entities/").json()["count"] == 0
    assert post(rows, dry_run=True).json() == {"rows": 2, "created": 0, "updated": 0, "skipped": 0, "dry_run": True,
                                               "errors": []}
    assert post(rows).json()["created"] == 2
    again = post(rows).json()
    assert (again["created"], again["skipped"]) == (0, 2)
    listed = client.get("/api/v1/inspections/entities/?risk_level=high").json()
    assert [e["name"] for e in listed["results"]] == ["甲公司"]
