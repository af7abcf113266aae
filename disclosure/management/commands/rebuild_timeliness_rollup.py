"""``manage.py rebuild_timeliness_rollup``: recount the timeliness rollup from the records."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from disclosure.services.rollup import rollup_rebuild


class Command(BaseCommand):
    help = ("Recount the timeliness rollup (what the audit statistics read) from the records and repair "
            "any row that differs, in one transaction. Idempotent; safe while records are being written. "
            "Exits 1 when something had to be repaired (so a scheduled check can tell).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        result = rollup_rebuild(progress=not options["no_progress"] and options["verbosity"] > 0)
        if not result.agencies:
            self.stdout.write("timeliness rollup identical to the records: nothing repaired")
            return
        self.stdout.write(f"timeliness rollup differed from the records: {result.rows} rows of "
                          f"{result.agencies} agencies repaired")
        raise SystemExit(1)
