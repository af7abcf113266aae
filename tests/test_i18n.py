"""Every user-facing string has a Chinese translation, and every compiled catalog is current.

Each app keeps its own catalog (APP/locale/, see bin/messages); the project catalog (locale/)
holds backend/ and templates/.
"""
from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
CATALOGS = sorted(
    [BASE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"]
    + [p for pattern in ("*/locale/zh_Hans/LC_MESSAGES/django.po", "*/*/locale/zh_Hans/LC_MESSAGES/django.po")
       for p in BASE.glob(pattern) if ".venv" not in p.parts]
)


def _join(raw: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', raw)).encode().decode("unicode_escape").encode(
        "latin-1").decode("utf-8")


def _po_entries(po: Path) -> dict[str, tuple[str, bool, str | None]]:
    """msgid -> (msgstr or msgstr[0], fuzzy, msgid_plural), read from a .po file."""
    entries: dict[str, tuple[str, bool, str | None]] = {}
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        fuzzy = bool(re.search(r"^#,.*\bfuzzy\b", block, re.M))
        parts = re.split(r"^(msgid|msgid_plural|msgstr|msgstr\[0\]|msgstr\[\d+\]) ", block, flags=re.M)
        fields = dict(zip(parts[1::2], parts[2::2], strict=True))
        if "msgid" not in fields:
            continue
        msgid = _join(fields["msgid"])
        if msgid:
            plural = _join(fields["msgid_plural"]) if "msgid_plural" in fields else None
            entries[msgid] = (_join(fields.get("msgstr", fields.get("msgstr[0]", ""))), fuzzy, plural)
    return entries


def test_every_app_has_a_catalog() -> None:
    owners = {p.relative_to(BASE).parts[0] for p in CATALOGS}
    assert {"locale", "disclosure", "scheduler", "inspections", "reports"} <= owners
    assert sum(len(_po_entries(po)) for po in CATALOGS) > 100


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: str(p.relative_to(BASE)))
def test_every_string_is_translated(po: Path) -> None:
    missing = [msgid for msgid, (msgstr, fuzzy, _plural) in _po_entries(po).items() if not msgstr or fuzzy]
    assert missing == []


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: str(p.relative_to(BASE)))
def test_compiled_catalog_matches_the_po_file(po: Path) -> None:
    with po.with_suffix(".mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    for msgid, (msgstr, _fuzzy, plural) in _po_entries(po).items():
        got = catalog.ngettext(msgid, plural, 1) if plural else catalog.gettext(msgid)
        assert got == msgstr, msgid
