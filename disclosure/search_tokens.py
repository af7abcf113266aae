"""The tokenization of public search, the same at indexing and at query time, on every database.

Chinese has no spaces and stock PostgreSQL has no Chinese parser, so the text is tokenized here,
in Python, once, when the public projection is written: a run of Chinese characters becomes its
overlapping character pairs (bigrams) followed by its last character, a run of Latin letters or
digits one lower-case word. ``鑫源食品`` gives ``鑫源 源食 食品 品``: every two-character word of it is a
token, and every single character is the first character of a token (so a one-character query is
a prefix query). The tokens are stored with their positions (a ``tsvector`` literal on PostgreSQL,
a space-separated column of an FTS5 table on SQLite) and a query word matches when its tokens are
found at consecutive positions (a phrase), so ``鑫源食品`` does not match ``鑫源`` … ``食品`` apart.

Text is folded first (full-width to half-width, formatting characters removed: the same folding
as the masking), then lower-cased. Only the masked public text is ever tokenized.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from disclosure.services.privacy import MaskContext, fold, mask

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN = re.compile(f"[0-9a-z]+|[{_CJK}]+")
_IS_CJK = re.compile(f"[{_CJK}]")
MAX_QUERY_WORDS = 8


def _runs(text: str) -> list[str]:
    return _TOKEN.findall(fold(text).lower())


def tokens(text: str) -> list[str]:
    """The index tokens of ``text``, in order (their positions are their indexes)."""
    out: list[str] = []
    for run in _runs(text):
        if len(run) > 1 and _IS_CJK.match(run):
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
        out.append(run[-1] if _IS_CJK.match(run) else run)
    return out


def holds_personal_number(query: str) -> bool:
    """Whether ``query`` holds a resident ID or telephone number, as the masking finds them (in any
    of the forms it folds). Such a query matches no word: the public search is no reverse look-up
    of a person's number, even where the digits the masking leaves visible (``130 **** 0000``)
    would spell the query's groups."""
    return mask(query, MaskContext(natural_person=False)) != query


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: tokens that must appear at consecutive positions; ``prefix`` when it
    is a single Chinese character (matching any token that starts with it)."""

    tokens: tuple[str, ...]
    prefix: bool = False


def query_words(query: str) -> list[QueryWord]:
    """The words of a search box (split on white space), each as the tokens the index holds for
    it. Inside a word, a Chinese run's closing single character is kept only when more tokens
    follow in the same word, exactly as the index writes it, so a phrase of the query lines up
    with the index positions."""
    words: list[QueryWord] = []
    for raw in fold(query).split()[:MAX_QUERY_WORDS]:
        runs = _runs(raw)
        if not runs:
            continue
        if len(runs) == 1 and len(runs[0]) == 1 and _IS_CJK.match(runs[0]):
            words.append(QueryWord((runs[0],), prefix=True))
            continue
        found: list[str] = []
        for index, run in enumerate(runs):
            if len(run) > 1 and _IS_CJK.match(run):
                found.extend(run[i:i + 2] for i in range(len(run) - 1))
                if index < len(runs) - 1:
                    found.append(run[-1])
            else:
                found.append(run[-1] if _IS_CJK.match(run) else run)
        words.append(QueryWord(tuple(found)))
    return words
