"""双随机 draws through the API and ``manage.py verify_draw``: reproducible, verifiable, staffed by
the rules (≥ 2 inspectors, no conflicts, rotation window), all or nothing."""
from __future__ import annotations

import hashlib
import hmac
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure.credit_code import make_credit_code
from disclosure.models import AuditEntry, Record
from inspections import draw as algorithm
from inspections.models import Draw, Entity, Inspector, Plan, Task, TaskInspector
from tests.conftest import Staff, call_command_en

pytestmark = pytest.mark.django_db

INDUSTRIES = ["食品销售", "餐饮服务", "特种设备"]
RISKS = ["low", "medium", "high"]


def code(n: int) -> str:
    return make_credit_code(f"91211402MA{n:07d}")


def directory(staff: Staff, agency: str = "lianshan-amr", entities: int = 12, inspectors: int = 6) -> None:
    client = staff.client()
    for n in range(entities):
        response = client.post("/api/v1/inspections/entities/", {
            "agency": agency, "name": f"葫芦岛市第{n}商贸有限公司", "credit_code": code(n), "address": f"连山区{n}号",
            "industry": INDUSTRIES[n % 3], "risk_level": RISKS[n % 3]}, format="json")
        assert response.status_code == 201, response.json()
    for n in range(inspectors):
        response = client.post("/api/v1/inspections/inspectors/", {
            "agency": agency, "name": f"执法员{n}", "badge_number": f"21140{n:04d}"}, format="json")
        assert response.status_code == 201, response.json()


def plan(staff: Staff, agency: str = "lianshan-amr", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"agency": agency, "title": "2026年食品销售双随机抽查", "scope": "辖区食品销售经营者",
                            "period_start": "2026-10-12", "period_end": "2026-11-30", "sample_count": 4}
    body.update(overrides)
    response = staff.client().post("/api/v1/inspections/plans/", body, format="json")
    assert response.status_code == 201, response.json()
    return dict(response.json())


def approve(staff: Staff, plan_id: int) -> Any:
    return staff.client().post(f"/api/v1/inspections/plans/{plan_id}/approve/", {}, format="json")


