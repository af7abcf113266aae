"""Merkle tree arithmetic of RFC 9162 (Certificate Transparency v2), section 2.1: pure, no I/O.

The tree over leaves ``D[0:n]`` is the RFC's: ``MTH({}) = SHA-256()``, ``MTH({d}) = SHA-256(0x00 ‖ d)``,
and for ``n > 1`` with ``k`` the largest power of two smaller than ``n``,
``MTH(D[0:n]) = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n]))``.

Storage (``disclosure.models``) keeps the hash of every leaf and of every *completed perfect
subtree*: the subtree of ``2^level`` leaves starting at leaf ``index · 2^level``, written once,
when its last leaf is appended. Every hash the RFC's recursions name is either such a subtree or
the incomplete right edge ``D[k:n]``, which is the right fold of the perfect subtrees it splits
into (``perfect_parts``). So a proof is planned here as a list of (level, index) pairs, fetched
from storage in one query, and folded here.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Part = tuple[int, int]  # (level, index): the perfect subtree of leaves [index·2^level, (index+1)·2^level)


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def node_key(level: int, index: int) -> int:
    """The in-order position of a subtree in the infinite tree (leaf ``i`` is ``2i``): one integer
    names (level, index), so a stored node has a single-column key."""
    return (index << (level + 1)) + (1 << level) - 1


def key_part(key: int) -> Part:
    """The inverse of ``node_key``."""
    level = ((key + 1) & -(key + 1)).bit_length() - 1
    return level, key >> (level + 1)


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_parts(start: int, end: int) -> list[Part]:
    """The perfect subtrees, largest first, that the RFC's tree over ``D[start:end]`` is built of.
    ``start`` is a multiple of a power of two at least ``end - start`` rounded down to one, as it
    is for every subtree the RFC's recursions name."""
    parts = []
    while start < end:
        size = 1 << ((end - start).bit_length() - 1)
        while start % size:
            size >>= 1
        level = size.bit_length() - 1
        parts.append((level, start >> level))
        start += size
    return parts


def fold(hashes: Sequence[bytes]) -> bytes:
    """The root of the subtrees ``hashes`` (``perfect_parts`` order): the right edge is folded in
    first, as the RFC's recursion combines it."""
    if not hashes:
        return EMPTY_ROOT
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = node_hash(left, root)
    return root


@dataclass(frozen=True)
class Plan:
    """What a proof needs: for each element, in order, the perfect subtrees whose fold it is."""

    elements: tuple[tuple[Part, ...], ...]

    def parts(self) -> set[Part]:
        return {part for element in self.elements for part in element}

    def resolve(self, hashes: Mapping[Part, bytes]) -> list[bytes]:
        return [fold([hashes[part] for part in element]) for element in self.elements]


def root_plan(size: int) -> Plan:
    return Plan((tuple(perfect_parts(0, size)),))


def inclusion_plan(index: int, size: int) -> Plan:
    """RFC 9162 2.1.3.1 ``PATH(index, D[0:size])``: siblings from the leaf up."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    siblings: list[tuple[Part, ...]] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            siblings.append(tuple(perfect_parts(start + k, end)))
            end = start + k
        else:
            siblings.append(tuple(perfect_parts(start, start + k)))
            start += k
    return Plan(tuple(reversed(siblings)))


def consistency_plan(first: int, second: int) -> Plan:
    """RFC 9162 2.1.4.1 ``PROOF(first, D[0:second])`` = ``SUBPROOF(first, D[0:second], true)``."""
    if not 0 < first <= second:
        raise ValueError("need 0 < first <= second")
    elements: list[tuple[Part, ...]] = []
    start, end, m, whole = 0, second, first, True
    while True:
        size = end - start
        if m == size:
            if not whole:
                elements.append(tuple(perfect_parts(start, end)))
            break
        k = _split(size)
        if m <= k:
            elements.append(tuple(perfect_parts(start + k, end)))
            end = start + k
        else:
            elements.append(tuple(perfect_parts(start, start + k)))
            start += k
            m -= k
            whole = False
    return Plan(tuple(reversed(elements)))


def frontier_after(frontier: list[tuple[int, int, bytes]], index: int, hash_: bytes
                   ) -> tuple[list[tuple[int, int, bytes]], list[tuple[int, int, bytes]]]:
    """Append leaf ``index`` (hash ``hash_``) to a tree whose perfect subtrees are ``frontier``
    ((level, index, hash), largest first): the new frontier and the subtrees it completed (level ≥ 1).
    Amortised one completed subtree per leaf, at most log2(n)."""
    frontier = list(frontier)
    completed = []
    level, position, current = 0, index, hash_
    while frontier and frontier[-1][0] == level:
        _lvl, _idx, left = frontier.pop()
        level, position, current = level + 1, position >> 1, node_hash(left, current)
        completed.append((level, position, current))
    frontier.append((level, position, current))
    return frontier, completed


# -- verification (RFC 9162 2.1.3.2 and 2.1.4.2) -----------------------------------------------------
def verify_inclusion(*, index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """Whether ``proof`` shows the leaf hash ``leaf`` at ``index`` in the tree of ``size`` with ``root``."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(*, first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """Whether ``proof`` shows the tree (``second``, ``second_root``) extends (``first``, ``first_root``)."""
    if not 0 < first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first root is the proof's own first node
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root
