"""The public transparency log (RFC 9162 Merkle tree over the feed): appending leaves, signing tree
heads, backfilling an older database, verifying everything.

Every feed event is a leaf, appended in the transaction that writes the event (``tlog_append``,
the one function every writer of ``FeedEvent`` rows calls: ``feed.feed_append`` and the batched
import's ``bulk._Feed``). Its bytes are the canonical JSON of what the feed showed of the event at
that moment (``selectors.feed.feed_entry``), frozen: a later ``reindex_public`` changes what the
feed shows, never a leaf. Appending leaf ``i`` writes the leaf and the perfect subtrees it
completes (amortised one, at most log2 n), computed from the O(log n) "frontier" hashes read in one
query; nothing is recomputed.

The feed head's row lock, held by every appender until its commit, serialises the appends, so
leaves commit in index order and index = position − 1 always.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from tqdm import tqdm

from disclosure import merkle
from disclosure.models import (
    FeedEvent,
    FeedHead,
    PublicRecord,
    SignedTreeHead,
    TransparencyKey,
    TransparencyLeaf,
    TransparencyNode,
)
from disclosure.selectors import transparency as sel
from disclosure.selectors.transparency import leaf_content
from disclosure.services.copy import bulk_insert

Entry = tuple[FeedEvent, PublicRecord | None]


# -- leaves -------------------------------------------------------------------------------------------
def _frontier(size: int) -> list[tuple[int, int, bytes]]:
    parts = merkle.perfect_parts(0, size)
    hashes = sel.subtree_hashes(parts)
    return [(level, index, hashes[(level, index)]) for level, index in parts]


@dataclass
class LogTail:
    """The log's size and frontier after the last append, for a writer that appends several
    batches in one transaction without reading its own queued rows back (the batched import)."""

    size: int
    frontier: list[tuple[int, int, bytes]]


Insert = Callable[[type[Any], Sequence[Any]], None]


def tlog_append(
    *, entries: Sequence[Entry], insert: Insert = bulk_insert, tail: LogTail | None = None,
) -> LogTail | None:
    """Append the leaves of ``entries`` (feed events in position order, each with its record's
    projection as of the event, or None if it never had one). Call in the transaction that wrote
    the events, with the feed head locked. Events older than the log (a database from before it,
    until ``transparency_backfill`` has run) get their leaves first.

    ``insert`` writes the rows (``bulk_insert`` at once; the batched import queues them with its
    chunk); ``tail``, the value a previous call in this transaction returned, saves reading the
    size and frontier back (they may still be queued). Returns the new tail."""
    if not entries:
        return tail
    if tail is None:
        size = sel.tree_size()
        first = entries[0][0].position
        if first - 1 > size:
            _append_existing(size, first - 1)
            size = first - 1
        frontier = _frontier(size)
    else:
        size, frontier = tail.size, tail.frontier
    leaves: list[TransparencyLeaf] = []
    nodes: list[TransparencyNode] = []
    for offset, (event, projection) in enumerate(entries):
        index = size + offset
        if event.position != index + 1:
            raise RuntimeError(f"feed position {event.position} cannot be leaf {index}: the log follows the feed")
        content = leaf_content(event, projection)
        digest = merkle.leaf_hash(content)
        leaves.append(TransparencyLeaf(index=index, event=event, content=content, hash=digest))
        frontier, completed = merkle.frontier_after(frontier, index, digest)
        nodes.extend(TransparencyNode(key=merkle.node_key(level, i), level=level, index=i, hash=h)
                     for level, i, h in completed)
    insert(TransparencyLeaf, leaves)
    insert(TransparencyNode, nodes)
    return LogTail(size + len(entries), frontier)


def _projection(event: FeedEvent) -> PublicRecord | None:
    try:
        return event.record.public
    except PublicRecord.DoesNotExist:
        return None


def _append_existing(size: int, until: int) -> None:
    """Leaves for the events at positions size+1..until, which were written before the log existed:
    their content is what the feed shows of them now (their projection as of the upgrade)."""
    step = settings.TRANSPARENCY_BACKFILL_BATCH
    for start in range(size + 1, until + 1, step):
        events = list(FeedEvent.objects.filter(position__gte=start, position__lt=min(start + step, until + 1))
                      .select_related("version", "record__public").order_by("position"))
        tlog_append(entries=[(event, _projection(event)) for event in events])


def tlog_backfill(*, progress: bool = True) -> int:
    """Give every feed event without a leaf its leaf, in position order, one transaction per batch
    (``TRANSPARENCY_BACKFILL_BATCH``), holding the feed head's lock (so publications wait a batch
    at most). Idempotent: a no-op once every event has its leaf. Returns how many it appended."""
    with transaction.atomic():
        FeedHead.objects.get_or_create(id=1)
    total = FeedEvent.objects.count() - sel.tree_size()
    bar = tqdm(total=max(total, 0), unit="leaf", disable=not progress or total <= 0)
    done = 0
    try:
        while True:
            with transaction.atomic():
                last = FeedHead.objects.select_for_update().get(id=1).last_position
                size = sel.tree_size()
                if size >= last:
                    break
                until = min(last, size + settings.TRANSPARENCY_BACKFILL_BATCH)
                _append_existing(size, until)
            done += until - size
            bar.update(until - size)
    finally:
        bar.close()
    return done


# -- keys and heads -----------------------------------------------------------------------------------------
def signing_key() -> Ed25519PrivateKey:
    seed = settings.TRANSPARENCY_SIGNING_KEY
    if not seed:
        raise ImproperlyConfigured("TRANSPARENCY_SIGNING_KEY is not set (README, \"Transparency log\")")
    return Ed25519PrivateKey.from_private_bytes(bytes(seed))


def raw_public(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _key_row(public_key: bytes) -> TransparencyKey:
    key_id = sel.key_id_of(public_key)
    row = TransparencyKey.objects.filter(key_id=key_id).first()
    if row is None:
        try:
            with transaction.atomic():
                row = TransparencyKey.objects.create(key_id=key_id, public_key=public_key, first_used=timezone.now())
        except IntegrityError:  # a concurrent signer registered it first
            row = TransparencyKey.objects.get(key_id=key_id)
    return row


def transparency_key_register() -> TransparencyKey:
    """Record the configured key's public half (so it is published before it first signs)."""
    return _key_row(raw_public(signing_key()))


