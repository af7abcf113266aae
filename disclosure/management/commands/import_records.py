"""``manage.py import_records FILE.csv|FILE.xlsx [--dry-run] [--user USERNAME] [--per-record]``: backfill
import (补录). The file is read as a stream and written in chunks (``disclosure.services.bulk``);
``--per-record`` sends every row through ``record_create``/``record_publish`` instead (the
reference path, about fifty times slower), with the same result."""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from backend.errors import ServiceError
from disclosure.models import User
from disclosure.services.backfill import backfill_import, iter_errors

T = TypeVar("T")
# How many row errors the command prints; the count of all of them is always printed.
SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = ("Backfill (补录) historical records of any kind from a CSV or XLSX file: all rows or none, "
            "idempotent by external_id. The importing staff account is --user (or IMPORT_RECORDS_USER); "
            "it must be allowed to act for the agency of every row.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv (UTF-8 or GB18030) or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check everything, import nothing")
        parser.add_argument("--user", default=os.environ.get("IMPORT_RECORDS_USER", ""),
                            help="username of the importing staff account (default: $IMPORT_RECORDS_USER)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--per-record", action="store_true",
                            help="write row by row through the record services (the reference path; slow)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        if not options["user"]:
            raise CommandError(_("Name the importing staff account with --user USERNAME."))
        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(_("No active user %(name)s.") % {"name": options["user"]})
        quiet = options["no_progress"] or options["verbosity"] < 1

        def progress(items: Iterable[T], label: str, total: int) -> Iterable[T]:
            # The bar writes to the command's raw error stream: OutputWrapper.write would add newlines.
            stream: Any = self.stderr._out
            bar: Iterable[T] = tqdm(items, desc=label, total=total, unit=" rows", disable=quiet, file=stream)
            return bar

        try:
            report = backfill_import(actor=actor, file_name=path.name, path=path, dry_run=options["dry_run"],
                                     progress=progress, per_record=options["per_record"])
        except ServiceError as exc:
            details = "; ".join(f"{k}: {m}" for k, ms in exc.errors.items() for m in ms)
            raise CommandError(f"{exc.message} {details}".strip()) from None
        lines = list(iter_errors(report))
        for line in lines[:SHOWN_ERRORS]:
            self.stderr.write(line)
        if len(lines) > SHOWN_ERRORS:
            self.stderr.write(_("… and %(n)d more errors.") % {"n": len(lines) - SHOWN_ERRORS})
        counts = {"rows": report.rows, "created": report.created, "published": report.published,
                  "skipped": report.skipped, "errors": len(lines)}
        if report.errors:
            raise CommandError(_(
                "Nothing was imported: %(errors)d error(s) in %(rows)d rows; fix the rows named above and run "
                "again.") % counts)
        if report.dry_run:
            self.stdout.write(_(
                "Dry run: %(rows)d rows; would create %(created)d records, publish %(published)d, skip "
                "%(skipped)d already imported. Nothing was written.") % counts)
        else:
            self.stdout.write(_(
                "Imported %(rows)d rows: created %(created)d records, published %(published)d, skipped "
                "%(skipped)d already imported.") % counts)
