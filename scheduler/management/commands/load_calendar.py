"""Load a year's State Council holiday notice, then recompute provisional deadlines."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from backend.errors import ServiceError
from scheduler.services import calendar_load_from_package, calendar_load_year, parse_notice_csv
from scheduler.signals import calendar_changed


class Command(BaseCommand):
    help = (
        "Load the holiday calendar of one or more years, from the chinesecalendar package or from a "
        "CSV file with columns date,kind,name (kind: holiday or makeup_workday), then recompute "
        "every provisional deadline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("years", nargs="+", type=int)
        parser.add_argument("--file", type=Path, help="CSV of the year's holidays and make-up working days")
        parser.add_argument("--source", default="", help="where the data comes from (e.g. 国办发明电〔2026〕X号)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["file"]:
                if len(options["years"]) != 1:
                    raise CommandError(_("A file holds one year; name exactly one year."))
                try:
                    text = options["file"].read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise CommandError(str(exc)) from exc
                loads = [calendar_load_year(
                    year=options["years"][0], days=parse_notice_csv(text),
                    source=options["source"] or str(options["file"].name),
                )]
            else:
                loads = calendar_load_from_package(years=options["years"])
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        for load in loads:
            self.stdout.write(_("%(year)s: %(h)s holidays, %(m)s make-up working days loaded.") % {
                "year": load.year, "h": load.holidays, "m": load.makeup_workdays})
        results = calendar_changed.send(sender=self.__class__, deferred=False)
        count = sum(int(n) for _receiver, n in results if n is not None)  # each receiver's count
        self.stdout.write(_("%(n)s provisional deadlines recomputed.") % {"n": count})