@transaction.atomic
def tree_head_sign(*, private_key: Ed25519PrivateKey | None = None, origin: str | None = None) -> SignedTreeHead:
    """Sign the log's current size and root with the configured key (``TRANSPARENCY_SIGNING_KEY``):
    once in the API's JSON form, once as a C2SP checkpoint note. Idempotent: when a head of this
    size signed by this key exists, that head is returned (its timestamp says when the log first
    reached that size), so the daily run and a manual run never make two of one tree."""
    private_key = private_key or signing_key()
    origin = origin or settings.TRANSPARENCY_LOG_ORIGIN
    key = _key_row(raw_public(private_key))
    size = sel.tree_size()
    existing = SignedTreeHead.objects.filter(tree_size=size, key=key).order_by("-timestamp").first()
    if existing is not None:
        return existing
    root = sel.tree_root(size)
    newest = SignedTreeHead.objects.order_by("-timestamp").values_list("timestamp", flat=True).first()
    timestamp = sel.head_time_next(now=timezone.now(), newest=newest)
    signature = private_key.sign(sel.head_signed_json(key_id=key.key_id, root_hash=root, timestamp=timestamp,
                                                      tree_size=size))
    note_signature = private_key.sign(sel.checkpoint_body(origin=origin, tree_size=size, root_hash=root)
                                      .encode("utf-8"))
    try:
        with transaction.atomic():
            return SignedTreeHead.objects.create(tree_size=size, root_hash=root, timestamp=timestamp, key=key,
                                                 signature=signature, origin=origin, note_signature=note_signature)
    except IntegrityError:  # a concurrent signer made this size's head
        return SignedTreeHead.objects.select_related("key").get(tree_size=size, key=key)


