"""Check the audit trail's hash chain, every record version and every record row against it (API.md).

What is checked, on one snapshot of the database (a REPEATABLE READ transaction on PostgreSQL,
one read transaction on SQLite), so that publications committed while it runs never look like a
break:

* the hash chain: every entry's hash, its link to the one before, no gap, the chain head row;
* every record version against the digest its audit entry sealed, and their number;
* every record row against its latest sealed version: each field of the version's snapshot
  (``disclosure.services.records.SNAPSHOT_FIELDS``), the row's version number, and the
  publication date against the sealed publication time. So ``UPDATE disclosure_record SET
  title='FORGED'`` or ``SET status='published'`` on a draft is caught and the field named.

Every change of a sealed field goes through the one version writer (``disclosure.services.records``):
expiry writes an ``expire`` version, loading a holiday notice a ``recompute`` version for each
provisional deadline it moves, so every field is compared exactly. Not in any snapshot, so not
checked: ``created_by``, ``created_at``, ``updated_at``.

``--resume`` recomputes the chain only from the newest checkpoint (written after every intact
run) on, after checking that the checkpoint's entry still carries the verified hash: what the
nightly beat job runs. Versions sealed before the checkpoint are then counted but not re-hashed,
except each record's latest one; the default, a full run, re-reads everything.
"""
from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from disclosure.services.verification import Anchor, audit_verify

_ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


def _anchor(value: str) -> Anchor:
    match = _ANCHOR.match(value.strip().lower())
    if not match:
        raise CommandError(_("An anchor is ENTRY_ID:SHA256 as printed by an earlier run, e.g. 1234:9f86d0…"))
    return Anchor(int(match.group(1)), match.group(2))


class Command(BaseCommand):
    help = (
        "Verify the audit trail's integrity and that every record equals its latest sealed version; exit 0 "
        "when intact, 1 with the first broken entry named. A successful run prints the head of the chain "
        "(ENTRY_ID:SHA256): kept outside the system (printed in a report, sent to the bureau), it can be "
        "passed back with --anchor to prove that nobody rewrote the whole chain since."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--anchor", action="append", default=[], metavar="ENTRY_ID:SHA256",
                            help="a head printed by an earlier run; repeatable")
        parser.add_argument("--resume", action="store_true",
                            help="recompute the chain only from the newest verified checkpoint on")

    def handle(self, *args: Any, **options: Any) -> None:
        anchors = [_anchor(value) for value in options["anchor"]]
        report = audit_verify(anchors=anchors, resume=options["resume"])
        if report.problems:
            first = report.problems[0]
            for problem in report.problems[1:20]:
                self.stderr.write(f"  {problem.where}: {problem.message}")
            raise CommandError(_("Audit trail broken at %(where)s: %(msg)s (%(n)s problems in all)") % {
                "where": first.where, "msg": first.message, "n": len(report.problems)})
        self.stdout.write(_("Audit trail intact: %(e)s entries, %(v)s record versions verified.") % {
            "e": report.entries, "v": report.versions})
        self.stdout.write(_("%(r)s records compared with their latest sealed version.") % {"r": report.records})
        if report.resumed_from is not None:
            self.stdout.write(_("Resumed from the checkpoint at audit entry %(id)s.") % {"id": report.resumed_from})
        if report.head is not None:
            self.stdout.write(_("Head: %(anchor)s") % {"anchor": f"{report.head.entry_id}:{report.head.hash}"})
