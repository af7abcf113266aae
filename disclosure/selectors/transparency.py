"""Reads of the transparency log: tree size, roots, proofs, leaves, signed heads, keys, checkpoints.

Every proof is planned in Python (``disclosure.merkle``: which perfect subtrees it needs) and its
hashes are fetched in ONE query of at most about 2·log2(n) rows by primary key, whatever the size
of the log; nothing is recomputed from the leaves.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.canonical import canonical_json, json_safe
from backend.errors import ApplicationError, NotVisible
from disclosure import merkle
from disclosure.models import (
    FeedEvent,
    PublicRecord,
    SignedTreeHead,
    TransparencyKey,
    TransparencyLeaf,
    TransparencyNode,
)
from disclosure.selectors.feed import feed_entry

# Leaves per page of ``leaves_between``.
LEAVES_PAGE_MAX = 1000


def b64(data: bytes | memoryview) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


# -- keys ---------------------------------------------------------------------------------------------
def spki_der(public_key: bytes) -> bytes:
    return Ed25519PublicKey.from_public_bytes(bytes(public_key)).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id_of(public_key: bytes) -> str:
    """base64(SHA-256(DER SubjectPublicKeyInfo)): RFC 6962's log id of the key (what ``openssl pkey
    -pubin -outform DER | openssl dgst -sha256 -binary | base64`` prints)."""
    return b64(hashlib.sha256(spki_der(public_key)).digest())


def note_key_hash(name: str, public_key: bytes) -> bytes:
    """C2SP signed-note key id of an Ed25519 key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n\x01" + bytes(public_key)).digest()[:4]


def note_verifier_key(name: str, public_key: bytes) -> str:
    """``<name>+<hex key hash>+<base64(0x01 ‖ key)>``, as Go's ``note.NewVerifier`` reads it."""
    typed = b"\x01" + bytes(public_key)
    return f"{name}+{note_key_hash(name, public_key).hex()}+{b64(typed)}"


def public_keys() -> list[TransparencyKey]:
    return list(TransparencyKey.objects.order_by("first_used"))


# -- the tree -----------------------------------------------------------------------------------------
def tree_size() -> int:
    """How many leaves the log has (committed ones: leaves commit in index order, as a prefix)."""
    top = TransparencyLeaf.objects.aggregate(top=Max("index"))["top"]
    return 0 if top is None else top + 1


def subtree_hashes(parts: Iterable[merkle.Part]) -> dict[merkle.Part, bytes]:
    """The stored hashes of perfect subtrees (level 0: leaves), in ONE statement by primary key.

    Hand-written SQL: this is every proof's only query, and building the same UNION through the
    ORM cost more than running it (bench/transparency.py measured 2.6× the plain statement)."""
    wanted = set(parts)
    if not wanted:
        return {}
    leaves = sorted(i for level, i in wanted if level == 0)
    keys = sorted(merkle.node_key(level, i) for level, i in wanted if level > 0)
    quote = connection.ops.quote_name  # table and column names from the models; values are parameters
    selects, params = [], []
    if leaves:
        selects.append(f"SELECT 0, {quote('index')}, hash FROM {quote(TransparencyLeaf._meta.db_table)} "  # noqa: S608
                       f"WHERE {quote('index')} IN ({', '.join(['%s'] * len(leaves))})")
        params.extend(leaves)
    if keys:
        selects.append(f"SELECT level, {quote('index')}, hash FROM {quote(TransparencyNode._meta.db_table)} "  # noqa: S608
                       f"WHERE key IN ({', '.join(['%s'] * len(keys))})")
        params.extend(keys)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        found = {(level, index): bytes(h) for level, index, h in cursor.fetchall()}
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"the log's storage lacks subtrees {sorted(missing)[:5]}")
    return found


def _resolve(plan: merkle.Plan) -> list[bytes]:
    return plan.resolve(subtree_hashes(plan.parts()))


def tree_root(size: int) -> bytes:
    """MTH(D[0:size]) from the stored subtrees (``size`` ≤ the tree size)."""
    return _resolve(merkle.root_plan(size))[0] if size else merkle.EMPTY_ROOT


def _size_in_tree(value: int, field: str) -> int:
    if value > tree_size():
        raise NotVisible(_("The log has fewer leaves than that."), {field: [_("Beyond the log's size.")]})
    return value


