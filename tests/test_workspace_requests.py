"""The agency's queue of citizens' corrections and queries in the workspace (the API's twin)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from disclosure.models import CitizenRequest, Record, RecordStatus
from tests.conftest import penalty

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path) -> None:
    cache.clear()  # the public submission throttle
    settings.MEDIA_ROOT = str(tmp_path / "media")


def browser_for(staff: Any) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def published(staff: Any) -> int:
    client = staff.client()
    pk = int(client.post("/api/v1/records/", penalty(), format="json").json()["id"])
    assert client.post(f"/api/v1/records/{pk}/publish/", {}, format="json").status_code == 200
    return pk


def correction(record: int) -> dict[str, Any]:
    made = APIClient().post("/api/v1/public/corrections/", {
        "record": record, "requester_name": "王五", "contact": "13912345678",
        "description": "罚款金额应为一万元，见复议决定书。",
        "evidence": [SimpleUploadedFile("复议决定书.pdf", PDF, "application/pdf")]}, format="multipart")
    assert made.status_code == 201, made.json()
    return dict(made.json())


def query(agency: str = "lianshan-amr") -> dict[str, Any]:
    made = APIClient().post("/api/v1/public/queries/", {
        "requester_name": "赵六", "contact": "zhao@example.org", "question": "某公司是否受过处罚？", "agency": agency},
        format="json")
    assert made.status_code == 201, made.json()
    return dict(made.json())


def test_accepting_a_correction_changes_the_record(clerk: Any, clock: Any) -> None:
    clock("2026-09-29")
    record = published(clerk)
    made = correction(record)
    client = browser_for(clerk)
    queue = client.get("/workspace/requests/")
    assert [r.pk for r in queue.context["page"]] == [made["id"]]
    page = client.get(f"/workspace/requests/{made['id']}/")
    assert page.status_code == 200 and "13912345678" in page.content.decode()
    assert page.context["may_answer"]
    # Accepting without changing anything is refused, at the form.
    response = client.post(f"/workspace/requests/{made['id']}/", {"decision": "accepted", "reply": "已更正。",
                                                                   **_content(record)})
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    response = client.post(f"/workspace/requests/{made['id']}/", {
        "decision": "accepted", "reply": "经核实，已更正。", "document_number": "连市监更〔2026〕1号",
        **_content(record, content="罚款人民币一万元。")})
    assert response.status_code == 302
    assert CitizenRequest.objects.get(pk=made["id"]).status == "accepted"
    changed = Record.objects.get(pk=record)
    assert changed.status == RecordStatus.CORRECTED and changed.content == "罚款人民币一万元。"
    # Closed: a second answer is a conflict.
    again = client.post(f"/workspace/requests/{made['id']}/", {"decision": "rejected", "reply": "x",
                                                                **_content(record)})
    assert again.status_code == 409


def _content(record_id: int, **overrides: Any) -> dict[str, Any]:
    record = Record.objects.get(pk=record_id)
    values = {name: getattr(record, name) for name in (
        "title", "subject_name", "subject_type", "subject_code", "content", "legal_basis", "document_number",
        "disclosure", "withheld_reason", "penalty_types", "fine_amount")}
    # The standard fields, prefilled as the page shows them.
    values |= {f"d_{k}": v for k, v in record.details.items()}
    values.update(overrides)
    return {f"new-{k}": v for k, v in values.items() if v is not None}


def test_answering_a_query_gives_a_written_reply(clerk: Any, clock: Any) -> None:
    clock("2026-09-29")
    made = query()
    client = browser_for(clerk)
    response = client.post(f"/workspace/requests/{made['id']}/", {"decision": "answered", "reply": ""})
    assert response.status_code == 400 and response.context["form"].errors["reply"]
    response = client.post(f"/workspace/requests/{made['id']}/", {"decision": "answered", "reply": "经查，未受处罚。"})
    assert response.status_code == 302
    page = client.get(f"/workspace/requests/{made['id']}/").content.decode()
    assert f"/api/v1/requests/{made['id']}/reply.pdf" in page


def test_the_queue_is_scoped(clerk: Any, outsider: Any, make_staff: Any, clock: Any) -> None:
    clock("2026-09-29")
    made = query()
    assert browser_for(outsider).get(f"/workspace/requests/{made['id']}/").status_code == 404
    assert browser_for(outsider).post(f"/workspace/requests/{made['id']}/",
                                      {"decision": "answered", "reply": "x"}).status_code == 404
    assert list(browser_for(outsider).get("/workspace/requests/").context["page"]) == []
    viewer = browser_for(make_staff("lianshan-amr", "viewer"))
    assert viewer.get(f"/workspace/requests/{made['id']}/").context["may_answer"] is False
    assert viewer.post(f"/workspace/requests/{made['id']}/", {"decision": "answered", "reply": "x"}).status_code == 403
    assert CitizenRequest.objects.get(pk=made["id"]).status == "open"


def test_queue_query_count_does_not_grow(clerk: Any, clock: Any) -> None:
    clock("2026-09-29")
    record = published(clerk)
    correction(record)
    client = browser_for(clerk)
    client.get("/workspace/requests/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/workspace/requests/").status_code == 200
        return len(queries)

    few = count()
    for _n in range(4):
        correction(record)
        cache.clear()
        query()
        cache.clear()
    assert count() == few
