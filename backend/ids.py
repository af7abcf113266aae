"""Whole numbers from URLs, query strings and forms: the one check every id goes through."""
from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,18}")


def whole_number(raw: object) -> int | None:
    """``raw`` as a non-negative integer when it is 1 to 18 ASCII digits, else None.

    ``str.isdigit()`` is true for "²", "１" and other Unicode digits, some of which ``int()``
    refuses and some of which it reads: an id is only what a link of ours would carry. Eighteen
    digits stay within a 64-bit primary key.
    """
    text = raw if isinstance(raw, str) else str(raw) if isinstance(raw, int) else ""
    return int(text) if _DIGITS.fullmatch(text) else None
