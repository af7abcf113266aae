"""``manage.py verify_draw DRAW_ID``: re-run a 双随机 draw; exit 0 when it reproduces."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from inspections.models import Draw
from inspections.verification import draw_verify


class Command(BaseCommand):
    help = ("Recompute a random draw from the database as of its moment and its stored seed; check the "
            "eligible lists' digests and the result. Exit 0 when it reproduces, 1 naming what differs.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("draw_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        draw = Draw.objects.select_related("plan__agency").filter(pk=options["draw_id"]).first()
        if draw is None:
            raise CommandError(_("No draw %(id)s.") % {"id": options["draw_id"]})
        report = draw_verify(draw=draw)
        self.stdout.write(_("Draw %(id)s of plan \"%(plan)s\" (%(agency)s), %(algorithm)s, seed %(seed)s") % {
            "id": draw.pk, "plan": draw.plan.title, "agency": draw.plan.agency.code, "algorithm": draw.algorithm,
            "seed": draw.seed})
        for name, value in report.digests.items():
            self.stdout.write(f"  {name}: {value}")
        if report.ok:
            self.stdout.write(_("OK: the draw reproduces (%(n)d tasks).") % {"n": len(draw.result)})
            return
        for problem in report.problems:
            self.stderr.write(problem)
        raise CommandError(_("The draw does not reproduce: %(n)d problem(s).") % {"n": len(report.problems)})
