"""The tamper-evident history: append-only triggers, the hash chain and ``verify_audit``."""
from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from disclosure.db_guards import remove_guards
from disclosure.models import AuditEntry, RecordVersion
from tests.conftest import Staff, call_command_en, penalty

pytestmark = pytest.mark.django_db

CHANGE = {"reason": "复议变更", "legal_basis": "《行政复议法》", "document_number": "葫政复〔2026〕1号"}


@pytest.fixture
def history(clerk: Staff, outsider: Staff, clock: Callable[[str], None]) -> list[int]:
    """Two records with a few versions each, and one refused attempt."""
    clock("2026-09-29")
    client = clerk.client()
    ids = []
    for title in ("甲公司案", "乙公司案"):
        record = client.post("/api/v1/records/", penalty(title=title), format="json").json()
        client.post(f"/api/v1/records/{record['id']}/publish/", {}, format="json")
        ids.append(record["id"])
    client.post(f"/api/v1/records/{ids[0]}/change/", {**CHANGE, "changes": {"content": "改"}}, format="json")
    assert outsider.client().post(f"/api/v1/records/{ids[1]}/publish/", {}, format="json").status_code == 404
    return ids


def verify() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command_en("verify_audit", stdout=out, stderr=err)
    except CommandError as exc:
        return 1, str(exc) + err.getvalue()
    return 0, out.getvalue()


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


class TestAppendOnly:
    @pytest.mark.parametrize("table", ["disclosure_auditentry", "disclosure_recordversion", "disclosure_feedevent"])
    def test_update_is_refused_by_the_database(self, history: list[int], table: str) -> None:
        with pytest.raises(DatabaseError), transaction.atomic():
            raw(f"UPDATE {table} SET id = id")

    @pytest.mark.parametrize("table", ["disclosure_auditentry", "disclosure_recordversion", "disclosure_feedevent"])
    def test_delete_is_refused_by_the_database(self, history: list[int], table: str) -> None:
        with pytest.raises(DatabaseError), transaction.atomic():
            raw(f"DELETE FROM {table}")

    def test_orm_save_of_an_existing_entry_is_refused(self, history: list[int]) -> None:
        entry = AuditEntry.objects.first()
        assert entry is not None
        entry.action = "nothing.happened"
        with pytest.raises(DatabaseError), transaction.atomic():
            entry.save()

    def test_refused_attempt_is_kept_even_though_the_request_failed(self, history: list[int]) -> None:
        refused = AuditEntry.objects.filter(outcome="refused")
        assert [(e.action, e.object_id) for e in refused] == [("record.publish", str(history[1]))]


class TestVerifyAudit:
    def test_intact(self, history: list[int]) -> None:
        code, output = verify()
        assert code == 0, output
        entries = AuditEntry.objects.count()
        assert f"{entries} entries" in output and "5 record versions" in output
        assert RecordVersion.objects.count() == 5

    def test_empty_database_is_intact(self) -> None:
        assert verify()[0] == 0

    @pytest.mark.parametrize("column", ["action", "object_id", "agency_code", "actor_name"])
    def test_edited_entry_is_named(self, history: list[int], column: str) -> None:
        victim = AuditEntry.objects.order_by("id")[3]
        remove_guards(connection)
        raw(f"UPDATE disclosure_auditentry SET {column} = %s WHERE id = %s", ["forged", victim.pk])
        code, output = verify()
        assert code == 1
        assert f"audit entry {victim.pk}" in output

    def test_edited_detail_is_named(self, history: list[int]) -> None:
        victim = AuditEntry.objects.filter(outcome="refused").get()
        remove_guards(connection)
        raw("UPDATE disclosure_auditentry SET outcome = 'done' WHERE id = %s", [victim.pk])
        code, output = verify()
        assert (code, f"audit entry {victim.pk}" in output) == (1, True)

    def test_deleted_entry_is_named(self, history: list[int]) -> None:
        victim = AuditEntry.objects.order_by("id")[4]
        remove_guards(connection)
        raw("DELETE FROM disclosure_auditentry WHERE id = %s", [victim.pk])
        code, output = verify()
        assert code == 1
        assert f"audit entry {victim.pk}" in output

    def test_deleted_last_entry_is_noticed(self, history: list[int]) -> None:
        last = AuditEntry.objects.order_by("-id").first()
        assert last is not None
        remove_guards(connection)
        raw("DELETE FROM disclosure_auditentry WHERE id = %s", [last.pk])
        code, output = verify()
        assert code == 1
        assert f"audit entry {last.pk}" in output

    def test_reordered_entries_are_named(self, history: list[int]) -> None:
        first, second = AuditEntry.objects.order_by("id")[2:4]
        remove_guards(connection)
        # Swap the positions of two adjacent entries; each row keeps its own content and hash.
        raw("UPDATE disclosure_auditentry SET id = -1 WHERE id = %s", [first.pk])
        raw("UPDATE disclosure_auditentry SET id = %s WHERE id = %s", [first.pk, second.pk])
        raw("UPDATE disclosure_auditentry SET id = %s WHERE id = -1", [second.pk])
        code, output = verify()
        assert code == 1
        assert f"audit entry {first.pk}" in output

    def test_edited_version_content_is_named(self, history: list[int]) -> None:
        version = RecordVersion.objects.get(record_id=history[0], number=3)
        remove_guards(connection)
        raw("UPDATE disclosure_recordversion SET data = %s WHERE id = %s",
            ['{"content": "forged"}', version.pk])
        code, output = verify()
        assert code == 1
        assert f"record version {version.pk}" in output

    def test_deleted_version_is_named(self, history: list[int]) -> None:
        version = RecordVersion.objects.get(record_id=history[1], number=2)
        remove_guards(connection)
        # A forger deletes the feed events that point at the version too (and their log leaves).
        raw("DELETE FROM disclosure_transparencyleaf WHERE position IN "
            "(SELECT position FROM disclosure_feedevent WHERE version_id = %s)", [version.pk])
        raw("DELETE FROM disclosure_feedevent WHERE version_id = %s", [version.pk])
        raw("DELETE FROM disclosure_recordversion WHERE id = %s", [version.pk])
        code, output = verify()
        assert code == 1
        assert f"version 2 of record {history[1]} is missing" in output

    def test_version_inserted_behind_the_systems_back(self, history: list[int], clerk: Staff) -> None:
        original = RecordVersion.objects.get(record_id=history[1], number=2)
        RecordVersion.objects.create(
            record_id=history[1], number=9, action="change", status="changed", data=original.data,
            digest=original.digest, actor=clerk.user, at=original.at,
        )
        code, output = verify()
        assert code == 1
        assert "record versions" in output


