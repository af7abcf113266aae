"""The random-draw procedure (双随机): pure functions, no database, no ``random`` module.

Algorithm ``hmac-sha256-rank/v1``, written so that anyone can reimplement it from this text:

* ``seed`` is 32 random bytes from ``secrets``, stored as 64 hex digits; ``key = bytes.fromhex(seed)``.
* ``score(label, *parts) = HMAC-SHA256(key, UTF-8 of "\\x1f".join([label, *parts])).hexdigest()``.
* Inputs, each canonically sorted (Python ``sorted`` on the lists, i.e. by code points):
  ``entities`` = ``[credit_code, industry, risk_level]`` of every eligible entity;
  ``inspectors`` = the certificate numbers (badge numbers) of every eligible inspector;
  ``exclusions`` = ``[badge_number, credit_code, why]`` pairs that may not be drawn together
  (``why`` is ``conflict`` for a declared conflict of interest, ``recent`` for an inspection of
  the same entity within the rotation window).
* ``digest(list) = SHA-256 hex of canonical JSON`` (UTF-8, keys sorted, no spaces, non-ASCII kept).
* Entities: sort by ``(score("entity", credit_code), credit_code)``; take the first ``n``.
* For each drawn entity, in that order: sort the inspectors by
  ``(score("inspector", credit_code, badge), badge)``, drop those excluded for this entity, take
  the first ``k``. If fewer than ``k`` remain the draw is impossible and nothing is drawn.
* Result: ``[{"entity": credit_code, "inspectors": [badge, ...]}, ...]`` in drawn order.

The score depends only on the seed and the candidate's own key, so adding or removing another
candidate never reorders the rest; reproducing a draw needs nothing but SHA-256.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from backend.canonical import canonical_digest, canonical_json

ALGORITHM = "hmac-sha256-rank/v1"
SEPARATOR = "\x1f"


class DrawImpossible(Exception):
    """Too few inspectors remain for one entity once exclusions are applied."""

    def __init__(self, credit_code: str, available: int, needed: int) -> None:
        super().__init__(f"{credit_code}: {available} of {needed} inspectors available")
        self.credit_code = credit_code
        self.available = available
        self.needed = needed


@dataclass(frozen=True)
class DrawInput:
    seed: str
    entities: list[list[str]]
    inspectors: list[str]
    exclusions: list[list[str]]
    sample_size: int
    per_task: int


def new_seed() -> str:
    return secrets.token_hex(32)


def digest(value: Any) -> str:
    return canonical_digest(value)


__all__ = ["canonical_json", "digest"]  # canonical_json: part of the algorithm as documented above


def score(seed: str, label: str, *parts: str) -> str:
    message = SEPARATOR.join([label, *parts]).encode("utf-8")
    return hmac.new(bytes.fromhex(seed), message, hashlib.sha256).hexdigest()


def sample_size(total: int, *, count: int | None, percent: Decimal | None) -> int:
    """How many entities to draw: the count (at most all), or the share rounded up, so that a
    non-zero share of a non-empty directory always inspects someone."""
    if count is not None:
        return min(count, total)
    assert percent is not None
    return min(total, math.ceil(Decimal(total) * percent / Decimal(100)))


def _ranked_inspectors(seed: str, code: str, badges: list[str]) -> list[str]:
    return sorted(badges, key=lambda badge: (score(seed, "inspector", code, badge), badge))


def run(draw: DrawInput) -> list[dict[str, Any]]:
    """The draw's result for these inputs; raises ``DrawImpossible`` when a task cannot be staffed."""
    excluded: dict[str, set[str]] = {}
    for badge, code, _why in draw.exclusions:
        excluded.setdefault(code, set()).add(badge)
    codes = [row[0] for row in draw.entities]
    ranked = sorted(codes, key=lambda code: (score(draw.seed, "entity", code), code))
    result: list[dict[str, Any]] = []
    for code in ranked[: draw.sample_size]:
        barred = excluded.get(code, set())
        candidates = _ranked_inspectors(draw.seed, code, [b for b in draw.inspectors if b not in barred])
        if len(candidates) < draw.per_task:
            raise DrawImpossible(code, len(candidates), draw.per_task)
        result.append({"entity": code, "inspectors": candidates[: draw.per_task]})
    return result
