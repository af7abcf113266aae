"""Inspection plans, their approval with the random draw, and inspection results.

Approving a plan draws entities and inspectors (``inspections.draw``) and turns each drawn task
into an ``inspection_task`` record through ``disclosure.services.records.record_create``, in one
transaction: either the whole draw with every task and record exists, or nothing does.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, ConflictError, ServiceError
from disclosure.kinds import RecordKind
from disclosure.models import Agency, Disclosure, Record, User
from disclosure.selectors.access import ACT, agencies_for
from disclosure.services.access import access_check
from disclosure.services.audit import audit_append, audit_refusal
from disclosure.services.records import record_create
from inspections import conf, draw
from inspections.models import (
    Draw,
    Entity,
    InspectionAction,
    Inspector,
    Outcome,
    Plan,
    PlanStatus,
    Result,
    RiskLevel,
    Task,
    TaskInspector,
)
from inspections.selectors import eligible_entities, eligible_inspectors, exclusions

PLAN_FIELDS = ("title", "scope", "period_start", "period_end", "sample_count", "sample_percent", "industry",
               "risk_levels", "inspectors_per_task", "surprise")


def _plan_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in ("title", "scope"):
        if not str(values.get(name) or "").strip():
            err(name, _("This field is required."))
    start, end = values.get("period_start"), values.get("period_end")
    if not isinstance(start, date):
        err("period_start", _("This field is required."))
    if not isinstance(end, date):
        err("period_end", _("This field is required."))
    if isinstance(start, date) and isinstance(end, date) and end < start:
        err("period_end", _("The period ends before it starts."))
    count, percent = values.get("sample_count"), values.get("sample_percent")
    if (count is None) == (percent is None):
        err("sample_count", _("Give either a number of entities or a share of them, not both."))
    elif count is not None and count < 1:
        err("sample_count", _("Draw at least one entity."))
    elif percent is not None and not Decimal(0) < Decimal(percent) <= Decimal(100):
        err("sample_percent", _("The share is more than 0 and at most 100 percent."))
    unknown = [level for level in values.get("risk_levels") or [] if level not in RiskLevel.values]
    if unknown:
        err("risk_levels", _("Unknown risk level(s): %(levels)s.") % {"levels": ", ".join(map(str, unknown))})
    minimum = conf.min_inspectors_per_task()
    if int(values.get("inspectors_per_task") or 0) < minimum:
        err("inspectors_per_task", _("At least %(n)d inspectors inspect together.") % {"n": minimum})
    return errors


def plan_create(*, actor: User, agency: Agency, values: dict[str, Any]) -> Plan:
    """A draft plan for ``agency``; nothing is drawn until it is approved."""
    access_check(actor=actor, agency=agency, action=InspectionAction.PLAN_CREATE, object_type="plan", creating=True)
    unknown = sorted(set(values) - set(PLAN_FIELDS))
    if unknown:
        raise ApplicationError(_("Invalid input."), {f: [_("Unknown field.")] for f in unknown})
    values = {"inspectors_per_task": conf.min_inspectors_per_task(), "industry": "", "risk_levels": [],
              "surprise": False, "sample_count": None, "sample_percent": None, **values}
    values["industry"] = (values["industry"] or "").strip()
    values["risk_levels"] = sorted(set(values["risk_levels"] or []))
    errors = _plan_errors(values)
    if errors:
        raise ApplicationError(_("Invalid input."), errors)
    with transaction.atomic():
        plan = Plan.objects.create(agency=agency, created_by=actor, created_at=timezone.now(), **values)
        audit_append(actor=actor, action=InspectionAction.PLAN_CREATE, object_type="plan", object_id=plan.pk,
                     agency_code=agency.code, detail={"title": plan.title})
    return plan


def _task_content(plan: Plan, inspectors: list[Inspector]) -> str:
    # A record's text is the agency's publication, written in the site's language whatever the
    # language of the request that approved the plan.
    with translation.override(settings.LANGUAGE_CODE):
        names = "、".join(f"{i.name}（{i.badge_number}）" for i in inspectors)
        return "\n".join([
            _("Random inspection plan: %(title)s") % {"title": plan.title},
            _("Scope: %(scope)s") % {"scope": plan.scope},
            _("Inspection period: %(start)s to %(end)s") % {"start": plan.period_start, "end": plan.period_end},
            _("Inspectors (certificate numbers): %(names)s") % {"names": names},
        ])


def _standard_details(plan: Plan, inspectors: list[Inspector]) -> dict[str, Any]:
    """The national standard's inspection fields a 双随机 draw knows: category, the drawn
    inspectors with their badge numbers, the plan, the agency's region."""
    return {"inspection_category": "random", "random_plan": str(plan.pk),
            "inspectors": [{"name": i.name, "badge": i.badge_number} for i in inspectors],
            "region_code": plan.agency.region_code}


