"""The append-only, hash-chained audit trail.

Each entry's hash is SHA-256 over the previous entry's hash and the canonical JSON of the entry
itself (id included), so a changed, deleted, inserted or reordered entry breaks the chain.
Appending locks the single ``AuditChainHead`` row, which keeps the chain linear when several
processes write at once; the head also remembers the newest entry, so a deleted tail shows.
"""
from __future__ import annotations

import hashlib
from datetime import UTC
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.utils import timezone

from backend.canonical import canonical_json, json_safe
from disclosure.models import AuditAction, AuditChainHead, AuditEntry, AuditOutcome, User

GENESIS_HASH = "0" * 64

# Every action an entry may name, with its label: disclosure's own, and what the apps above it
# register in their ``ready`` (a free string is refused, so a typo cannot become a new action).
_actions: dict[str, str] = {}


def audit_actions_register(actions: type[models.TextChoices]) -> None:
    _actions.update({str(value): label for value, label in actions.choices})


def audit_action_check(action: str) -> None:
    if action not in _actions:
        raise ValueError(f"{action!r} is not a registered audit action (audit_actions_register)")


def audit_action_label(action: str) -> str:
    """An entry's action in words (an unknown one, from an older version of the code, as it is)."""
    return str(_actions.get(action, action))


audit_actions_register(AuditAction)


def entry_payload(entry: AuditEntry) -> dict[str, Any]:
    """The fields the hash covers, in a form that survives a database round trip."""
    return {
        "id": entry.pk,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "outcome": entry.outcome,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "agency_code": entry.agency_code,
        "detail": entry.detail,
    }


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((prev_hash + canonical_json(entry_payload(entry))).encode("utf-8")).hexdigest()


@transaction.atomic
def audit_append(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: str | int = "",
    agency_code: str = "",
    outcome: str = AuditOutcome.DONE,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction if there is one."""
    audit_action_check(action)
    head = AuditChainHead.objects.select_for_update().filter(id=1).first()
    if head is None:  # only on a database emptied by hand (migration 0002 creates the row)
        AuditChainHead.objects.get_or_create(id=1)
        head = AuditChainHead.objects.select_for_update().get(id=1)
    real_actor = actor if isinstance(actor, User) else None
    entry = AuditEntry(
        at=timezone.now(),
        actor=real_actor,
        actor_name=real_actor.get_username() if real_actor else "",
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=str(object_id),
        agency_code=agency_code,
        detail=json_safe(detail or {}),
        prev_hash=head.last_hash,
    )
    # Ids come from the locked head, not from a database sequence: gap-free, and known before
    # the insert so that the hash can cover the id (the row can never be updated afterwards).
    entry.pk = head.last_entry_id + 1
    entry.hash = entry_hash(head.last_hash, entry)
    entry.save(force_insert=True)
    AuditChainHead.objects.filter(id=1).update(last_entry_id=entry.pk, last_hash=entry.hash, count=head.count + 1)
    return entry


def audit_refusal(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: str | int = "",
    agency_code: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Record a refused attempt durably, even though the request that made it will fail.

    Commits in a transaction of its own, ``durable``: called inside another transaction, whose
    rollback would silently take the refusal with it, it raises ``RuntimeError`` instead. Check
    access before the action's transaction opens (as every service here does).
    """
    with transaction.atomic(durable=True):
        audit_append(
            actor=actor, action=action, object_type=object_type, object_id=object_id, agency_code=agency_code,
            outcome=AuditOutcome.REFUSED, detail=detail,
        )
