"""``manage.py reindex_public``: rebuild the public projection (masked text, history, search index)."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from disclosure.services.projection import projection_rebuild


class Command(BaseCommand):
    help = ("Recompute what the public side reads (masked text, public history, search tokens) for every "
            "record ever published. Idempotent; resumable with --start-after ID (the last id a run printed).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start-after", type=int, default=0, metavar="ID",
                            help="resume after this record id (the progress bar shows the last one done)")
        parser.add_argument("--batch-size", type=int, default=settings.PUBLIC_REINDEX_BATCH_SIZE,
                            help="records per transaction")
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help="stop after about N records (then resume with --start-after)")
        parser.add_argument("--missing-only", action="store_true",
                            help="only published records without a projection (after an upgrade; bin/run runs it)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            self.stderr.write("--batch-size must be at least 1")
            raise SystemExit(2)
        listed = projection_rebuild(batch_size=options["batch_size"], start_after=options["start_after"],
                                    limit=options["limit"], missing_only=options["missing_only"],
                                    progress=not options["no_progress"] and options["verbosity"] > 0)
        self.stdout.write(f"{listed} records listed publicly")