def new_signing_seed() -> tuple[str, str]:
    """A fresh key: (base64 seed for TRANSPARENCY_SIGNING_KEY, base64 raw public key)."""
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(seed).decode(), base64.b64encode(raw_public(key)).decode()


# -- verification ---------------------------------------------------------------------------------------------
@dataclass
class Report:
    leaves: int = 0
    nodes: int = 0
    heads: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except Exception:  # noqa: BLE001 - InvalidSignature, or a malformed key or signature
        return False
    return True


def _chunks(size: int, step: int) -> Iterator[tuple[int, int]]:
    for start in range(0, size, step):
        yield start, min(start + step, size)


def _check_leaf(report: Report, leaf: TransparencyLeaf, index: int,
                event: tuple[int, int, int, str, bool, Any] | None) -> None:
    content = bytes(leaf.content)
    if merkle.leaf_hash(content) != bytes(leaf.hash):
        report.problems.append(f"leaf {index}: its hash is not SHA-256(0x00 ‖ its bytes)")
    if event is None:
        report.problems.append(f"leaf {index}: its feed event (position {index + 1}) is missing")
        return
    position, record_id, number, action, public, at = event
    try:
        shown = json.loads(content)
        same = (shown["position"], shown["record"], shown["version"], shown["action"], shown["public"],
                shown["at"]) == (position, record_id, number, action, public, at.isoformat())
    except (ValueError, KeyError, TypeError):
        same = False
    if not same:
        report.problems.append(f"leaf {index}: its bytes do not describe feed event {position} "
                               f"(record {record_id}, version {number}, {action})")


def tlog_verify(*, progress: bool = True, chunk: int = 2000,
                say: Callable[[str], None] = lambda _m: None) -> Report:
    """Recompute the whole log from the stored leaf bytes and check it against storage and the feed:
    every leaf hash, every leaf against its feed event, every stored subtree (and that there are no
    others), every event's leaf, every head's root and both signatures, and every older head's
    consistency proof with the newest head. Runs on one snapshot (``verification._snapshot``)."""
    from disclosure.services.verification import _snapshot

    report = Report()
    with _snapshot():
        events_total = FeedEvent.objects.count()
        size = sel.tree_size()
        heads = sel.heads_all()
        roots_wanted: dict[int, bytes] = {}
        sizes = sorted({h.tree_size for h in heads})
        frontier: list[tuple[int, int, bytes]] = []
        expected_nodes = 0
        bar = tqdm(total=size, unit="leaf", disable=not progress)
        size_iter = iter(sizes)
        next_size = next(size_iter, None)
        while next_size == 0:
            roots_wanted[0] = merkle.EMPTY_ROOT
            next_size = next(size_iter, None)
        try:
            for start, end in _chunks(size, chunk):
                leaves = {leaf.index: leaf for leaf in TransparencyLeaf.objects.filter(index__gte=start, index__lt=end)}
                events = {row[0]: row for row in FeedEvent.objects.filter(
                    position__gt=start, position__lte=end).values_list(
                    "position", "record_id", "version__number", "action", "public", "at")}
                completed_all: list[tuple[int, int, bytes]] = []
                for index in range(start, end):
                    leaf = leaves.get(index)
                    if leaf is None:
                        report.problems.append(f"leaf {index} is missing (deleted?)")
                        digest = merkle.leaf_hash(b"")  # keep counting so later problems are named too
                    else:
                        _check_leaf(report, leaf, index, events.get(index + 1))
                        digest = merkle.leaf_hash(bytes(leaf.content))
                    frontier, completed = merkle.frontier_after(frontier, index, digest)
                    completed_all.extend(completed)
                    while next_size is not None and next_size == index + 1:
                        roots_wanted[next_size] = merkle.fold([h for _l, _i, h in frontier])
                        next_size = next(size_iter, None)
                stored = {key: bytes(h) for key, h in TransparencyNode.objects.filter(
                    key__in=[merkle.node_key(level, i) for level, i, _h in completed_all]).values_list("key", "hash")}
                for level, i, h in completed_all:
                    found = stored.get(merkle.node_key(level, i))
                    if found is None:
                        report.problems.append(f"node {level}/{i} is missing")
                    elif found != h:
                        report.problems.append(f"node {level}/{i}: stored hash differs from the recomputed one")
                expected_nodes += len(completed_all)
                report.leaves += len(leaves)
                bar.update(end - start)
        finally:
            bar.close()
        report.nodes = TransparencyNode.objects.count()
        if report.nodes != expected_nodes:
            report.problems.append(f"{report.nodes} subtree hashes are stored, {expected_nodes} were expected")
        if events_total != size:
            report.problems.append(f"the feed has {events_total} events, the log {size} leaves")
        say(f"{report.leaves} leaves and {report.nodes} subtree hashes recomputed")
        _check_heads(report, heads, roots_wanted, size)
    return report


