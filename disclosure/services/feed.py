"""The outbound feed (Art. 6): one event per public-facing version, at a gap-free position.

Positions come from the single ``FeedHead`` row, locked in the transaction that writes the
version. The lock is held until that transaction commits, so position N+1 can only be allocated
after position N is committed (or rolled back and reused): a reader that has seen position N
will never later find a smaller position appear. Database sequences give no such promise.
"""
from __future__ import annotations

from disclosure.models import ACTIVE_STATUSES, FeedEvent, FeedHead, PublicRecord, Record, RecordVersion, VersionAction
from disclosure.services.feed_push import feed_push_kick
from disclosure.services.projection import is_public
from disclosure.services.transparency import tlog_append

FEED_ACTIONS = frozenset(
    {VersionAction.PUBLISH, VersionAction.CHANGE, VersionAction.CORRECT, VersionAction.REVOKE, VersionAction.EXPIRE,
     VersionAction.RECLASSIFY,
     VersionAction.STATEMENT}  # the subject's statement goes with the record: an update of it
) | {VersionAction.REPAIR}  # a credit repair: a take-down event (``public`` false)
__all__ = ["ACTIVE_STATUSES", "FEED_ACTIONS", "feed_append"]


def feed_append(*, record: Record, version: RecordVersion, was_public: bool,
                projection: PublicRecord | None) -> FeedEvent | None:
    """Append the event of ``version`` when the public can see, or could see, the record, and its
    leaf in the transparency log; call inside the transaction that wrote the version, after its
    projection (``projection``, None if the record never had one) was refreshed. A record leaving
    the public view gets an event too (``public`` false), so a receiver takes it down."""
    if version.action not in FEED_ACTIONS:
        return None
    public_now = is_public(record)
    if not (public_now or was_public):
        return None
    FeedHead.objects.get_or_create(id=1)
    head = FeedHead.objects.select_for_update().get(id=1)
    position = head.last_position + 1
    event = FeedEvent.objects.create(
        position=position, record=record, version=version, action=version.action, public=public_now, at=version.at,
    )
    FeedHead.objects.filter(id=1).update(last_position=position)
    tlog_append(entries=[(event, projection)])
    feed_push_kick()
    return event
