"""``manage.py load_agencies [--file PATH]``: create or update the agency tree from a JSON file."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from backend.errors import ServiceError
from disclosure.services.agencies import DEFAULT_ROWS_FILE, agencies_load, agencies_read_file


class Command(BaseCommand):
    help = "Create or update the agency tree from a JSON list of agencies (never deletes any)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", dest="file", default=None,
            help=f"JSON file with the agency rows (default: {DEFAULT_ROWS_FILE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"] or DEFAULT_ROWS_FILE
        try:
            result = agencies_load(rows=agencies_read_file(path=path))
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("Agencies: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
