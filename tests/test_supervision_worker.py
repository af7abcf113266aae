"""The deadline sweep on a real broker with real workers: idempotent, shareable, crash-safe.

The in-thread worker comes from ``celery.contrib.testing``. The crash test starts a worker as a
separate process (``celery -A backend worker``) on the same test database and broker, lets it
stall inside the e-mail step, kills it with SIGKILL, and runs the sweep again.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone

from backend.celery import app
from disclosure.models import Agency, Record, User
from scheduler.models import Notice, Notification, SweepRun
from scheduler.tasks import sweep_deadlines
from tests.conftest import Staff, penalty

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


@pytest.fixture
def worker() -> Iterator[None]:
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
        yield


def _overdue_drafts(agency: Agency, creator: User, n: int, days_late: int = 12) -> None:
    today = timezone.localdate()
    Record.objects.bulk_create(
        Record(kind="penalty", agency=agency, title=f"逾期案件 {i}", subject_name="某公司",
               event_date=today - timedelta(days=days_late + 10), due_date=today - timedelta(days=days_late),
               created_by=creator)
        for i in range(n)
    )


def _wait_for(condition: Callable[[], bool], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the worker"
        time.sleep(0.2)


def test_sweep_on_the_worker_notices_once_however_often_it_runs(clerk: Staff, worker: None) -> None:
    _overdue_drafts(clerk.user.membership.agency, clerk.user, 3)
    first: Any = sweep_deadlines.delay().get(timeout=120)
    assert first["noticed"]["overdue"] == 3 and first["notifications"] >= 3
    second: Any = sweep_deadlines.delay().get(timeout=120)
    assert second["noticed"] == {"reminder": 0, "due_today": 0, "overdue": 0, "escalation": 0}
    assert second["notifications"] == 0
    assert Notification.objects.filter(user=clerk.user).count() == 3  # escalations go to the superiors


def test_reminder_overdue_and_escalation_through_the_worker(
    clerk: Staff, make_staff: Callable[[str, str], Staff], auditor: Staff, clock: Callable[..., None], worker: None
) -> None:
    """The story of tests/test_supervision.py, swept by the worker: due 2026-10-13 (National Day)."""
    district_admin = make_staff("lianshan", "agency_admin")
    clock("2026-09-28")
    record_id = clerk.client().post("/api/v1/records/", penalty(), format="json").json()["id"]

    def notices(user: User) -> list[tuple[str, int]]:
        return sorted(Notification.objects.filter(user=user).values_list("notice__kind", "notice__subject_id"))

    clock("2026-10-10")  # two working days before the deadline (Saturday 10 October is worked)
    for _ in range(2):
        sweep_deadlines.delay().get(timeout=120)
    assert notices(clerk.user) == [("reminder", record_id)]
    clock("2026-10-14")
    sweep_deadlines.delay().get(timeout=120)
    assert notices(clerk.user) == [("overdue", record_id), ("reminder", record_id)]
    clock("2026-10-20")  # five working days overdue
    for _ in range(2):
        sweep_deadlines.delay().get(timeout=120)
    assert notices(district_admin.user) == [("escalation", record_id)]
    assert notices(auditor.user) == [("escalation", record_id)]
    assert Notification.objects.count() == 4


def test_partitions_are_shared_by_the_workers(
    clerk: Staff, worker: None, settings: object
) -> None:
    settings.SWEEP_PARTITIONS = 3  # type: ignore[attr-defined]
    _overdue_drafts(clerk.user.membership.agency, clerk.user, 7)
    assert sweep_deadlines.delay().get(timeout=120) == {"partitions": 3}
    _wait_for(lambda: SweepRun.objects.count() == 3)
    assert sorted(SweepRun.objects.values_list("partition", "partitions")) == [(0, 3), (1, 3), (2, 3)]
    _wait_for(lambda: not Notice.objects.filter(delivered_at__isnull=True).exists())
    assert Counter(Notice.objects.values_list("kind", flat=True)) == {"overdue": 7, "escalation": 7}


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def test_a_worker_killed_mid_sweep_loses_nothing_and_duplicates_nothing(
    make_staff: Callable[[str, str], Staff], tmp_path: Path
) -> None:
    # Six people at three agencies: six inboxes, six e-mail digests.
    staff = [make_staff(code, "clerk") for code in ("lianshan-amr", "longgang-amr", "city-emergency") for _ in (1, 2)]
    User.objects.filter(email="").update(email=Concat("username", Value("@example.org")))
    for person in staff[::2]:
        _overdue_drafts(person.user.membership.agency, person.user, 4)
    expected_notifications = 6 * 4  # each clerk: 4 overdue notices of their agency (escalations go up)

    log = tmp_path / "mail.jsonl"
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "backend.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_BACKEND": "tests.support.mail.StallingBackend",
        "TEST_MAIL_LOG": str(log),
        "TEST_MAIL_STALL_AFTER": "2",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "backend", "worker", "--pool", "solo", "--concurrency", "1",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        sweep_deadlines.delay()
        _wait_for(lambda: Path(f"{log}.stalled").exists() or proc.poll() is not None)
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:] if proc.stderr else ""
        proc.send_signal(signal.SIGKILL)  # the worker dies inside the e-mail step
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        app.control.purge()

    # What the dead worker left: every notice delivered, two digests sent, one claimed and unsent.
    assert not Notice.objects.filter(delivered_at__isnull=True).exists()
    assert Notification.objects.count() == expected_notifications + Notification.objects.filter(
        notice__kind="escalation").count()
    sent_before = [json.loads(line)["to"][0] for line in log.read_text().splitlines()]
    assert len(sent_before) == 2

    # The next run, an hour later (the dead worker's e-mail claim has expired).
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        from django.core.management import call_command

        call_command("check_deadlines", stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))  # noqa: SIM115
    sent_after = [m.to[0] for m in mail.outbox]

    recipients = {u.email for u in User.objects.filter(notifications__isnull=False).distinct()}
    assert Counter(sent_before + sent_after) == Counter(recipients)  # everyone exactly once
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert Notice.objects.values("subject_id", "kind", "due_date").distinct().count() == Notice.objects.count()
