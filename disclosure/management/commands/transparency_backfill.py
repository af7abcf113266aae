"""Give every feed event that has no transparency-log leaf its leaf, in position order (after an
upgrade to a version with the log); a no-op otherwise, so ``bin/run`` runs it on every start."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from disclosure.services.transparency import tlog_backfill


class Command(BaseCommand):
    help = "Append the leaves of feed events written before the transparency log existed (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        appended = tlog_backfill(progress=not options["no_progress"])
        if appended or options["verbosity"] > 1:
            self.stdout.write(_("%(n)s feed events got their transparency-log leaves.") % {"n": appended})