def verify(draw_id: int) -> tuple[bool, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command_en("verify_draw", str(draw_id), stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


class TestDraw:
    def test_approval_draws_tasks_with_records_and_deadlines(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        directory(clerk)
        p = plan(clerk)
        response = approve(clerk, p["id"])
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["algorithm"] == "hmac-sha256-rank/v1"
        assert len(body["seed"]) == 64
        assert len(body["entities"]) == 12 and len(body["inspectors"]) == 6
        assert len(body["result"]) == 4
        tasks = Task.objects.filter(draw_id=body["id"]).select_related("record", "entity").order_by("position")
        assert [t.entity.credit_code for t in tasks] == [item["entity"] for item in body["result"]]
        for task in tasks:
            assert task.record.kind == "inspection_task"
            assert task.record.event_date.isoformat() == "2026-10-09"
            assert task.record.due_date.isoformat() == "2026-10-22"  # 10 working days; 10-10 is a make-up Saturday
            assert task.record.subject_code == task.entity.credit_code
            assert task.record.versions.count() == 1
            assert task.inspectors.count() == 2
        assert Plan.objects.get(pk=p["id"]).status == "approved"
        assert AuditEntry.objects.filter(action="plan.approve", object_id=str(p["id"])).count() == 1
        again = approve(clerk, p["id"])
        assert again.status_code == 409

    def test_result_is_the_published_algorithm_reimplemented_independently(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        directory(clerk)
        body = approve(clerk, plan(clerk, sample_count=5, inspectors_per_task=3)["id"]).json()
        key = bytes.fromhex(body["seed"])

        def score(*parts: str) -> str:
            return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()

        codes = sorted(e[0] for e in body["entities"])
        drawn = sorted(codes, key=lambda c: (score("entity", c), c))[:5]
        def team(code: str) -> list[str]:
            return sorted(body["inspectors"], key=lambda badge: (score("inspector", code, badge), badge))[:3]

        expected = [{"entity": c, "inspectors": team(c)} for c in drawn]
        assert body["result"] == expected
        canonical = json.dumps(body["entities"], ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        assert hashlib.sha256(canonical.encode()).hexdigest() == body["entities_digest"]

    def test_verify_draw_reproduces_a_draw_over_a_known_directory(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        directory(clerk)
        p = plan(clerk, industry="食品销售", sample_percent="50", sample_count=None)
        draw_id = approve(clerk, p["id"]).json()["id"]
        the_draw = Draw.objects.get(pk=draw_id)
        assert [e[1] for e in the_draw.entities] == ["食品销售"] * 4
        assert len(the_draw.result) == 2  # 50 % of 4
        # Entities and inspectors added after the draw do not disturb it.
        clock("2026-10-12")
        Entity.objects.create(agency_id=the_draw.plan.agency_id, name="新设公司", credit_code=code(99),
                              industry="食品销售", risk_level="low", created_at=the_draw.drawn_at.replace(year=2027),
                              updated_at=the_draw.drawn_at)
        ok, out, err = verify(draw_id)
        assert ok, err
        assert "OK: the draw reproduces (2 tasks)" in out
        assert the_draw.entities_digest in out

    def test_changing_one_eligible_entity_changes_the_digest_and_fails(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        directory(clerk)
        draw_id = approve(clerk, plan(clerk)["id"]).json()["id"]
        the_draw = Draw.objects.get(pk=draw_id)
        entity = Entity.objects.get(credit_code=code(4))
        response = clerk.client().patch(f"/api/v1/inspections/entities/{entity.pk}/", {"risk_level": "low"},
                                        format="json")
        assert response.status_code == 200, response.json()
        verification = clerk.client().get(f"/api/v1/inspections/draws/{draw_id}/verify/").json()
        assert verification["ok"] is False
        assert verification["digests"]["entities"] != the_draw.entities_digest
        ok, _out, err = verify(draw_id)
        assert not ok
        assert f"{code(4)} changed from" in err
        assert "The draw does not reproduce" in err

    def test_a_tampered_seed_fails_verification(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        directory(clerk)
        draw_id = approve(clerk, plan(clerk)["id"]).json()["id"]
        Draw.objects.filter(pk=draw_id).update(seed="00" * 32)
        ok, _out, err = verify(draw_id)
        assert not ok and "Re-running the draw gives another result" in err

    def test_verify_draw_names_a_missing_draw(self, db: None) -> None:
        ok, _out, err = verify(404)
        assert not ok and "No draw 404" in err

    def test_too_few_inspectors_refuses_and_draws_nothing(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        directory(clerk, inspectors=3)
        p = plan(clerk, inspectors_per_task=4)
        response = approve(clerk, p["id"])
        assert response.status_code == 400
        assert "每项任务需要 4 人" in response.json()["detail"]  # the site speaks Chinese by default
        assert not Draw.objects.exists() and not Record.objects.exists()
        assert Plan.objects.get(pk=p["id"]).status == "draft"
        assert AuditEntry.objects.filter(action="plan.approve", outcome="refused").count() == 1

    def test_conflicts_leave_too_few_and_nothing_is_half_drawn(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        directory(clerk, entities=3, inspectors=3)
        client = clerk.client()
        for inspector in Inspector.objects.all()[:2]:
            response = client.post(f"/api/v1/inspections/inspectors/{inspector.pk}/conflicts/",
                                   {"credit_code": code(1), "reason": "近亲属任该公司股东"}, format="json")
            assert response.status_code == 201, response.json()
        response = approve(clerk, plan(clerk, sample_count=3)["id"])
        assert response.status_code == 400
        assert code(1) in response.json()["errors"]["inspectors"][0]
        assert not Task.objects.exists() and not Record.objects.exists()

    def test_plan_needs_two_inspectors_and_one_sample_size(self, clerk: Staff) -> None:
        response = clerk.client().post("/api/v1/inspections/plans/", {
            "agency": "lianshan-amr", "title": "t", "scope": "s", "period_start": "2026-10-12",
            "period_end": "2026-10-01", "sample_count": 3, "sample_percent": "10", "inspectors_per_task": 1,
        }, format="json")
        assert response.status_code == 400
        assert set(response.json()["errors"]) == {"period_end", "sample_count", "inspectors_per_task"}

    def test_rotation_window_keeps_inspectors_off_the_same_entity(self, clerk: Staff, clock: Any,
                                                                  settings: Any) -> None:
        settings.INSPECTIONS_INSPECTOR_REPEAT_WINDOW_DAYS = 30
        clock("2026-10-09")
        directory(clerk, entities=2, inspectors=4)
        first = approve(clerk, plan(clerk, sample_count=2)["id"]).json()
        clock("2026-10-20")
        second = approve(clerk, plan(clerk, sample_count=2)["id"]).json()
        before = {item["entity"]: set(item["inspectors"]) for item in first["result"]}
        for item in second["result"]:
            assert not set(item["inspectors"]) & before[item["entity"]]
        assert {tuple(e) for e in second["exclusions"]} == {
            (b, c, "recent") for c, badges in before.items() for b in badges}
        # A third draw within the window has nobody left for these entities.
        clock("2026-10-21")
        assert approve(clerk, plan(clerk, sample_count=1)["id"]).status_code == 400
        # Outside the window everybody is eligible again, and the earlier draws still verify.
        clock("2026-12-01")
        assert approve(clerk, plan(clerk, sample_count=2)["id"]).status_code == 201
        assert verify(first["id"])[0] and verify(second["id"])[0]


class TestPermissions:
    def test_other_agencies_get_404_and_viewers_403(self, clerk: Staff, outsider: Staff, make_staff: Any,
                                                     clock: Any) -> None:
        clock("2026-10-09")
        directory(clerk, entities=3, inspectors=2)
        p = plan(clerk, sample_count=1)
        viewer = make_staff("lianshan-amr", "viewer")
        assert approve(outsider, p["id"]).status_code == 404
        assert approve(viewer, p["id"]).status_code == 403
        assert outsider.client().get(f"/api/v1/inspections/plans/{p['id']}/").status_code == 404
        assert outsider.client().get("/api/v1/inspections/entities/").json()["count"] == 0
        entity = Entity.objects.first()
        assert entity is not None
        assert outsider.client().patch(f"/api/v1/inspections/entities/{entity.pk}/", {"risk_level": "low"},
                                       format="json").status_code == 404
        assert viewer.client().patch(f"/api/v1/inspections/entities/{entity.pk}/", {"risk_level": "low"},
                                     format="json").status_code == 403
        assert outsider.client().post("/api/v1/inspections/entities/", {
            "agency": "lianshan-amr", "name": "x", "credit_code": code(50), "industry": "x", "risk_level": "low",
        }, format="json").status_code == 403
        draw_id = approve(clerk, p["id"]).json()["id"]
        assert outsider.client().get(f"/api/v1/inspections/draws/{draw_id}/").status_code == 404
        assert viewer.client().get(f"/api/v1/inspections/draws/{draw_id}/verify/").json()["ok"] is True
        task = Task.objects.get()
        body = {"outcome": "no_problem", "formed_on": "2026-10-09"}
        assert outsider.client().post(f"/api/v1/inspections/tasks/{task.pk}/result/", body,
                                      format="json").status_code == 404
        assert viewer.client().post(f"/api/v1/inspections/tasks/{task.pk}/result/", body,
                                    format="json").status_code == 403
        assert outsider.client().get("/api/v1/inspections/tasks/").json()["count"] == 0

    def test_bad_credit_code_is_refused_with_its_reason(self, clerk: Staff) -> None:
        response = clerk.client().post("/api/v1/inspections/entities/", {
            "agency": "lianshan-amr", "name": "x", "credit_code": code(1)[:17] + "0", "industry": "x",
            "risk_level": "low"}, format="json")
        assert response.status_code == 400
        assert "credit_code" in response.json()["errors"]


class TestLists:
    def test_lists_are_paginated_and_query_count_is_flat(self, clerk: Staff, clock: Any,
                                                         django_assert_max_num_queries: Any) -> None:
        clock("2026-10-09")
        directory(clerk, entities=30, inspectors=6)
        approve(clerk, plan(clerk, sample_count=10)["id"])
        client = clerk.client()
        for url, rows in [("/api/v1/inspections/entities/?page_size=20", 20), ("/api/v1/inspections/inspectors/", 6),
                          ("/api/v1/inspections/plans/", 1), ("/api/v1/inspections/tasks/", 10),
                          ("/api/v1/inspections/results/", 0), ("/api/v1/inspections/conflicts/", 0)]:
            # auth + scope + count + page (+ one prefetch of inspectors for tasks), whatever the rows
            with django_assert_max_num_queries(6):
                response = client.get(url)
            assert response.status_code == 200
            assert len(response.json()["results"]) == rows, url


# -- the inspector constraints hold over random pools ------------------------------------------------
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entities=st.integers(min_value=1, max_value=25),
    inspectors=st.integers(min_value=0, max_value=12),
    per_task=st.integers(min_value=2, max_value=4),
    sample=st.integers(min_value=1, max_value=30),
    excluded=st.sets(st.tuples(st.integers(0, 11), st.integers(0, 24)), max_size=60),
    seed=st.binary(min_size=32, max_size=32),
)
def test_property_every_task_is_staffed_by_the_rules(entities: int, inspectors: int, per_task: int, sample: int,
                                                     excluded: set[tuple[int, int]], seed: bytes) -> None:
    codes = sorted(code(n) for n in range(entities))
    badges = sorted(f"B{n:03d}" for n in range(inspectors))
    exclusions = sorted([[f"B{i:03d}", code(e), "conflict"] for i, e in excluded if i < inspectors and e < entities])
    barred = {(b, c) for b, c, _why in exclusions}
    inputs = algorithm.DrawInput(seed=seed.hex(), entities=[[c, "x", "low"] for c in codes], inspectors=badges,
                                 exclusions=exclusions, sample_size=min(sample, entities), per_task=per_task)
    try:
        result = algorithm.run(inputs)
    except algorithm.DrawImpossible as exc:
        # Refused only when some drawn entity really lacks enough eligible inspectors.
        assert exc.available < per_task
        assert len([b for b in badges if (b, exc.credit_code) not in barred]) == exc.available
        return
    assert len(result) == min(sample, entities)
    assert len({item["entity"] for item in result}) == len(result)
    for item in result:
        assert len(item["inspectors"]) == per_task == len(set(item["inspectors"]))
        assert not any((b, item["entity"]) in barred for b in item["inspectors"])
    assert algorithm.run(inputs) == result  # same inputs, same draw


def test_assignments_remember_the_entity(clerk: Staff, clock: Any) -> None:
    clock("2026-10-09")
    directory(clerk, entities=2, inspectors=2)
    approve(clerk, plan(clerk, sample_count=2)["id"])
    assert set(TaskInspector.objects.values_list("credit_code", flat=True)) == {code(0), code(1)}
