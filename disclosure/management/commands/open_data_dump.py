"""``manage.py open_data_dump``: make a day's open-data dump now (the beat job's work), with a progress bar."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from backend.errors import ApplicationError
from disclosure.selectors.exchange import parse_day
from disclosure.services.open_data import open_data_dump


class Command(BaseCommand):
    help = ("Make the open-data dump of a day (default: today) under OPEN_DATA_ROOT/YYYY-MM-DD/, unless it is "
            "already made or another worker is making it, and delete the dumps older than OPEN_DATA_KEEP_DAYS.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", metavar="YYYY-MM-DD", help="the day (default: today)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        day: date | None = None
        if options["day"]:
            try:
                day = parse_day(options["day"], "day")
            except ApplicationError as exc:
                raise CommandError(f"--day: {' '.join(exc.errors['day'])}") from exc
        quiet = options["no_progress"] or options["verbosity"] == 0
        bars: list[tqdm[Any]] = []

        def progress(name: str, total: int) -> Callable[[int], None] | None:
            for bar in bars:
                bar.close()
            bar = tqdm(total=total, desc=name, unit="rows", disable=quiet)
            bars[:] = [bar]

            def tick(n: int) -> None:
                bar.update(n)
            return tick

        try:
            result = open_data_dump(day=day, progress=progress)
        except ApplicationError as exc:
            raise CommandError("; ".join(f"--{k}: {' '.join(v)}" for k, v in exc.errors.items())) from exc
        finally:
            for bar in bars:
                bar.close()
        if not result.made:
            self.stdout.write(f"{result.day}: already made, or being made by another worker")
        for name, info in result.files.items():
            self.stdout.write(f"{name}: {info['rows']} rows, {info['bytes']} bytes, sha256 {info['sha256']}")
        for old in result.deleted:
            self.stdout.write(f"deleted the dump of {old} (past the retention)")
