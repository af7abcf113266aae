"""The sealed snapshot of a record: the fields each version stores and its audit entry seals."""
from __future__ import annotations

from typing import Any

from disclosure.models import Record

SNAPSHOT_FIELDS = (
    "kind", "agency_code", "status", "title", "subject_name", "subject_code", "subject_type", "event_date",
    "content", "legal_basis", "document_number", "disclosure", "withheld_reason", "surprise", "backfill",
    "task_id", "due_date", "due_provisional", "published_at", "on_time", "late_working_days", "latency_working_days",
    "penalty_types", "fine_amount", "expires_on", "details", "predates_standard",
    "severity", "severity_override", "severity_reason", "repair_from", "subject_statement", "subject_statement_on",
)


def snapshot(record: Record) -> dict[str, Any]:
    values = {field: getattr(record, field, None) for field in SNAPSHOT_FIELDS if field != "agency_code"}
    values["agency_code"] = record.agency.code
    return values