class TestAnchors:
    def head(self) -> str:
        code, output = verify()
        assert code == 0, output
        return output.split("Head: ")[1].strip()

    def test_head_is_printed_and_accepted_back(self, history: list[int]) -> None:
        anchor = self.head()
        last = AuditEntry.objects.order_by("-id").first()
        assert anchor == f"{last.pk}:{last.hash}"
        out = StringIO()
        call_command_en("verify_audit", "--anchor", anchor, stdout=out)
        assert "intact" in out.getvalue()

    def test_a_rewritten_chain_is_caught_by_its_anchor(self, history: list[int]) -> None:
        from disclosure.models import AuditChainHead
        from disclosure.services.audit import entry_hash

        anchor = self.head()
        # A forger with database access edits entry 2 and recomputes every hash after it, and the head:
        # the chain is self-consistent again, and only the anchor kept outside can tell.
        remove_guards(connection)
        entries = list(AuditEntry.objects.order_by("id"))
        prev = entries[0].hash
        entries[1].action = "forged"
        for entry in entries[1:]:
            entry.prev_hash = prev
            entry.hash = entry_hash(prev, entry)
            raw("UPDATE disclosure_auditentry SET action = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [entry.action, entry.prev_hash, entry.hash, entry.pk])
            prev = entry.hash
        AuditChainHead.objects.filter(id=1).update(last_hash=prev)
        assert verify()[0] == 0  # without the anchor the forgery is invisible
        with pytest.raises(CommandError, match="anchor"):
            call_command_en("verify_audit", "--anchor", anchor, stdout=StringIO(), stderr=StringIO())

    def test_malformed_anchor(self, history: list[int]) -> None:
        with pytest.raises(CommandError, match="ENTRY_ID:SHA256"):
            call_command_en("verify_audit", "--anchor", "yesterday", stdout=StringIO())


def test_an_entry_names_only_a_registered_action() -> None:
    from django.utils import translation

    from disclosure.models import AuditAction
    from disclosure.services.audit import audit_action_label, audit_append
    from inspections.models import InspectionAction
    from reports.models import ReportAction

    with pytest.raises(ValueError, match="record.publsh"):
        audit_append(actor=None, action="record.publsh", object_type="record", object_id=1)
    assert not AuditEntry.objects.exists()
    with translation.override("zh-hans"):
        labels = {str(a): audit_action_label(a) for e in (AuditAction, InspectionAction, ReportAction) for a in e}
    assert labels["record.publish"] == "已公示" and labels["report.generate"] != "report.generate"
    assert all(label != action for action, label in labels.items()), "every action has its words"
    assert audit_action_label("long.gone") == "long.gone"  # an entry of an older version shows as written
