"""``manage.py recompute_publicity``: every published penalty and dishonest-list record under the
publicity rule table in force (after a row was edited or another profile was put in force)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from disclosure.services.reclassify import records_reclassify


class Command(BaseCommand):
    help = ("Recompute the class, the first credit-repair day and the end of display of every published "
            "penalty and dishonest-list record under the publicity rule table in force. A record whose new "
            "end of display has passed expires (with the rule's source as the reason, a take-down in the feed); "
            "nothing is deleted. Safe to re-run.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=None, help="records per transaction")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] is not None and options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            counts = records_reclassify(batch_size=options["batch_size"],
                                        progress=not options["no_progress"] and options["verbosity"] > 0)
        except LookupError as exc:  # no profile in force
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{counts['reclassify']} recomputed, {counts['expire']} expired, "
                          f"{counts['unchanged']} unchanged")
