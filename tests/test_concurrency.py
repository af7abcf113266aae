"""Concurrent writers through HTTP, with real commits: nothing lost, nothing doubled, chain intact."""
from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from disclosure.models import AuditEntry, Record, RecordVersion
from disclosure.services.verification import verify_everything
from tests.conftest import Staff, penalty

pytestmark = pytest.mark.django_db(transaction=True)


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at the same moment, each in its own thread with its own connection."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def client(staff: Staff) -> APIClient:
    return staff.client()


def test_two_publishes_at_once_one_wins(clerk: Staff, clock: Callable[[str], None]) -> None:
    clock("2026-09-29")
    record = clerk.client().post("/api/v1/records/", penalty(), format="json").json()
    url = f"/api/v1/records/{record['id']}/publish/"
    responses = race([lambda: client(clerk).post(url, {}, format="json") for _ in range(2)])
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert RecordVersion.objects.filter(record_id=record["id"]).count() == 2
    assert Record.objects.get(pk=record["id"]).version == 2


def test_two_edits_of_the_same_version_one_wins(clerk: Staff, clock: Callable[[str], None]) -> None:
    clock("2026-09-29")
    record = clerk.client().post("/api/v1/records/", penalty(), format="json").json()
    url = f"/api/v1/records/{record['id']}/"
    titles = ["甲的修改", "乙的修改"]
    responses = race([
        partial(client(clerk).patch, url, {"version": 1, "title": t}, format="json") for t in titles
    ])
    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).json()["title"]
    stored = Record.objects.get(pk=record["id"])
    assert (stored.title, stored.version) == (winner, 2)
    assert [v.data["title"] for v in stored.versions.order_by("number")] == [penalty()["title"], winner]


def test_many_writers_keep_the_audit_chain_linear(clerk: Staff, clock: Callable[[str], None]) -> None:
    clock("2026-09-29")
    writers = 6
    responses = race([
        partial(client(clerk).post, "/api/v1/records/", penalty(title=f"案件{i}"), format="json")
        for i in range(writers)
    ])
    assert [r.status_code for r in responses] == [201] * writers, [r.json() for r in responses]
    report = verify_everything()
    assert report.problems == []
    assert list(AuditEntry.objects.order_by("id").values_list("id", flat=True)) == list(
        range(1, AuditEntry.objects.count() + 1))
    assert RecordVersion.objects.count() == Record.objects.count() == writers
