"""One deadline sweep now: classify open deadlines, deliver the notices, e-mail the digests."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from scheduler.models import Notice
from scheduler.notifications import notices_deliver, notifications_email
from scheduler.sweep import deadlines_sweep


class Command(BaseCommand):
    help = "Run one deadline sweep now and print a summary (Art. 7, Art. 12)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partition", type=int, default=0, help="This partition (0-based) of --partitions.")
        parser.add_argument("--partitions", type=int, default=1, help="Split the sweep by subject id.")
        parser.add_argument("--full", action="store_true",
                            help="Check every open deadline, not only those that can have changed class.")
        parser.add_argument("--no-email", action="store_true", help="Deliver to inboxes but send no e-mail.")

    def handle(self, *args: Any, **options: Any) -> None:
        partition, partitions = options["partition"], options["partitions"]
        if partitions < 1 or not 0 <= partition < partitions:
            raise CommandError(_("--partition must be between 0 and --partitions - 1."))
        summary = deadlines_sweep(partition=partition, partitions=partitions, full=options["full"])
        self.stdout.write(_("Deadline sweep as of %(today)s (partition %(p)d of %(n)d, %(mode)s)") % {
            "today": summary.today.isoformat(), "p": partition + 1, "n": partitions,
            "mode": _("full") if summary.full else _("incremental")})
        for subject, classes in summary.open.items():
            self.stdout.write("  " + _("%(subject)s: %(soon)d due soon, %(today)d due today, %(overdue)d overdue, "
                                       "%(esc)d past the escalation threshold") % {
                "subject": subject, "soon": classes["reminder"], "today": classes["due_today"],
                "overdue": classes["overdue"], "esc": classes["escalation"]})
        self.stdout.write("  " + _("new notices: %(n)s") % {
            "n": ", ".join(f"{k} {v}" for k, v in summary.noticed.items()) or "0"})
        pending = Notice.objects.filter(delivered_at__isnull=True).count()
        with tqdm(total=pending, desc=_("delivering"), unit="notice", disable=pending == 0,
                  file=self.stderr) as bar:
            delivered = notices_deliver(progress=bar.update)
        emails = 0 if options["no_email"] else notifications_email()
        self.stdout.write("  " + _("delivered %(notices)d notices as %(notifications)d notifications; "
                                   "%(emails)d e-mail digests sent") % {
            "notices": delivered.notices, "notifications": delivered.notifications, "emails": emails})
