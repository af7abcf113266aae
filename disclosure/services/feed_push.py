"""Push delivery of the outbound feed (Art. 6; API.md "Push"): every feed event, in position
order, POSTed to ``FEED_PUSH_URL`` and signed with ``FEED_PUSH_SECRET``.

One worker delivers at a time. It claims the single ``FeedPush`` row with a conditional UPDATE
(no live lease, no backoff pending) before it sends anything, and renews the lease as it commits;
a worker that dies holding it is taken over once the lease expires. An event is sent only after
every event before it was acknowledged (a 2xx), so the receiver sees positions in order. The
acknowledged position is committed after each batch of acknowledged events (and at least every
third of the lease), so a crash, or a receiver that stored an event and then timed out, makes the
next run resend at most those events: the position is the idempotency key, sent in the body and
as ``X-Feed-Position``, and receivers drop a position they already stored.

Any failure (a non-2xx answer, a refused connection, a timeout) stops the run and sets the next
attempt after an exponential backoff with a cap and jitter; the task that ran this schedules
itself for then, and the beat's safety net (every minute) starts a run that finds nothing to do
while the backoff lasts.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from disclosure.models import AuditAction, FeedEvent, FeedHead, FeedPush, User
from disclosure.selectors.feed import feed_after, feed_item
from disclosure.services.audit import audit_append

log = logging.getLogger(__name__)

__all__ = [
    "PushRun", "feed_push_backoff", "feed_push_body", "feed_push_deliver", "feed_push_kick", "feed_push_reset",
    "feed_push_signature",
]

# The most of a receiver's answer that is read (and kept, shortened, as the last error).
_MAX_ANSWER_BYTES = 64 * 1024
_ERROR_CHARS = 500
USER_AGENT = "disclosure-feed-push/1"


# -- what is sent ------------------------------------------------------------------------------------
def feed_push_body(event: FeedEvent) -> bytes:
    """The body of one push: the feed item the pull feed (``GET /api/v1/feed/``) gives for this
    event, as DRF renders it (times ISO 8601), with sorted keys and no whitespace, in UTF-8."""
    return json.dumps(feed_item(event), cls=JSONEncoder, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def feed_push_signature(body: bytes, secret: str) -> str:
    """``X-Signature``: ``sha256=`` and the hex HMAC-SHA256 of exactly the bytes sent."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def feed_push_backoff(failures: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds before the attempt after the ``failures``-th failure in a row: ``min(cap, base *
    2**(failures-1))``, less up to half of it at random ("equal jitter"). Below the cap the ranges of
    successive failures touch but do not overlap, so the wait never shrinks until it reaches the cap."""
    ceiling = min(cap, base * 2.0 ** min(max(failures, 1) - 1, 62))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)  # noqa: S311 - jitter, not a secret


# -- the receiver's connection ------------------------------------------------------------------------
class _Receiver:
    """One keep-alive HTTP/1.1 connection to the receiver (stdlib ``http.client``: one POST at a
    time, so no pool is needed). A reused connection the receiver has meanwhile closed is opened
    again once for the same event; every other failure is the caller's."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        kind = HTTPSConnection if parts.scheme == "https" else HTTPConnection
        self.connection = kind(parts.hostname or "", parts.port, timeout=timeout)

    def post(self, body: bytes, headers: dict[str, str], meanwhile: Callable[[], object]) -> tuple[int, bytes]:
        """Send, call ``meanwhile`` (the caller's next piece of work, done while the receiver
        works on this one), then read the answer: ``(status, the answer's start)``."""
        reused = self.connection.sock is not None
        try:
            return self._post(body, headers, meanwhile)
        except ConnectionError:
            self.close()
            if not reused:
                raise
        return self._post(body, headers, lambda: None)

    def _post(self, body: bytes, headers: dict[str, str], meanwhile: Callable[[], object]) -> tuple[int, bytes]:
        try:
            if self.connection.sock is None:
                self.connection.connect()
                sock: socket.socket = self.connection.sock  # type: ignore[assignment] # set by connect()
                # Small requests back to back: do not let Nagle's algorithm wait for an ACK.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.connection.request("POST", self.path, body=body, headers=headers)
            meanwhile()
            answer = self.connection.getresponse()
            text = answer.read(_MAX_ANSWER_BYTES)
            if not answer.isclosed():  # a longer answer than is read: this connection cannot go on
                self.close()
            return answer.status, text
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.connection.close()


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return f"timed out after {settings.FEED_PUSH_TIMEOUT_SECONDS:g} s"
    return f"{type(error).__name__}: {error}"[:_ERROR_CHARS]


