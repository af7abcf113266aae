"""Re-running a stored draw (``manage.py verify_draw``, ``GET /api/v1/inspections/draws/{id}/verify/``).

Three checks, each naming what differs:

1. the stored lists still hash to the stored digests (nobody edited the draw row);
2. the eligible lists recomputed from the database as of the draw's moment equal the stored
   ones (the directory, the pool, the conflicts and the earlier assignments the draw relied on
   were not altered afterwards);
3. the algorithm, run on the recomputed lists with the stored seed, gives the stored result, and
   the tasks in the database are that result.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from inspections import draw as algorithm
from inspections.models import Draw
from inspections.services.plans import draw_inputs


@dataclass
class Verification:
    draw_id: int
    problems: list[str] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"draw": self.draw_id, "ok": self.ok, "problems": self.problems, "digests": self.digests}


# What identifies an item of each list: an entity by its credit code (so a changed industry or
# risk level shows as a change), an inspector by badge, an exclusion by the whole pair.
_KEYS: dict[str, Callable[[Any], str]] = {
    "entities": lambda item: str(item[0]),
    "inspectors": str,
    "exclusions": lambda item: " / ".join(item),
}


def _differences(name: str, what: str, stored: list[Any], now: list[Any]) -> list[str]:
    """Human-readable differences between two canonical lists, by key (credit code, badge)."""
    key_of = _KEYS[name]
    old = {key_of(i): i for i in stored}
    new = {key_of(i): i for i in now}
    out: list[str] = []
    for key in sorted(old.keys() - new.keys()):
        out.append(_("%(what)s: %(key)s was eligible at the draw but is not now.") % {"what": what, "key": key})
    for key in sorted(new.keys() - old.keys()):
        out.append(_("%(what)s: %(key)s is eligible now but was not at the draw.") % {"what": what, "key": key})
    for key in sorted(old.keys() & new.keys()):
        if old[key] != new[key]:
            out.append(_("%(what)s: %(key)s changed from %(old)s to %(new)s.") % {
                "what": what, "key": key, "old": algorithm.canonical_json(old[key]),
                "new": algorithm.canonical_json(new[key])})
    return out


def draw_verify(*, draw: Draw) -> Verification:
    """Recompute ``draw`` from the database and its seed; every difference is a named problem."""
    report = Verification(draw.pk)
    if draw.algorithm != algorithm.ALGORITHM:
        report.problems.append(_("Unknown algorithm %(name)s.") % {"name": draw.algorithm})
        return report
    stored = {"entities": draw.entities, "inspectors": draw.inspectors, "exclusions": draw.exclusions}
    digests = {"entities": draw.entities_digest, "inspectors": draw.inspectors_digest,
               "exclusions": draw.exclusions_digest}
    labels = {"entities": _("eligible entities"), "inspectors": _("eligible inspectors"),
              "exclusions": _("exclusions")}
    for name, value in stored.items():
        if algorithm.digest(value) != digests[name]:
            report.problems.append(_("The stored list of %(what)s does not match its digest.") % {
                "what": labels[name]})
    params = draw.parameters
    now = draw_inputs(plan=draw.plan, at=draw.drawn_at, window_days=int(params["window_days"]),
                      exclude_draw=draw.pk)
    for name, value in now.items():
        report.digests[name] = algorithm.digest(value)
        if report.digests[name] != digests[name]:
            report.problems.append(_("The digest of the %(what)s differs: %(stored)s at the draw, %(now)s now.") % {
                "what": labels[name], "stored": digests[name], "now": report.digests[name]})
            report.problems.extend(_differences(name, str(labels[name]), stored[name], value))
    percent = params.get("sample_percent")
    size = algorithm.sample_size(len(now["entities"]), count=params.get("sample_count"),
                                 percent=Decimal(percent) if percent is not None else None)
    try:
        result = algorithm.run(algorithm.DrawInput(seed=draw.seed, sample_size=size, per_task=int(params["per_task"]),
                                                   **now))
    except algorithm.DrawImpossible as exc:
        report.problems.append(_("Re-running the draw fails: %(code)s has only %(have)d eligible inspector(s).") % {
            "code": exc.credit_code, "have": exc.available})
        return report
    report.digests["result"] = algorithm.digest(result)
    if algorithm.digest(draw.result) != draw.result_digest:
        report.problems.append(_("The stored result does not match its digest."))
    if report.digests["result"] != draw.result_digest:
        report.problems.append(_("Re-running the draw gives another result (digest %(now)s, stored %(stored)s).") % {
            "now": report.digests["result"], "stored": draw.result_digest})
    tasks = [{"entity": t.entity.credit_code, "inspectors": sorted(
        i.badge_number for i in t.inspectors.all())} for t in draw.tasks.select_related("entity").prefetch_related(
        "inspectors").order_by("position")]
    expected = [{"entity": i["entity"], "inspectors": sorted(i["inspectors"])} for i in draw.result]
    if tasks != expected:
        report.problems.append(_("The tasks in the database are not the drawn result."))
    return report
