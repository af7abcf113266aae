"""Recompute the transparency log from its stored leaves and check it: exit 0 when intact, 1 with
every problem named (README, "Transparency log").

On one snapshot of the database: every leaf's hash from its bytes, every leaf against its feed
event (position, record, version, action, public, time), every feed event has its leaf, every
stored subtree hash against the recomputed tree (and no stray ones), every signed head's root
against the recomputed tree and both its signatures with its key, and every older head's
consistency proof with the newest head. So an altered leaf or node, a deleted leaf, or a forked
tree re-signed with the real key is reported.
"""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from disclosure.services.transparency import tlog_verify


class Command(BaseCommand):
    help = "Verify the transparency log against the feed and every signed tree head; exit 1 naming what is wrong."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        report = tlog_verify(progress=not options["no_progress"])
        if report.problems:
            for problem in report.problems[:50]:
                self.stderr.write(f"  {problem}")
            raise CommandError(_("Transparency log broken: %(first)s (%(n)s problems in all)") % {
                "first": report.problems[0], "n": len(report.problems)})
        self.stdout.write(_("Transparency log intact: %(l)s leaves, %(n)s subtree hashes, %(h)s signed heads "
                            "verified.") % {"l": report.leaves, "n": report.nodes, "h": report.heads})