# -- the delivery row --------------------------------------------------------------------------------
def _lease_until(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.FEED_PUSH_LEASE_SECONDS)


def _claim(owner: str) -> FeedPush | None:
    """Take the lease when nobody holds a live one and no backoff is pending; the row as claimed."""
    FeedPush.objects.get_or_create(id=1)
    now = timezone.now()
    claimed = (FeedPush.objects.filter(id=1)
               .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
               .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
               .update(lease_owner=owner, lease_until=_lease_until(now)))
    return FeedPush.objects.get(id=1) if claimed else None


def _newest_position() -> int:
    return FeedHead.objects.filter(id=1).values_list("last_position", flat=True).first() or 0


@dataclass(frozen=True)
class PushRun:
    """What one call of ``feed_push_deliver`` did. ``claimed`` is false when push is not
    configured, another worker holds the lease or a backoff is pending; ``more`` when it stopped
    at its time budget with events left; ``retry_in`` the seconds until the next attempt after a
    failure; ``lost_lease`` when another worker took over (this one was too slow to renew)."""

    claimed: bool
    delivered: int = 0
    acknowledged: int = 0
    more: bool = False
    retry_in: float | None = None
    error: str = ""
    lost_lease: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"claimed": self.claimed, "delivered": self.delivered, "acknowledged": self.acknowledged,
                "more": self.more, "retry_in": self.retry_in, "error": self.error, "lost_lease": self.lost_lease}


class _Delivery:
    """One worker's run while it holds the lease: send, count acknowledgements, commit them."""

    def __init__(self, owner: str, row: FeedPush) -> None:
        self.owner = owner
        self.acknowledged = self.committed = row.acknowledged_position
        self.failures = row.consecutive_failures
        self.delivered = 0
        self.renewed = time.monotonic()
        self.receiver = _Receiver(settings.FEED_PUSH_URL, settings.FEED_PUSH_TIMEOUT_SECONDS)
        self.secret = settings.FEED_PUSH_SECRET
        self.prepared: dict[int, bytes] = {}

    def _mine(self) -> Any:
        return FeedPush.objects.filter(id=1, lease_owner=self.owner)

    def commit(self, *, release: bool = False) -> bool:
        """Store the acknowledged position and renew (or give up) the lease; false when the lease
        is no longer this worker's."""
        now = timezone.now()
        changes: dict[str, Any] = {"lease_until": None if release else _lease_until(now)}
        if release:
            changes["lease_owner"] = ""
        if self.acknowledged > self.committed:
            changes.update(acknowledged_position=self.acknowledged, last_success_at=now, consecutive_failures=0,
                           next_attempt_at=None)
        if not self._mine().update(**changes):
            return False
        if self.failures and self.acknowledged > self.committed:
            log.info("feed push: the receiver acknowledges again (position %d)", self.acknowledged)
            self.failures = 0
        self.committed, self.renewed = self.acknowledged, time.monotonic()
        return True

    def fail(self, position: int, error: str) -> float:
        """Record the failure of ``position``, release the lease and set the next attempt."""
        now = timezone.now()
        # Acknowledgements not yet committed end the previous streak of failures.
        failures = 1 if self.acknowledged > self.committed else self.failures + 1
        delay = feed_push_backoff(failures, base=settings.FEED_PUSH_BACKOFF_BASE_SECONDS,
                                  cap=settings.FEED_PUSH_BACKOFF_CAP_SECONDS)
        changes: dict[str, Any] = {
            "consecutive_failures": failures, "last_error": error, "last_error_at": now,
            "last_error_position": position, "next_attempt_at": now + timedelta(seconds=delay),
            "lease_owner": "", "lease_until": None,
        }
        if self.acknowledged > self.committed:
            changes.update(acknowledged_position=self.acknowledged, last_success_at=now)
        if self._mine().update(**changes):
            self.committed = self.acknowledged
        log.warning("feed push: position %d failed (%s), %d in a row; next attempt in %.2f s",
                    position, error, failures, delay)
        return delay

    def send(self, position: int, body: bytes, meanwhile: Callable[[], object]) -> str:
        """POST one event; an empty string when acknowledged, else what went wrong."""
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
                   "X-Feed-Position": str(position), "X-Signature": feed_push_signature(body, self.secret)}
        try:
            status, answer = self.receiver.post(body, headers, meanwhile)
        except (OSError, HTTPException) as exc:
            return _describe(exc)
        if 200 <= status < 300:
            return ""
        return f"HTTP {status}: {answer.decode('utf-8', 'replace').strip()}"[:_ERROR_CHARS]

    def prepare(self, event: FeedEvent | None) -> None:
        """The body of the event after the one in flight, made while the receiver answers (it is
        sent only after that answer is a 2xx: this overlaps work, never requests)."""
        if event is not None:
            self.prepared[event.position] = feed_push_body(event)

    def run(self, deadline: float) -> PushRun:
        """Deliver until caught up, a failure, the lease is lost or ``deadline`` (monotonic)."""
        renew_every = settings.FEED_PUSH_LEASE_SECONDS / 3
        while True:
            events = feed_after(after=self.acknowledged, limit=settings.FEED_PUSH_BATCH_SIZE)
            if not events:
                released = self.commit(release=True)
                return PushRun(claimed=True, delivered=self.delivered, acknowledged=self.acknowledged,
                               lost_lease=not released)
            self.prepared.clear()
            for index, event in enumerate(events):
                body = self.prepared.pop(event.position, None) or feed_push_body(event)
                following = events[index + 1] if index + 1 < len(events) else None
                error = self.send(event.position, body, partial(self.prepare, following))
                if error:
                    delay = self.fail(event.position, error)
                    return PushRun(claimed=True, delivered=self.delivered, acknowledged=self.acknowledged,
                                   retry_in=delay, error=error)
                self.acknowledged = event.position
                self.delivered += 1
                if time.monotonic() - self.renewed > renew_every and not self.commit():
                    return self._lost()
            if not self.commit():
                return self._lost()
            if time.monotonic() > deadline:
                self.commit(release=True)
                return PushRun(claimed=True, delivered=self.delivered, acknowledged=self.acknowledged, more=True)

    def _lost(self) -> PushRun:
        log.warning("feed push: the lease was taken over at position %d; this worker stops", self.acknowledged)
        return PushRun(claimed=True, delivered=self.delivered, acknowledged=self.committed, lost_lease=True)

    def close(self) -> None:
        self.receiver.close()


