"""Push delivery of the feed (Art. 6) to a real local HTTP receiver: signed, in position order,
every event exactly once at the receiver (which dedupes by position) through failures, timeouts
after storing, an outage and a dead worker's lease; the lag and the last error in /health/ and
the admin; nothing at all when FEED_PUSH_URL is unset.

These tests call the delivery service the way the task does; tests/test_feed_push_worker.py runs
it on real Celery workers, one of them killed mid-delivery.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from disclosure.models import AuditEntry, FeedPush, Role, User
from disclosure.selectors.feed_push import feed_push_status
from disclosure.services.feed_push import (
    PushRun,
    feed_push_backoff,
    feed_push_deliver,
    feed_push_reset,
    feed_push_signature,
)
from disclosure.services.users import user_create
from tests.conftest import PASSWORD, Staff, penalty
from tests.support.receiver import Receiver

SECRET = "test-push-secret-0123456789"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(SECRET)
    yield r
    r.stop()


@pytest.fixture
def push(settings: Any, receiver: Receiver) -> Receiver:
    """Push configured to ``receiver`` with timeouts and backoffs short enough for a test."""
    settings.FEED_PUSH_URL = receiver.url
    settings.FEED_PUSH_SECRET = SECRET
    settings.FEED_PUSH_TIMEOUT_SECONDS = 0.3
    settings.FEED_PUSH_BACKOFF_BASE_SECONDS = 0.02
    settings.FEED_PUSH_BACKOFF_CAP_SECONDS = 0.2
    settings.FEED_PUSH_BATCH_SIZE = 3
    settings.FEED_PUSH_LEASE_SECONDS = 5.0
    return receiver


def publish(client: APIClient, n: int) -> list[int]:
    ids = []
    for i in range(n):
        pk = int(client.post("/api/v1/records/", penalty(title=f"推送测试案件{i}"), format="json").json()["id"])
        assert client.post(f"/api/v1/records/{pk}/publish/", {}, format="json").status_code == 200
        ids.append(pk)
    return ids


def drain(until: int, seconds: float = 30) -> list[PushRun]:
    """Run delivery as the task and its retries would, until ``until`` is acknowledged."""
    runs: list[PushRun] = []
    deadline = time.monotonic() + seconds
    while FeedPush.objects.filter(id=1, acknowledged_position__gte=until).first() is None:
        assert time.monotonic() < deadline, f"not delivered: {runs[-5:]}"
        run = feed_push_deliver()
        runs.append(run)
        if run.retry_in is not None:
            time.sleep(run.retry_in)
        elif not run.claimed:
            time.sleep(0.01)
    return runs


def platform_feed(superuser: User) -> list[dict[str, Any]]:
    _user, _m, token = user_create(actor=superuser, username="province", password=PASSWORD, agency_code="city",
                                   role=Role.PLATFORM)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return list(client.get("/api/v1/feed/", {"limit": 1000}).json()["events"])


@pytest.mark.django_db
def test_every_event_arrives_once_in_order_through_failures_timeouts_and_an_outage(
    push: Receiver, clerk: Staff, superuser: User, settings: Any
) -> None:
    # No pinned clock here: the backoff waits in real time.
    staff = clerk.client()
    receiver = push

    publish(staff, 4)
    receiver.fail_next = 3  # the receiver answers 500 three times
    runs = drain(4)
    failed = [r for r in runs if r.retry_in is not None]
    assert [r.error for r in failed] == ['HTTP 500: {"error":"refused"}'] * 3
    waits = [r.retry_in or 0.0 for r in failed]
    assert waits == sorted(waits) and waits[2] >= 2 * waits[0]  # exponential, with jitter
    assert FeedPush.objects.get().consecutive_failures == 0

    publish(staff, 4)
    receiver.hang_next, receiver.hang_seconds = 2, 0.6  # stores position 5, answers too late, twice
    runs = drain(8)
    assert [r.error for r in runs if r.error] == ["timed out after 0.3 s"] * 2
    assert receiver.arrivals[-6:] == [5, 5, 5, 6, 7, 8]  # resent until acknowledged, stored once

    publish(staff, 3)
    settings.FEED_PUSH_BACKOFF_BASE_SECONDS = settings.FEED_PUSH_BACKOFF_CAP_SECONDS = 30.0  # time to look
    receiver.down()
    run = feed_push_deliver()
    assert run.retry_in is not None and "ConnectionRefusedError" in run.error
    assert feed_push_deliver().claimed is False  # backing off: nothing is sent before the next attempt
    status = Client().get("/health/").json()["feed_push"]
    assert status["configured"] is True and status["acknowledged_position"] == 8
    assert (status["newest_position"], status["lag"], status["last_error_position"]) == (11, 3, 9)
    assert "last_error" not in status and status["next_attempt_at"] is not None  # its text: the admin's
    assert "ConnectionRefusedError" in feed_push_status()["last_error"]
    receiver.up()  # same port
    feed_push_reset(actor=superuser)  # the operator's "retry now" instead of waiting out the backoff
    publish(staff, 1)
    drain(12)

    assert sorted(receiver.stored) == list(range(1, 13))
    assert receiver.out_of_order() == [] and receiver.gaps == [] and receiver.bad_signatures == 0
    # What arrives is the pull feed's item, field for field.
    assert [receiver.stored[p] for p in range(1, 13)] == platform_feed(superuser)
    health = Client().get("/health/")
    assert health.status_code == 200
    status = health.json()["feed_push"]
    assert (status["lag"], status["consecutive_failures"], status["next_attempt_at"]) == (0, 0, None)
    assert status["last_success_at"] > status["last_error_at"]  # the last error stays on view, dated


@pytest.mark.django_db
def test_the_body_is_compact_sorted_utf8_json_signed_byte_for_byte(push: Receiver, clerk: Staff) -> None:
    publish(clerk.client(), 1)
    drain(1)
    body, signature = push.raw[1]
    assert body == json.dumps(json.loads(body), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    assert "推送测试案件0" in body.decode("utf-8")  # Chinese as UTF-8, not \u escapes
    assert signature == "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert feed_push_signature(body, SECRET) == signature and push.bad_signatures == 0
    assert feed_push_signature(body, SECRET + "x") != signature


@pytest.mark.django_db
def test_a_dead_workers_lease_is_taken_over_when_it_expires(push: Receiver, clerk: Staff) -> None:
    publish(clerk.client(), 3)
    # A worker claimed the row and died: its lease has 60 seconds left.
    FeedPush.objects.update_or_create(id=1, defaults={
        "lease_owner": "dead-host:1:x", "lease_until": timezone.now() + timedelta(seconds=60)})
    assert feed_push_deliver() == PushRun(claimed=False)
    assert push.arrivals == []
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        run = feed_push_deliver()
    assert (run.claimed, run.delivered, run.acknowledged) == (True, 3, 3)
    row = FeedPush.objects.get()
    assert row.lease_owner == "" and row.lease_until is None
    assert sorted(push.stored) == [1, 2, 3]


@pytest.mark.django_db
def test_a_worker_that_lost_its_lease_stops(
    push: Receiver, clerk: Staff, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from disclosure.services import feed_push

    settings.FEED_PUSH_BATCH_SIZE = 2
    publish(clerk.client(), 5)
    send = feed_push._Delivery.send

    def send_then_lose_the_lease(self: Any, position: int, body: bytes, meanwhile: Any) -> str:
        error = send(self, position, body, meanwhile)
        if position == 2:  # meanwhile another worker took over (this one looked dead)
            FeedPush.objects.filter(id=1).update(lease_owner="other",
                                                 lease_until=timezone.now() + timedelta(seconds=60))
        return error

    monkeypatch.setattr(feed_push._Delivery, "send", send_then_lose_the_lease)
    run = feed_push_deliver()
    assert run.lost_lease and push.arrivals == [1, 2]  # it stopped at its next commit
    assert FeedPush.objects.get().lease_owner == "other"


def test_backoff_grows_to_its_cap_with_jitter() -> None:
    import random

    rng = random.Random(7)
    waits = [feed_push_backoff(n, base=2.0, cap=600.0, rng=rng) for n in range(1, 10)]  # 2 * 2**8 < 600
    assert waits == sorted(waits)
    assert 1.0 <= waits[0] <= 2.0 and 256.0 <= waits[-1] <= 512.0
    assert all(300.0 <= feed_push_backoff(10_000, base=2.0, cap=600.0, rng=rng) <= 600.0 for _ in range(50))


@pytest.mark.django_db
def test_admin_shows_the_lag_and_the_error_and_resets_the_backoff(
    push: Receiver, clerk: Staff, superuser: User
) -> None:
    publish(clerk.client(), 2)
    push.fail_next = 1
    assert feed_push_deliver().retry_in is not None
    admin = Client()
    admin.force_login(superuser)
    page = admin.get("/admin/disclosure/feedpush/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "HTTP 500" in page and '<td class="field-lag">2</td>' in page
    detail = admin.get("/admin/disclosure/feedpush/1/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "HTTP 500" in detail and "Lag (events not yet acknowledged)" in detail
    assert FeedPush.objects.get().next_attempt_at is not None
    response = admin.post("/admin/disclosure/feedpush/", {"action": "reset_backoff", "_selected_action": ["1"]})
    assert response.status_code == 302
    row = FeedPush.objects.get()
    assert (row.next_attempt_at, row.consecutive_failures) == (None, 0)
    entry = AuditEntry.objects.get(action="feed_push.reset")
    assert entry.actor == superuser and entry.detail["consecutive_failures"] == 1
    assert feed_push_deliver().delivered == 2  # at once, no wait


@pytest.mark.django_db
def test_nothing_is_sent_or_queued_when_unset(
    settings: Any, receiver: Receiver, clerk: Staff, django_capture_on_commit_callbacks: Any
) -> None:
    settings.FEED_PUSH_URL = ""
    with django_capture_on_commit_callbacks() as callbacks:
        publish(clerk.client(), 2)
    assert not [c for c in callbacks if getattr(c, "__name__", "") == "_start_delivery"]
    assert feed_push_deliver() == PushRun(claimed=False)
    assert receiver.arrivals == [] and not FeedPush.objects.exists()
    assert Client().get("/health/").json()["feed_push"]["configured"] is False


@pytest.mark.django_db
def test_one_kick_per_transaction(push: Receiver, clerk: Staff, django_capture_on_commit_callbacks: Any) -> None:
    staff = clerk.client()
    pk = int(staff.post("/api/v1/records/", penalty(), format="json").json()["id"])
    with django_capture_on_commit_callbacks() as callbacks:
        assert staff.post(f"/api/v1/records/{pk}/publish/", {}, format="json").status_code == 200
    assert [getattr(c, "__name__", "") for c in callbacks].count("_start_delivery") == 1


@pytest.mark.parametrize(("env", "complaint"), [
    ({"FEED_PUSH_URL": "http://127.0.0.1:9/inbox"}, "FEED_PUSH_SECRET must be set"),
    ({"FEED_PUSH_URL": "ftp://example.org/", "FEED_PUSH_SECRET": SECRET}, "FEED_PUSH_URL must be an http"),
    ({"FEED_PUSH_URL": "http://h/", "FEED_PUSH_SECRET": SECRET, "FEED_PUSH_TIMEOUT_SECONDS": "30"},
     "FEED_PUSH_LEASE_SECONDS must be at least"),
])
def test_a_bad_push_configuration_refuses_to_start(env: dict[str, str], complaint: str) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("FEED_PUSH_")}
    done = subprocess.run([sys.executable, "-c", "import django; django.setup()"], capture_output=True, text=True,
                          env=base | {"DJANGO_SETTINGS_MODULE": "backend.settings.test"} | env,
                          cwd=django_settings.BASE_DIR, timeout=60)
    assert done.returncode != 0 and complaint in done.stderr


@pytest.mark.django_db
def test_a_batch_of_bodies_costs_one_query(push: Receiver, clerk: Staff, django_assert_num_queries: Any) -> None:
    from disclosure.selectors.feed import feed_after
    from disclosure.services.feed_push import feed_push_body

    staff = clerk.client()
    ids = publish(staff, 3)
    grounds = {"reason": "复议", "legal_basis": "复议决定", "document_number": "复〔2026〕1号"}
    staff.post(f"/api/v1/records/{ids[0]}/revoke/", grounds, format="json")  # an event that takes it down
    with django_assert_num_queries(1):
        bodies = [json.loads(feed_push_body(e)) for e in feed_after(after=0, limit=10)]
    assert [(b["position"], b["action"], b["public"]) for b in bodies] == [
        (1, "publish", True), (2, "publish", True), (3, "publish", True), (4, "revoke", False)]
    assert bodies[0]["payload"]["title"] == "推送测试案件0" and bodies[3]["reason"] == "复议"


@pytest.mark.django_db
def test_the_beat_entry_runs_the_task_every_minute(push: Receiver, clerk: Staff) -> None:
    from backend.schedule import BEAT_SCHEDULE
    from disclosure.tasks import push_feed

    entry = BEAT_SCHEDULE["push-feed"]
    assert entry["task"] == push_feed.name == "disclosure.push_feed" and entry["schedule"] == 60.0
    publish(clerk.client(), 2)
    first = push_feed.apply().get()
    assert (first["claimed"], first["delivered"], first["acknowledged"]) == (True, 2, 2)
    assert push_feed.apply().get()["delivered"] == 0  # caught up: a run that sends nothing
    assert sorted(push.stored) == [1, 2]


@pytest.mark.django_db
def test_only_a_superuser_may_reset_the_backoff(push: Receiver, clerk: Staff) -> None:
    from django.contrib.auth.models import Permission

    push.fail_next = 1
    publish(clerk.client(), 1)
    assert feed_push_deliver().retry_in is not None
    viewer = User.objects.create_user("viewer", "viewer@example.org", PASSWORD, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_feedpush"))
    admin = Client()
    admin.force_login(viewer)
    page = admin.get("/admin/disclosure/feedpush/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "reset_backoff" not in page.content.decode()
    admin.post("/admin/disclosure/feedpush/", {"action": "reset_backoff", "_selected_action": ["1"]})
    assert FeedPush.objects.get().next_attempt_at is not None
    assert not AuditEntry.objects.filter(action="feed_push.reset").exists()
