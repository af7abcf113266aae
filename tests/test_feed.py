"""The outbound feed (Art. 6): every publish/change/correct/revoke/expire of a public record, in
order, masked, for platform accounts; a receiver resumes after a failure and sees each event once."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from disclosure.models import Role, User
from disclosure.services.expiry import records_expire
from disclosure.services.transparency import tlog_verify, tree_head_sign
from disclosure.services.users import user_create
from tests.conftest import PASSWORD, Staff, penalty


def _platform(superuser: User) -> APIClient:
    _user, _m, token = user_create(actor=superuser, username="province", password=PASSWORD, agency_code="city",
                                   role=Role.PLATFORM)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _publish(client: APIClient, **overrides: Any) -> int:
    pk = int(client.post("/api/v1/records/", penalty(**overrides), format="json").json()["id"])
    assert client.post(f"/api/v1/records/{pk}/publish/", {}, format="json").status_code == 200
    return pk


@pytest.mark.django_db
def test_feed_lists_every_public_event_in_order(clerk: Staff, superuser: User, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    staff = clerk.client()
    a = _publish(staff, penalty_types=["warning"], content="联系电话13812345678")
    _publish(staff, disclosure="on_request")  # never public: no event
    grounds = {"reason": "复议", "legal_basis": "复议决定", "document_number": "复〔2026〕1号"}
    staff.post(f"/api/v1/records/{a}/change/", {**grounds, "changes": {"title": "新标题"}}, format="json")
    staff.post(f"/api/v1/records/{a}/change/", {**grounds, "type": "correction", "changes": {"title": "更正标题"}},
               format="json")
    b = _publish(staff)
    staff.post(f"/api/v1/records/{b}/change/", {**grounds, "changes": {"disclosure": "on_request"}}, format="json")
    staff.post(f"/api/v1/records/{a}/revoke/", grounds, format="json")
    c = _publish(staff, penalty_types=["criticism"])
    clock("2027-01-05")
    assert records_expire() == 1
    body = _platform(superuser).get("/api/v1/feed/").json()
    events = [(e["position"], e["record"], e["action"], e["public"]) for e in body["events"]]
    assert events == [
        (1, a, "publish", True), (2, a, "change", True), (3, a, "correct", True), (4, b, "publish", True),
        (5, b, "change", False),  # left the public view: the receiver takes it down
        (6, a, "revoke", False), (7, c, "publish", True), (8, c, "expire", False),
    ]
    assert body["next"] == 8 and body["has_more"] is False
    first = body["events"][0]["payload"]
    assert first["content"] == "联系电话138****5678" and first["agency"] == "lianshan-amr"
    assert body["events"][4]["payload"] == {"id": b, "status": "changed"}
    assert body["events"][5]["reason"] == "复议"


@pytest.mark.django_db
def test_feed_is_for_platform_accounts(clerk: Staff, superuser: User, anonymous: APIClient) -> None:
    assert anonymous.get("/api/v1/feed/").status_code == 401
    assert clerk.client().get("/api/v1/feed/").status_code == 403
    platform = _platform(superuser)
    assert platform.get("/api/v1/feed/", {"after": "x"}).status_code == 400
    # A platform account has no agency grant: it reads no agency's records.
    assert platform.get("/api/v1/records/").json()["results"] == []


@pytest.mark.django_db
def test_consumer_resumes_after_failure_and_sees_each_event_once(clerk: Staff, superuser: User,
                                                                 clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    staff = clerk.client()
    platform = _platform(superuser)
    received: list[int] = []
    cursor = 0  # what the receiver has durably stored

    def consume(pages: int, crash_after: int | None = None) -> None:
        nonlocal cursor
        for _ in range(pages):
            body = platform.get("/api/v1/feed/", {"after": cursor, "limit": 3}).json()
            for n, event in enumerate(body["events"]):
                if crash_after is not None and n == crash_after:
                    return  # crashed before storing this page's cursor: the page is redone
                if event["position"] not in received:  # receivers apply events idempotently by position
                    received.append(event["position"])
            cursor = body["next"]
            if not body["has_more"]:
                return

    for _ in range(4):
        _publish(staff)
    consume(pages=1)
    consume(pages=1, crash_after=0)
    for _ in range(4):
        _publish(staff)
    consume(pages=10)
    assert received == list(range(1, 9)) and cursor == 8
    consume(pages=1)
    assert received == list(range(1, 9))


@pytest.mark.django_db
def test_feed_page_is_a_constant_number_of_queries(clerk: Staff, superuser: User, clock: Callable[..., None],
                                                   django_assert_max_num_queries: Any) -> None:
    clock("2026-09-29")
    platform = _platform(superuser)
    for _ in range(5):
        _publish(clerk.client())
    with django_assert_max_num_queries(4):  # token user, membership, events with versions
        assert len(platform.get("/api/v1/feed/").json()["events"]) == 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishers_leave_no_gap_a_reader_could_miss(make_staff: Callable[[str, str], Staff],
                                                                superuser: User) -> None:
    """Writers publish in parallel while a reader follows the feed: the reader, resuming from the
    highest position it has seen, ends with every position exactly once."""
    clerk = make_staff("lianshan-amr", "clerk")
    platform = _platform(superuser)
    drafts = [int(clerk.client().post("/api/v1/records/", penalty(event_date="2026-01-05"), format="json").json()["id"])
              for _ in range(12)]
    done = threading.Event()
    errors: list[BaseException] = []

    def writer(ids: list[int]) -> None:
        try:
            client = clerk.client()
            for pk in ids:
                assert client.post(f"/api/v1/records/{pk}/publish/", {}, format="json").status_code == 200
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(drafts[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    seen: list[int] = []
    cursor = 0

    def read() -> None:
        nonlocal cursor
        body = platform.get("/api/v1/feed/", {"after": cursor}).json()
        for event in body["events"]:
            seen.append(event["position"])
        cursor = body["next"]

    while any(t.is_alive() for t in threads):
        read()
    for t in threads:
        t.join()
    done.set()
    read()
    assert not errors
    assert seen == list(range(1, 13))
    # The transparency log followed the feed: one leaf per event, in order, a consistent tree.
    tree_head_sign()
    report = tlog_verify(progress=False)
    assert report.ok and report.leaves == 12, report.problems