def feed_push_deliver(*, max_seconds: float = 240.0) -> PushRun:
    """Deliver the feed to ``FEED_PUSH_URL`` from the last acknowledged position on, in order,
    until it is caught up, a delivery fails (the backoff is then set), or ``max_seconds`` have
    passed (``more``: run again). Does nothing when push is not configured, while another worker
    holds the lease, or while a backoff is pending. Safe to call any number of times at once.

    Not atomic on purpose: acknowledgements are committed as they come, each in its own
    transaction, so that what the receiver has acknowledged stays acknowledged."""
    if not settings.FEED_PUSH_URL:
        return PushRun(claimed=False)
    owner = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    deadline = time.monotonic() + max_seconds
    last = PushRun(claimed=False)
    while True:
        row = _claim(owner)
        if row is None:
            return last
        delivery = _Delivery(owner, row)
        try:
            run = delivery.run(deadline)
        finally:
            delivery.close()
        last = replace(run, delivered=last.delivered + run.delivered)
        if run.more or run.retry_in is not None or run.lost_lease:
            return last
        # Caught up and released. An event committed meanwhile was kicked while this worker held
        # the lease, and that kick found it taken: look once more before leaving.
        if _newest_position() <= run.acknowledged:
            return last


@transaction.atomic
def feed_push_reset(*, actor: User) -> FeedPush:
    """Clear the backoff so the next run (kicked on commit) tries at once; audited. The position
    is left as it is: a receiver that lost events is re-sent from a position by its operator, not here."""
    FeedPush.objects.get_or_create(id=1)
    row = FeedPush.objects.select_for_update().get(id=1)
    detail = {"acknowledged_position": row.acknowledged_position, "consecutive_failures": row.consecutive_failures,
              "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None}
    FeedPush.objects.filter(id=1).update(next_attempt_at=None, consecutive_failures=0)
    audit_append(actor=actor, action=AuditAction.FEED_PUSH_RESET, object_type="feed_push", object_id="1",
                 detail=detail)
    feed_push_kick()
    row.refresh_from_db()
    return row


# -- the kick --------------------------------------------------------------------------------------
def _start_delivery() -> None:
    # disclosure.tasks imports the services, so the task is looked up when a kick runs.
    from disclosure.tasks import push_feed

    push_feed.delay()


def feed_push_kick() -> None:
    """Start a delivery run when the current transaction commits (once per transaction, however
    many events it appends); nothing when push is not configured."""
    if not settings.FEED_PUSH_URL:
        return
    if any(entry[1] is _start_delivery for entry in getattr(connection, "run_on_commit", ())):
        return
    # Robust: a broker that is down must not fail a publication that has committed; the beat's
    # safety net starts the delivery within a minute anyway.
    transaction.on_commit(_start_delivery, robust=True)