def inclusion_path(*, index: int, size: int) -> list[bytes]:
    """RFC 9162 PATH(index, D[0:size]): the audit path of leaf ``index`` in the tree of ``size``."""
    return _resolve(merkle.inclusion_plan(index, size))


def consistency_path(*, first: int, second: int) -> list[bytes]:
    """RFC 9162 PROOF(first, D[0:second])."""
    return _resolve(merkle.consistency_plan(first, second))


def leaf_content(event: FeedEvent, projection: PublicRecord | None) -> bytes:
    """The bytes of ``event``'s leaf: the canonical JSON (UTF-8) of what the feed shows of it, given
    the record's public projection as it stands in the event's transaction."""
    item = feed_entry(event, projection)
    item["at"] = event.at.isoformat()
    return canonical_json(json_safe(item)).encode("utf-8")


def leaf_shown(leaf: TransparencyLeaf, *, today: dt.date | None = None) -> bytes | None:
    """The leaf's bytes while they are what the public may see of its record today, else None
    (the leaf hash stays, so every proof still verifies):

    * the record's own page must answer today, by the portal's own test (``page``, and a display
      period not ended, also before the expiry job has run): a record that expired, was taken
      down, or whose revocation's display period ended leaves the log's content too;
    * the bytes must be what the projection shows of that version now: a later masking rule
      (``reindex_public``) or a later version that de-identifies a name re-masks the public
      history, and the frozen bytes, which may hold what is now hidden, are then withheld.

    Needs ``event__version`` and ``event__record__public`` loaded."""
    try:
        projection = leaf.event.record.public
    except PublicRecord.DoesNotExist:
        return None
    today = today or timezone.localdate()
    if not projection.page or (projection.expires_on is not None and projection.expires_on <= today):
        return None
    content = bytes(leaf.content)
    return content if leaf_content(leaf.event, projection) == content else None


@dataclass(frozen=True)
class Inclusion:
    leaf: TransparencyLeaf
    tree_size: int
    audit_path: list[bytes]


def leaf_of(*, record_id: int, version: int) -> TransparencyLeaf:
    """The leaf of a record's version (a version that was a public event); NotVisible otherwise."""
    leaf = (TransparencyLeaf.objects.select_related("event__version", "event__record__public")
            .filter(event__record_id=record_id, event__version__number=version).first())
    if leaf is None:
        raise NotVisible(_("That record version is not in the log."),
                         {"version": [_("Only the versions that went to the feed are logged (publications, changes, "
                                        "corrections, statements, recomputed periods, revocations, expiries, "
                                        "credit repairs).")]})
    return leaf


def newest_leaf_of(*, record_id: int) -> TransparencyLeaf | None:
    return (TransparencyLeaf.objects.select_related("event__version", "event__record__public")
            .filter(event__record_id=record_id)
            .order_by("-index").first())


def inclusion_proof(*, record_id: int, version: int, size: int | None = None) -> Inclusion:
    """The audit path of (record, version)'s leaf in the tree of ``size`` (default: the newest
    signed head's)."""
    if size is None:
        size = head_newest().tree_size
    _size_in_tree(size, "tree_size")
    leaf = leaf_of(record_id=record_id, version=version)
    if leaf.index >= size:
        raise NotVisible(_("That record version was logged after this tree head; ask for a newer one."),
                         {"tree_size": [_("The leaf is not in a tree of this size.")]})
    return Inclusion(leaf=leaf, tree_size=size, audit_path=inclusion_path(index=leaf.index, size=size))


def consistency_proof(*, first: int, second: int | None = None) -> tuple[int, int, list[bytes]]:
    """(first, second, PROOF(first, D[0:second])); ``second`` defaults to the newest head's size."""
    if second is None:
        second = head_newest().tree_size
    if first < 1:
        raise ApplicationError(_("Invalid input."), {"first": [_("A tree size of at least 1.")]})
    if first > second:
        raise ApplicationError(_("Invalid input."),
                               {"first": [_("The first tree must not be larger than the second.")]})
    _size_in_tree(second, "second")
    return first, second, consistency_path(first=first, second=second)