def draw_inputs(*, plan: Plan, at: Any, window_days: int, exclude_draw: int | None = None) -> dict[str, Any]:
    """The eligible lists of ``plan`` as the database says they stood at ``at``."""
    entities = eligible_entities(plan=plan, at=at)
    return {
        "entities": entities,
        "inspectors": eligible_inspectors(plan=plan, at=at),
        "exclusions": exclusions(plan=plan, at=at, window_days=window_days, codes=[e[0] for e in entities],
                                 exclude_draw=exclude_draw),
    }


def plan_approve(*, actor: User, plan: Plan) -> Draw:
    """Approve ``plan`` and draw at once: entities, then inspectors for each (at least the
    configured minimum, no declared conflict, nobody on the same entity within the rotation
    window). Each task becomes an ``inspection_task`` record dated the approval day, which
    gives it its 10-working-day deadline (a surprise task has none until its result)."""
    access_check(actor=actor, agency=plan.agency, action=InspectionAction.PLAN_APPROVE,
                 object_type="plan", object_id=plan.pk)
    try:
        return _approve(actor, plan)
    except ServiceError as exc:
        if not isinstance(exc, ConflictError):
            audit_refusal(actor=actor, action=InspectionAction.PLAN_APPROVE, object_type="plan", object_id=plan.pk,
                          agency_code=plan.agency.code, detail={"reason": exc.message})
        raise


@transaction.atomic
def _approve(actor: User, plan: Plan) -> Draw:
    plan = Plan.objects.select_for_update(of=("self",)).select_related("agency").get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise ConflictError(_("This plan was already approved and drawn."), {"status": [plan.status]})
    now = timezone.now()
    today = timezone.localdate(now)
    window = conf.inspector_repeat_window_days()
    inputs = draw_inputs(plan=plan, at=now, window_days=window)
    size = draw.sample_size(len(inputs["entities"]), count=plan.sample_count, percent=plan.sample_percent)
    if size == 0:
        raise ApplicationError(_("No entity in the directory matches this plan; nothing can be drawn."),
                               {"entities": [_("No eligible entity.")]})
    if len(inputs["inspectors"]) < plan.inspectors_per_task:
        raise ApplicationError(
            _("The pool has %(have)d inspector(s); each task needs %(need)d. Nothing was drawn.") % {
                "have": len(inputs["inspectors"]), "need": plan.inspectors_per_task},
            {"inspectors": [_("Too few inspectors.")]},
        )
    seed = draw.new_seed()
    parameters = {"agency": plan.agency.code, "sample_count": plan.sample_count,
                  "sample_percent": None if plan.sample_percent is None else str(plan.sample_percent),
                  "sample_size": size, "per_task": plan.inspectors_per_task, "industry": plan.industry,
                  "risk_levels": plan.risk_levels, "window_days": window}
    try:
        result = draw.run(draw.DrawInput(seed=seed, sample_size=size, per_task=plan.inspectors_per_task, **inputs))
    except draw.DrawImpossible as exc:
        raise ApplicationError(
            _("Entity %(code)s can be inspected by only %(have)d eligible inspector(s) (conflicts of interest and "
              "the rotation window exclude the others); each task needs %(need)d. Nothing was drawn.") % {
                "code": exc.credit_code, "have": exc.available, "need": exc.needed},
            {"inspectors": [_("Too few eligible inspectors for %(code)s.") % {"code": exc.credit_code}]},
        ) from None
    the_draw = Draw.objects.create(
        plan=plan, algorithm=draw.ALGORITHM, seed=seed, drawn_at=now, parameters=parameters,
        entities=inputs["entities"], entities_digest=draw.digest(inputs["entities"]),
        inspectors=inputs["inspectors"], inspectors_digest=draw.digest(inputs["inspectors"]),
        exclusions=inputs["exclusions"], exclusions_digest=draw.digest(inputs["exclusions"]),
        result=result, result_digest=draw.digest(result),
    )
    codes = [item["entity"] for item in result]
    entities = {e.credit_code: e for e in Entity.objects.filter(agency=plan.agency, credit_code__in=codes)}
    pool = {i.badge_number: i for i in Inspector.objects.filter(agency=plan.agency)}
    for position, item in enumerate(result, start=1):
        entity = entities[item["entity"]]
        inspectors = [pool[badge] for badge in item["inspectors"]]
        record = record_create(actor=actor, agency=plan.agency, values={
            "kind": RecordKind.INSPECTION_TASK, "title": f"{plan.title}：{entity.name}"[:300],
            "subject_name": entity.name, "subject_code": entity.credit_code, "event_date": today,
            "content": _task_content(plan, inspectors), "disclosure": Disclosure.PUBLIC, "surprise": plan.surprise,
            "details": _standard_details(plan, inspectors),
        })
        task = Task.objects.create(plan=plan, draw=the_draw, position=position, entity=entity, record=record,
                                   drawn_at=now)
        TaskInspector.objects.bulk_create([
            TaskInspector(task=task, inspector=i, credit_code=entity.credit_code, drawn_at=now) for i in inspectors])
    plan.status = PlanStatus.APPROVED
    plan.approved_by = actor
    plan.approved_on = today
    plan.save(update_fields=["status", "approved_by", "approved_on"])
    audit_append(actor=actor, action=InspectionAction.PLAN_APPROVE, object_type="plan", object_id=plan.pk,
                 agency_code=plan.agency.code, detail={
                     "draw": the_draw.pk, "algorithm": the_draw.algorithm, "seed": seed,
                     "entities_digest": the_draw.entities_digest, "inspectors_digest": the_draw.inspectors_digest,
                     "exclusions_digest": the_draw.exclusions_digest, "result_digest": the_draw.result_digest})
    return the_draw


