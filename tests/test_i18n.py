"""Every user-facing string has a Chinese translation, and the compiled catalog is current."""
from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def _po_entries() -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy), read from the .po file (multi-line strings joined)."""
    entries: dict[str, tuple[str, bool]] = {}
    for block in (LOCALE / "django.po").read_text(encoding="utf-8").split("\n\n"):
        fuzzy = bool(re.search(r"^#,.*\bfuzzy\b", block, re.M))
        parts = re.split(r"^(msgid|msgstr) ", block, flags=re.M)
        fields = dict(zip(parts[1::2], parts[2::2], strict=True))
        if "msgid" not in fields:
            continue

        def join(raw: str) -> str:
            return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', raw)).encode().decode("unicode_escape").encode(
                "latin-1").decode("utf-8")

        msgid = join(fields["msgid"])
        if msgid:
            entries[msgid] = (join(fields.get("msgstr", "")), fuzzy)
    return entries


def test_every_string_is_translated() -> None:
    entries = _po_entries()
    assert len(entries) > 100
    missing = [msgid for msgid, (msgstr, fuzzy) in entries.items() if not msgstr or fuzzy]
    assert missing == []


def test_compiled_catalog_matches_the_po_file() -> None:
    with (LOCALE / "django.mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    for msgid, (msgstr, _fuzzy) in _po_entries().items():
        assert catalog.gettext(msgid) == msgstr, msgid
