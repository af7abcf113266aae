"""Celery tasks on a real broker with a real worker (celery.contrib.testing; no Docker needed)."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from celery.contrib.testing.worker import start_worker

from backend.celery import app
from disclosure.models import Record
from disclosure.tasks import recompute_provisional_deadlines
from scheduler.services import calendar_load_year
from tests.conftest import Staff, penalty

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


@pytest.fixture
def worker() -> Iterator[None]:
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
        yield


def test_recompute_runs_on_the_worker_and_is_idempotent(
    clerk: Staff, clock: Callable[[str], None], worker: None
) -> None:
    clock("2026-12-29")
    created = clerk.client().post("/api/v1/records/", penalty(event_date="2026-12-28"), format="json").json()
    assert created["due_provisional"] is True
    from datetime import date

    calendar_load_year(year=2027, days=[(date(2027, 1, 1), "holiday", "元旦")], source="test notice")

    assert recompute_provisional_deadlines.delay().get(timeout=60) == 1
    record = Record.objects.get(pk=created["id"])
    assert (record.due_date, record.due_provisional) == (date(2027, 1, 7), False)
    assert recompute_provisional_deadlines.delay().get(timeout=60) == 0
