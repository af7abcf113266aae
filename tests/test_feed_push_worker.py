"""Push delivery (Art. 6) on real Celery workers and a real broker: kicked when events commit,
retrying on its own after failures, and resumed by another worker after one is killed with
SIGKILL mid-delivery. Every event reaches the local receiver, in order, none lost."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db import connection

from backend.celery import app
from disclosure.models import FeedPush
from disclosure.tasks import push_feed
from tests.conftest import Staff
from tests.support.receiver import Receiver
from tests.test_feed_push import SECRET, publish

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(SECRET)
    yield r
    r.stop()


def _configure(settings: Any, receiver: Receiver) -> None:
    settings.FEED_PUSH_URL = receiver.url
    settings.FEED_PUSH_SECRET = SECRET
    settings.FEED_PUSH_TIMEOUT_SECONDS = 1.0
    settings.FEED_PUSH_BACKOFF_BASE_SECONDS = 0.1
    settings.FEED_PUSH_BACKOFF_CAP_SECONDS = 0.5
    settings.FEED_PUSH_BATCH_SIZE = 5
    settings.FEED_PUSH_LEASE_SECONDS = 3.0


def _wait_for(condition: Callable[[], bool], seconds: float = 90, every: Callable[[], object] | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for delivery"
        if every is not None:
            every()
        time.sleep(0.3)


def _acknowledged() -> int:
    row = FeedPush.objects.filter(id=1).first()
    return row.acknowledged_position if row else 0


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def test_events_are_pushed_when_they_commit_and_failures_retry_by_themselves(
    clerk: Staff, receiver: Receiver, settings: Any
) -> None:
    _configure(settings, receiver)
    receiver.fail_next = 3
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
        publish(clerk.client(), 4)  # each publication commits and kicks push_feed; no other kick
        _wait_for(lambda: _acknowledged() == 4, seconds=60)
    assert sorted(receiver.stored) == [1, 2, 3, 4]
    assert receiver.arrivals[:3] == [1, 1, 1]  # three refusals, retried after their backoff
    assert receiver.out_of_order() == [] and receiver.gaps == [] and receiver.bad_signatures == 0
    row = FeedPush.objects.get()
    assert row.consecutive_failures == 0 and row.last_error.startswith("HTTP 500")


def test_a_worker_killed_mid_delivery_is_resumed_by_another_none_lost(
    clerk: Staff, receiver: Receiver, settings: Any
) -> None:
    total = 30
    publish(clerk.client(), total)  # push not configured yet in this process: nothing kicked
    _configure(settings, receiver)
    receiver.slow_seconds = 0.1  # a slow receiver: the worker is mid-delivery for seconds

    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "backend.settings.test", "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL, "FEED_PUSH_URL": receiver.url,
        "FEED_PUSH_SECRET": SECRET, "FEED_PUSH_TIMEOUT_SECONDS": "1", "FEED_PUSH_LEASE_SECONDS": "3",
        "FEED_PUSH_BATCH_SIZE": "5",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "backend", "worker", "--pool", "solo", "--concurrency", "1",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        env=env, cwd=django_settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        push_feed.delay()
        _wait_for(lambda: len(receiver.stored) >= 8 or proc.poll() is not None, seconds=90)
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:] if proc.stderr else ""
        proc.send_signal(signal.SIGKILL)  # dies holding the lease, with a request in flight
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        app.control.purge()

    dead = FeedPush.objects.get()
    stored_at_kill = len(receiver.stored)
    assert dead.lease_owner and dead.acknowledged_position < total and stored_at_kill < total
    receiver.slow_seconds = 0.0
    # A second worker; kicks as beat's safety net gives them (every minute; here every 0.3 s).
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
        _wait_for(lambda: _acknowledged() == total, seconds=90, every=push_feed.delay)
    app.control.purge()

    assert sorted(receiver.stored) == list(range(1, total + 1))  # none lost, each stored once
    assert receiver.out_of_order() == [] and receiver.gaps == [] and receiver.bad_signatures == 0
    resumed = FeedPush.objects.get()
    assert resumed.lease_owner == "" and resumed.acknowledged_position == total
    # The new worker began at the dead one's last committed position: at most one batch again.
    resent = len(receiver.arrivals) - total
    assert 0 <= resent <= settings.FEED_PUSH_BATCH_SIZE + 1
