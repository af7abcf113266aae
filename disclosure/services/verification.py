"""Verification of the tamper-evident history: the audit hash chain, and each record version's
content against the digest its audit entry sealed."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from disclosure.models import AuditChainHead, AuditEntry, RecordVersion
from disclosure.services.audit import GENESIS_HASH, canonical_json, entry_hash

_CHUNK = 5000


@dataclass(frozen=True)
class Problem:
    where: str
    message: str


@dataclass(frozen=True)
class Anchor:
    """An entry's hash recorded outside the system: a rewritten chain cannot reproduce it."""

    entry_id: int
    hash: str


@dataclass
class Report:
    entries: int = 0
    versions: int = 0
    problems: list[Problem] = field(default_factory=list)
    head: Anchor | None = None


def _check_versions(report: Report, sealed: dict[tuple[int, int], str]) -> None:
    """Compare the versions of a chunk of audit entries with the digests those entries sealed."""
    record_ids = {record_id for record_id, _number in sealed}
    found: set[tuple[int, int]] = set()
    rows = RecordVersion.objects.filter(record_id__in=record_ids).values_list("pk", "record_id", "number", "digest",
                                                                              "data")
    for pk, record_id, number, digest, data in rows:
        key = (record_id, number)
        if key not in sealed:
            continue
        found.add(key)
        actual = hashlib.sha256(canonical_json(data).encode()).hexdigest()
        if actual != digest or digest != sealed[key]:
            report.problems.append(Problem(
                f"record version {pk}",
                f"version {number} of record {record_id} does not match the digest sealed in the audit trail",
            ))
    for record_id, number in sorted(set(sealed) - found):
        report.problems.append(Problem(f"record {record_id}", f"version {number} of record {record_id} is missing"))


def verify_everything(*, anchors: list[Anchor] | None = None) -> Report:
    """Recompute the chain, check every version against its sealed digest and every anchor."""
    report = Report()
    expected_anchors = {anchor.entry_id: anchor.hash for anchor in anchors or []}
    prev_hash, expected_id = GENESIS_HASH, 1
    sealed: dict[tuple[int, int], str] = {}
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=_CHUNK):
        report.entries += 1
        where = f"audit entry {entry.pk}"
        if entry.pk != expected_id:
            report.problems.append(Problem(f"audit entry {expected_id}",
                                           f"entries {expected_id}-{entry.pk - 1} are missing"))
        if entry.prev_hash != prev_hash:
            report.problems.append(Problem(where, "does not link to the entry before it (deleted or reordered)"))
        intact = entry_hash(entry.prev_hash, entry) == entry.hash
        if not intact:
            report.problems.append(Problem(where, "its content does not match its hash (altered)"))
        prev_hash, expected_id = entry.hash, entry.pk + 1
        if entry.pk in expected_anchors and expected_anchors.pop(entry.pk) != entry.hash:
            report.problems.append(Problem(where, "its hash differs from the anchor recorded outside the system"))
        detail = entry.detail if isinstance(entry.detail, dict) else {}
        # Only an intact entry can vouch for a version's digest.
        if intact and entry.object_type == "record" and "digest" in detail and entry.outcome == "done":
            sealed[(int(entry.object_id), int(detail["version"]))] = detail["digest"]
            if len(sealed) >= _CHUNK:
                _check_versions(report, sealed)
                report.versions += len(sealed)
                sealed = {}
    if sealed:
        _check_versions(report, sealed)
        report.versions += len(sealed)

    for entry_id in sorted(expected_anchors):
        report.problems.append(Problem(f"audit entry {entry_id}", "anchored outside the system but missing"))
    if report.entries:
        report.head = Anchor(expected_id - 1, prev_hash)

    total_versions = RecordVersion.objects.count()
    if total_versions != report.versions:
        report.problems.append(Problem(
            "record versions", f"{total_versions} versions exist but the audit trail sealed {report.versions}"))
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_entry_id != expected_id - 1 or head.last_hash != prev_hash
                             or head.count != report.entries):
        report.problems.append(Problem(
            f"audit entry {head.last_entry_id}",
            f"the chain ends at entry {expected_id - 1} but its head names entry {head.last_entry_id}: "
            "entries were deleted from the end, or written outside the system",
        ))
    return report