# -- results ----------------------------------------------------------------------------------------
def _penalty_error(actor: User, task: Task, penalty: Record) -> str | None:
    if penalty.kind != RecordKind.PENALTY:
        return _("Record %(id)s is not a penalty.") % {"id": penalty.pk}
    if not agencies_for(actor, ACT).filter(pk=penalty.agency_id).exists():
        return _("Record %(id)s is not a penalty of your agency.") % {"id": penalty.pk}
    if penalty.subject_code != task.entity.credit_code:
        return _("Penalty %(id)s concerns another entity.") % {"id": penalty.pk}
    return None


def result_create(*, actor: User, task: Task, outcome: str, findings: str, formed_on: date,
                  penalty: Record | None = None) -> Result:
    """Record the result of ``task``: an ``inspection_result`` record naming the task record, due
    10 working days after ``formed_on``; optionally the penalty it led to."""
    access_check(actor=actor, agency=task.plan.agency, action=InspectionAction.RESULT_CREATE,
                 object_type="task", object_id=task.pk)
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Unknown outcome %(value)s; expected one of: %(values)s.") % {
            "value": outcome, "values": ", ".join(Outcome.values)}]
    if formed_on < task.record.event_date:
        errors["formed_on"] = [_("A result cannot be formed before its task was approved.")]
    if penalty is not None:
        problem = _penalty_error(actor, task, penalty)
        if problem:
            errors["penalty"] = [problem]
    if errors:
        raise ApplicationError(_("Invalid input."), errors)
    with transaction.atomic():
        Task.objects.select_for_update(of=("self",)).filter(pk=task.pk).first()
        if Result.objects.filter(task=task).exists():
            raise ConflictError(_("This task already has a result."), {"task": [_("Already has a result.")]})
        with translation.override(settings.LANGUAGE_CODE):
            label = str(Outcome(outcome).label)
            content = "\n".join(filter(None, [_("Outcome: %(outcome)s") % {"outcome": label}, findings.strip()]))
            title = _("Inspection result: %(title)s") % {"title": task.record.title}
        inspectors = [ti.inspector for ti in task.assignments.select_related("inspector").order_by("pk")]
        record = record_create(actor=actor, agency=task.plan.agency, values={
            "kind": RecordKind.INSPECTION_RESULT, "title": title[:300], "subject_name": task.entity.name,
            "subject_code": task.entity.credit_code, "event_date": formed_on, "content": content,
            "disclosure": Disclosure.PUBLIC, "task": task.record,
            "details": {**_standard_details(task.plan, inspectors), "inspection_result": outcome,
                        "inspection_time": formed_on},
        })
        result = Result.objects.create(task=task, outcome=outcome, findings=findings.strip(), formed_on=formed_on,
                                       record=record, penalty=penalty, created_by=actor, created_at=timezone.now())
        audit_append(actor=actor, action=InspectionAction.RESULT_CREATE, object_type="task", object_id=task.pk,
                     agency_code=task.plan.agency.code, detail={"result": result.pk, "record": record.pk,
                                                                "outcome": outcome})
    return result


def result_link_penalty(*, actor: User, result: Result, penalty: Record) -> Result:
    """Name the penalty record an inspection result led to (the case may be decided much later)."""
    task = result.task
    access_check(actor=actor, agency=task.plan.agency, action=InspectionAction.RESULT_LINK_PENALTY, object_type="task",
                 object_id=task.pk)
    problem = _penalty_error(actor, task, penalty)
    if problem:
        raise ApplicationError(_("Invalid input."), {"penalty": [problem]})
    with transaction.atomic():
        result.penalty = penalty
        result.save(update_fields=["penalty"])
        audit_append(actor=actor, action=InspectionAction.RESULT_LINK_PENALTY, object_type="task", object_id=task.pk,
                     agency_code=task.plan.agency.code, detail={"penalty": penalty.pk})
    return result