def leaves_between(*, start: int, end: int | None = None) -> list[TransparencyLeaf]:
    """Leaves ``start`` to ``end`` inclusive (RFC 6962 get-entries), at most LEAVES_PAGE_MAX."""
    last = start + LEAVES_PAGE_MAX - 1 if end is None else min(end, start + LEAVES_PAGE_MAX - 1)
    if last < start:
        raise ApplicationError(_("Invalid input."), {"end": [_("Must not be before start.")]})
    if start >= tree_size():
        raise NotVisible(_("The log has fewer leaves than that."), {"start": [_("Beyond the log's size.")]})
    return list(TransparencyLeaf.objects.filter(index__gte=start, index__lte=last)
                .select_related("event__version", "event__record__public").order_by("index"))


# -- signed heads ---------------------------------------------------------------------------------------
def head_newest() -> SignedTreeHead:
    head = SignedTreeHead.objects.select_related("key").order_by("-tree_size", "-timestamp").first()
    if head is None:
        raise NotVisible(_("No tree head has been signed yet."))
    return head


def head_for_size(size: int) -> SignedTreeHead:
    head = SignedTreeHead.objects.select_related("key").filter(tree_size=size).order_by("-timestamp").first()
    if head is None:
        raise NotVisible(_("No signed tree head has that size."), {"tree_size": [_("No head of this size.")]})
    return head


def heads_all() -> list[SignedTreeHead]:
    """Every head, oldest first."""
    return list(SignedTreeHead.objects.select_related("key").order_by("tree_size", "timestamp"))


# The log's time zone: Asia/Shanghai (China Standard Time: UTC+08:00, no daylight saving since 1991),
# written as the fixed offset so the bytes a head's signature covers never depend on the tz database.
HEAD_TIME_ZONE = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def head_time(at: dt.datetime) -> str:
    """A head's timestamp as served and signed, the one place the string is made: ISO 8601 in
    Asia/Shanghai with milliseconds and the offset, e.g. ``2026-12-06T21:30:00.123+08:00``.
    Stored timestamps are whole milliseconds (``head_time_next``), so nothing is rounded here."""
    if at.tzinfo is None or at.microsecond % 1000:
        raise ValueError(f"a head's timestamp is an aware datetime in whole milliseconds, not {at!r}")
    return at.astimezone(HEAD_TIME_ZONE).isoformat(timespec="milliseconds")


def head_time_next(*, now: dt.datetime, newest: dt.datetime | None) -> dt.datetime:
    """The timestamp of a new head: ``now`` cut to whole milliseconds, and strictly after the newest
    head's (two heads signed within one millisecond, or a clock set back, still keep their order)."""
    now = now.replace(microsecond=now.microsecond - now.microsecond % 1000)
    return now if newest is None or now > newest else newest + dt.timedelta(milliseconds=1)


def head_signed_json(*, key_id: str, root_hash: bytes, timestamp: dt.datetime, tree_size: int) -> bytes:
    """The bytes ``signature`` covers: canonical JSON of the head's four fields, the timestamp as
    ``head_time`` writes it."""
    return canonical_json({"key_id": key_id, "root_hash": b64(root_hash), "timestamp": head_time(timestamp),
                           "tree_size": tree_size}).encode("utf-8")


def checkpoint_body(*, origin: str, tree_size: int, root_hash: bytes) -> str:
    """C2SP tlog-checkpoint: origin, decimal size, base64 root, each line ending in a newline."""
    return f"{origin}\n{tree_size}\n{b64(root_hash)}\n"


def checkpoint_text(head: SignedTreeHead) -> str:
    """The head as a C2SP signed note: the checkpoint, a blank line, one signature line."""
    public_key = bytes(head.key.public_key)
    signature = b64(note_key_hash(head.origin, public_key) + bytes(head.note_signature))
    return (checkpoint_body(origin=head.origin, tree_size=head.tree_size, root_hash=bytes(head.root_hash))
            + f"\n\u2014 {head.origin} {signature}\n")


def head_json(head: SignedTreeHead) -> dict[str, object]:
    """The API's form of a head (hashes and signatures in base64)."""
    return {"tree_size": head.tree_size, "root_hash": b64(head.root_hash), "timestamp": head_time(head.timestamp),
            "signature": b64(head.signature), "key_id": head.key_id}


def event_count() -> int:
    return FeedEvent.objects.count()
