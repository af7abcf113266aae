"""Every role against every action, through HTTP (API.md "Records", "Administration")."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from disclosure.models import AuditEntry, Record
from tests.conftest import PASSWORD, Staff, penalty

pytestmark = pytest.mark.django_db

CHANGE = {"reason": "r", "legal_basis": "b", "document_number": "n"}

# who -> (agency, role); the record under test belongs to lianshan-amr.
WHO = {
    "clerk": ("lianshan-amr", "clerk"),
    "district_clerk": ("lianshan", "clerk"),  # the superior agency: its subtree includes the bureau
    "station_clerk": ("lianshan-amr-station", "clerk"),  # a dispatched body below: cannot see its parent's records
    "sibling_clerk": ("longgang-amr", "clerk"),
    "admin": ("lianshan-amr", "agency_admin"),
    "viewer": ("lianshan-amr", "viewer"),
    "sibling_viewer": ("longgang-amr", "viewer"),
    "auditor": ("city-amr", "auditor"),
}

# expected status per action: "read" covers list membership, retrieve and versions.
ALLOWED, FORBIDDEN, HIDDEN = "allowed", "forbidden", "hidden"
MATRIX = {
    "clerk": (ALLOWED, ALLOWED),
    "district_clerk": (ALLOWED, ALLOWED),
    "admin": (ALLOWED, ALLOWED),
    "station_clerk": (HIDDEN, HIDDEN),
    "sibling_clerk": (HIDDEN, HIDDEN),
    "sibling_viewer": (HIDDEN, HIDDEN),
    "viewer": (ALLOWED, FORBIDDEN),
    "auditor": (ALLOWED, FORBIDDEN),
    "superuser": (ALLOWED, FORBIDDEN),
}


@pytest.fixture
def record(clerk: Staff, clock: Callable[[str], None]) -> Record:
    clock("2026-09-29")
    response = clerk.client().post("/api/v1/records/", penalty(), format="json")
    assert response.status_code == 201
    return Record.objects.get(pk=response.json()["id"])


def client_for(who: str, make_staff: Callable[[str, str], Staff], superuser: Any) -> APIClient:
    if who == "superuser":
        client = APIClient()
        client.force_authenticate(superuser)
        return client
    return make_staff(*WHO[who]).client()


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_read(who: str, record: Record, make_staff: Any, superuser: Any) -> None:
    client = client_for(who, make_staff, superuser)
    expected_read, _ = MATRIX[who]
    listed = {r["id"] for r in client.get("/api/v1/records/").json()["results"]}
    detail = client.get(f"/api/v1/records/{record.pk}/")
    versions = client.get(f"/api/v1/records/{record.pk}/versions/")
    if expected_read == ALLOWED:
        assert record.pk in listed
        assert detail.status_code == 200 and detail.json()["id"] == record.pk
        assert versions.status_code == 200
    else:
        assert record.pk not in listed
        assert detail.status_code == 404
        assert versions.status_code == 404


ACTIONS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "edit": ("patch", "", {"version": 1, "title": "新标题"}),
    "publish": ("post", "publish/", {}),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("who", sorted(MATRIX))
def test_act_on_draft(who: str, action: str, record: Record, make_staff: Any, superuser: Any) -> None:
    client = client_for(who, make_staff, superuser)
    method, suffix, body = ACTIONS[action]
    response = getattr(client, method)(f"/api/v1/records/{record.pk}/{suffix}", body, format="json")
    _read, expected = MATRIX[who]
    record.refresh_from_db()
    if expected == ALLOWED:
        assert response.status_code == 200, response.json()
        assert record.version == 2
    else:
        assert response.status_code == (403 if expected == FORBIDDEN else 404)
        assert record.version == 1 and record.status == "draft"
        refusal = AuditEntry.objects.filter(outcome="refused", action=f"record.{action}").last()
        assert refusal is not None and refusal.object_id == str(record.pk)


@pytest.mark.parametrize("action", ["change", "revoke"])
@pytest.mark.parametrize("who", sorted(MATRIX))
def test_act_on_published(who: str, action: str, record: Record, clerk: Staff, make_staff: Any,
                          superuser: Any) -> None:
    assert clerk.client().post(f"/api/v1/records/{record.pk}/publish/", {}, format="json").status_code == 200
    client = client_for(who, make_staff, superuser)
    body = {**CHANGE, "changes": {"content": "新内容"}} if action == "change" else CHANGE
    response = client.post(f"/api/v1/records/{record.pk}/{action}/", body, format="json")
    _read, expected = MATRIX[who]
    record.refresh_from_db()
    if expected == ALLOWED:
        assert response.status_code == 200, response.json()
        assert record.version == 3
    else:
        assert response.status_code == (403 if expected == FORBIDDEN else 404)
        assert record.version == 2 and record.status == "published"
        assert AuditEntry.objects.filter(outcome="refused", action=f"record.{action}",
                                         object_id=str(record.pk)).exists()


@pytest.mark.parametrize(
    ("who", "agency", "status"),
    [
        ("clerk", "lianshan-amr", 201),
        ("clerk", "lianshan-amr-station", 201),  # a sub-body of her own agency
        ("clerk", "lianshan", 403),  # the superior agency is not hers to publish for
        ("clerk", "longgang-amr", 403),
        ("district_clerk", "lianshan-amr", 201),
        ("viewer", "lianshan-amr", 403),
        ("auditor", "lianshan-amr", 403),
        ("superuser", "lianshan-amr", 403),
    ],
)
def test_create_for_agency(who: str, agency: str, status: int, make_staff: Any, superuser: Any,
                           clock: Callable[[str], None]) -> None:
    clock("2026-09-29")
    client = client_for(who, make_staff, superuser)
    response = client.post("/api/v1/records/", penalty(agency=agency), format="json")
    assert response.status_code == status, response.json()
    if status == 403:
        assert not Record.objects.exists()
        assert AuditEntry.objects.filter(outcome="refused", action="record.create", agency_code=agency).exists()


def test_anonymous_is_refused_everywhere(record: Record, anonymous: APIClient) -> None:
    assert anonymous.get("/api/v1/records/").status_code == 401
    assert anonymous.get(f"/api/v1/records/{record.pk}/").status_code == 401
    assert anonymous.post("/api/v1/records/", penalty(), format="json").status_code == 401
    assert anonymous.post(f"/api/v1/records/{record.pk}/publish/", {}, format="json").status_code == 401
    assert anonymous.get("/api/v1/agencies/").status_code == 401
    assert anonymous.post("/api/v1/users/", {}, format="json").status_code == 401
    body = anonymous.get("/api/v1/records/").json()
    assert set(body) == {"detail", "errors"}


def test_bad_token_is_401(record: Record) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/records/").status_code == 401


def test_deactivated_user_loses_access(clerk: Staff, record: Record) -> None:
    clerk.user.is_active = False
    clerk.user.save()
    assert clerk.client().get("/api/v1/records/").status_code == 401


def test_agency_list(clerk: Staff) -> None:
    body = clerk.client().get("/api/v1/agencies/").json()
    by_code = {a["code"]: a for a in body}
    assert by_code["lianshan-amr"] == {"code": "lianshan-amr", "name": "葫芦岛市连山区市场监督管理局",
                                       "parent": "lianshan", "kind": "department"}
    assert by_code["city"]["parent"] is None


class TestUsers:
    def post(self, client: APIClient, agency: str, role: str, username: str = "newclerk",
             password: str = PASSWORD) -> Any:
        return client.post("/api/v1/users/", {"username": username, "password": password, "agency": agency,
                                              "role": role}, format="json")

    def test_superuser_creates_a_clerk_who_can_then_work(self, superuser: Any, tree: Any,
                                                         clock: Callable[[str], None]) -> None:
        client = APIClient()
        client.force_authenticate(superuser)
        response = self.post(client, "lianshan-amr", "clerk")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert {k: body[k] for k in ("username", "agency", "role")} == {
            "username": "newclerk", "agency": "lianshan-amr", "role": "clerk"}
        clock("2026-09-29")
        worker = APIClient()
        worker.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
        assert worker.post("/api/v1/records/", penalty(), format="json").status_code == 201

    @pytest.mark.parametrize(
        ("who", "agency", "role", "status"),
        [
            ("admin", "lianshan-amr", "clerk", 201),
            ("admin", "lianshan-amr-station", "viewer", 201),
            ("admin", "lianshan-amr", "agency_admin", 201),
            ("admin", "longgang-amr", "clerk", 403),  # a sibling agency
            ("admin", "lianshan", "clerk", 403),  # the superior agency
            ("admin", "city-amr", "auditor", 403),  # auditors only by a system administrator
            ("clerk", "lianshan-amr", "clerk", 403),
            ("viewer", "lianshan-amr", "clerk", 403),
            ("auditor", "lianshan-amr", "clerk", 403),
        ],
    )
    def test_who_may_create_whom(self, who: str, agency: str, role: str, status: int, make_staff: Any,
                                 superuser: Any) -> None:
        client = client_for(who, make_staff, superuser)
        response = self.post(client, agency, role)
        assert response.status_code == status, response.json()
        if status == 403:
            assert AuditEntry.objects.filter(outcome="refused", action="user.create", object_id="newclerk").exists()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"agency": "atlantis"}, "agency"),
            ({"role": "king"}, "role"),
            ({"password": "123"}, "password"),
            ({"username": "has space"}, "username"),
            ({"agency": "lianshan-amr", "role": "auditor"}, "role"),  # auditors belong to the bureau
        ],
    )
    def test_bad_input(self, overrides: dict[str, str], field: str, superuser: Any, tree: Any) -> None:
        client = APIClient()
        client.force_authenticate(superuser)
        body = {"username": "newclerk", "password": PASSWORD, "agency": "lianshan-amr", "role": "clerk", **overrides}
        response = client.post("/api/v1/users/", body, format="json")
        assert response.status_code == 400, response.json()
        assert field in response.json()["errors"]

    def test_duplicate_username(self, superuser: Any, tree: Any) -> None:
        client = APIClient()
        client.force_authenticate(superuser)
        assert self.post(client, "lianshan-amr", "clerk").status_code == 201
        response = self.post(client, "lianshan-amr", "viewer")
        assert response.status_code == 400
        assert "username" in response.json()["errors"]


def test_moving_a_draft_to_another_agency_is_refused(record: Record, clerk: Staff) -> None:
    response = clerk.client().patch(f"/api/v1/records/{record.pk}/", {"version": 1, "agency": "longgang-amr"},
                                    format="json")
    assert response.status_code == 403
    assert "agency" in response.json()["errors"]
    record.refresh_from_db()
    assert (record.agency.code, record.version) == ("lianshan-amr", 1)
    assert AuditEntry.objects.filter(outcome="refused", action="record.edit", object_id=str(record.pk)).exists()


@pytest.mark.parametrize("path", ["abc/", "abc/publish/", "abc/versions/", "0/", "99999/publish/"])
def test_nonsense_ids_are_404(path: str, clerk: Staff) -> None:
    client = clerk.client()
    response = client.post(f"/api/v1/records/{path}", {}, format="json") if "publish" in path else client.get(
        f"/api/v1/records/{path}")
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}
