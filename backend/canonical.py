"""The one canonical JSON: what every stored digest and hash chain covers.

Byte-exact and portable: keys sorted, no whitespace, UTF-8 text as it is (not ``\\u`` escapes), and
only JSON's own values: a date, a Decimal or NaN is refused rather than turned into whatever
``str()`` says today. Values from Python objects pass through ``json_safe`` first, once, at the
point where they become stored data; after that, anyone (``docs/``, a court's expert, another
language) recomputes the same bytes from the stored JSON.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def canonical_digest(value: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``value``, encoded as UTF-8."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def json_safe(value: Any) -> Any:
    """``value`` as the JSON it will be stored as: dates, decimals and other objects become their
    ``str()``; this is the data a digest is then computed over (``canonical_digest``)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def sealed(value: Any) -> tuple[Any, str]:
    """``(json_safe(value), its digest)``: a version's stored data and digest."""
    data = json_safe(value)
    return data, canonical_digest(data)
