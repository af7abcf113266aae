"""Celery tasks on a real broker with a real worker (celery.contrib.testing; no Docker needed)."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from celery.contrib.testing.worker import start_worker

from backend.celery import app
from disclosure.models import Record, User
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


def test_admin_imports_a_notice_and_the_worker_recomputes(
    clerk: Staff, superuser: User, clock: Callable[[str], None], worker: None
) -> None:
    import time
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    clock("2026-12-29")
    created = clerk.client().post("/api/v1/records/", penalty(event_date="2026-12-28"), format="json").json()
    admin = Client()
    admin.force_login(superuser)
    page = admin.get("/admin/scheduler/calendaryear/import/")
    assert page.status_code == 200
    notice = SimpleUploadedFile("2027.csv", "date,kind,name\n2027-01-01,holiday,元旦\n".encode(), "text/csv")
    response = admin.post("/admin/scheduler/calendaryear/import/",
                          {"year": 2027, "source": "国办发明电〔2026〕7号", "file": notice})
    assert response.status_code == 302, response.content.decode()[:2000]
    deadline = time.monotonic() + 60
    record = Record.objects.get(pk=created["id"])
    while record.due_provisional and time.monotonic() < deadline:
        time.sleep(0.2)
        record.refresh_from_db()
    assert (record.due_date, record.due_provisional) == (date(2027, 1, 7), False)


def test_admin_refuses_a_bad_notice(superuser: User, tree: object) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from scheduler.models import CalendarYear

    admin = Client()
    admin.force_login(superuser)
    notice = SimpleUploadedFile("2027.csv", b"date,kind,name\n2027-01-04,makeup_workday,\n", "text/csv")
    response = admin.post("/admin/scheduler/calendaryear/import/", {"year": 2027, "source": "x", "file": notice},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "is a weekday" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()
