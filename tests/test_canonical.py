"""The one canonical JSON every stored digest covers: pinned bytes, and refusal of what JSON is not."""
from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest

from backend.canonical import canonical_digest, canonical_json, json_safe, sealed

VALUE = {"title": "销售过期糕点案", "b": [2, 1, {"z": None, "a": True}], "amount": 2000.5, "a": "x\"y"}


def test_the_bytes_are_pinned() -> None:
    text = '{"a":"x\\"y","amount":2000.5,"b":[2,1,{"a":true,"z":null}],"title":"销售过期糕点案"}'
    assert canonical_json(VALUE) == text
    assert canonical_digest(VALUE) == hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("bad", [date(2026, 10, 1), Decimal("1.5"), float("nan"), float("inf"), {1, 2}])
def test_what_json_is_not_is_refused_not_guessed(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        canonical_json({"v": bad})


def test_stored_data_is_made_json_once_and_then_hashes_the_same_from_the_database() -> None:
    data, digest = sealed({"event_date": date(2026, 10, 1), "fine": Decimal("2000.00"), "名称": "甲"})
    assert data == {"event_date": "2026-10-01", "fine": "2000.00", "名称": "甲"}
    assert digest == canonical_digest(json_safe(data)) == canonical_digest(data)
