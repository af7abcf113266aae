"""Reads of the outbound feed: events after a cursor, each with the masked public payload."""
from __future__ import annotations

from typing import Any

from disclosure.models import FeedEvent
from disclosure.services.privacy import context_for, mask, public_payload


def feed_after(*, after: int, limit: int) -> list[FeedEvent]:
    """Events with a position greater than ``after``, in order (one query)."""
    return list(FeedEvent.objects.filter(position__gt=after).select_related("version").order_by("position")[:limit])


def feed_item(event: FeedEvent) -> dict[str, Any]:
    """One event as a receiver sees it. A record that left the public view carries no content:
    the receiver takes it down."""
    data = event.version.data
    context = context_for(data)
    return {
        "position": event.position,
        "action": event.action,
        "at": event.at,
        "record": event.record_id,
        "version": event.version.number,
        "public": event.public,
        "reason": mask(event.version.reason, context),
        "legal_basis": event.version.legal_basis,
        "document_number": event.version.document_number,
        "payload": public_payload(data, record_id=event.record_id) if event.public else
        {"id": event.record_id, "status": data.get("status")},
    }