def _check_heads(report: Report, heads: list[SignedTreeHead], roots: dict[int, bytes], size: int) -> None:
    for head in heads:
        report.heads += 1
        try:
            when: str | None = sel.head_time(head.timestamp)
        except ValueError:  # not whole milliseconds: no head this log signed
            when = None
        where = f"head of size {head.tree_size} ({when or head.timestamp.isoformat()})"
        public_key = bytes(head.key.public_key)
        if sel.key_id_of(public_key) != head.key_id:
            report.problems.append(f"{where}: key id does not match its public key")
        root = bytes(head.root_hash)
        if head.tree_size > size:
            report.problems.append(f"{where}: larger than the log ({size} leaves)")
        elif roots.get(head.tree_size) != root:
            report.problems.append(f"{where}: root hash differs from the tree recomputed from the leaves")
        if when is None:
            report.problems.append(f"{where}: timestamp is not in whole milliseconds, so not what was signed")
        elif not _verify_signature(public_key, bytes(head.signature), sel.head_signed_json(
                key_id=head.key_id, root_hash=root, timestamp=head.timestamp, tree_size=head.tree_size)):
            report.problems.append(f"{where}: signature does not verify")
        body = sel.checkpoint_body(origin=head.origin, tree_size=head.tree_size, root_hash=root).encode("utf-8")
        if not _verify_signature(public_key, bytes(head.note_signature), body):
            report.problems.append(f"{where}: checkpoint signature does not verify")
    _check_consistency(report, heads, size)


def _check_consistency(report: Report, heads: Iterable[SignedTreeHead], size: int) -> None:
    """Each older head against the newest, through the proof a client would get (stored nodes)."""
    ordered = sorted(heads, key=lambda h: (h.tree_size, h.timestamp))
    if not ordered:
        return
    newest = ordered[-1]
    if newest.tree_size > size:
        return  # reported above
    for head in ordered[:-1]:
        if head.tree_size == 0:
            continue
        try:
            proof = sel.consistency_path(first=head.tree_size, second=newest.tree_size)
        except LookupError as exc:
            report.problems.append(f"consistency {head.tree_size}→{newest.tree_size}: {exc}")
            continue
        if not merkle.verify_consistency(first=head.tree_size, second=newest.tree_size, proof=proof,
                                         first_root=bytes(head.root_hash), second_root=bytes(newest.root_hash)):
            report.problems.append(f"head of size {head.tree_size} is not consistent with the newest head "
                                   f"(size {newest.tree_size}): the log was forked or rewritten")
