"""Reads of the outbound feed: events after a cursor, each with its version's public payload.

The payload is the one the public projection holds for that version (masked once, when it was
projected). A record that has since left the public view has no projection: its events then
carry only the record id and status, and a later event of it takes it down.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from disclosure.models import FeedEvent, PublicRecord

# What ``feed_item`` reads, and nothing else: a record's and a version's other columns (the
# version's whole snapshot, the projection's search tokens) would be decoded for every event and
# thrown away, which is most of the cost of pushing a large backlog (bench/push_delivery.py).
# tests/test_feed_push.py counts the queries, so a field read here but not listed shows up there.
_ITEM_FIELDS = ("position", "action", "public", "at", "record", "version", "version__number", "version__status",
                "record__id", "record__public__history")


def feed_after(*, after: int, limit: int) -> list[FeedEvent]:
    """Events with a position greater than ``after``, in order, with what ``feed_item`` needs (one query)."""
    return list(FeedEvent.objects.filter(position__gt=after).select_related("version", "record__public")
                .only(*_ITEM_FIELDS).order_by("position")[:limit])


def _projection(event: FeedEvent) -> PublicRecord | None:
    try:
        return event.record.public
    except ObjectDoesNotExist:
        return None


def feed_item(event: FeedEvent) -> dict[str, Any]:
    """One event as a receiver sees it. A record that left the public view carries no content:
    the receiver takes it down."""
    return feed_entry(event, _projection(event))


def feed_entry(event: FeedEvent, projection: PublicRecord | None) -> dict[str, Any]:
    """``feed_item`` given the record's projection (which may not be saved yet: the transparency
    log freezes this, as of the event's own transaction, into the event's leaf)."""
    entry = next((h for h in projection.history if h["number"] == event.version.number), None) if projection else None
    payload = (entry or {}).get("payload") if event.public else None
    return {
        "position": event.position,
        "action": event.action,
        "at": event.at,
        "record": event.record_id,
        "version": event.version.number,
        "public": event.public,
        "reason": (entry or {}).get("reason", ""),
        "legal_basis": (entry or {}).get("legal_basis", ""),
        "document_number": (entry or {}).get("document_number", ""),
        "payload": payload or {"id": event.record_id, "status": event.version.status},
    }
