"""Check the audit trail's hash chain and every record version against it (API.md)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from disclosure.services.verification import verify_everything


class Command(BaseCommand):
    help = "Verify the audit trail's integrity; exit 0 when intact, 1 with the first broken entry named."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_everything()
        if report.problems:
            first = report.problems[0]
            for problem in report.problems[1:20]:
                self.stderr.write(f"  {problem.message}")
            raise CommandError(_("Audit trail broken at %(where)s: %(msg)s (%(n)s problems in all)") % {
                "where": first.where, "msg": first.message, "n": len(report.problems)})
        self.stdout.write(_("Audit trail intact: %(e)s entries, %(v)s record versions verified.") % {
            "e": report.entries, "v": report.versions})
