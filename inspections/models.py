"""双随机、一公开: the directory of inspected entities, inspector pools, plans, draws, tasks and
results.

Models hold data; every write goes through ``inspections.services``. Inspection tasks and results
are published as ``disclosure.Record`` rows (kinds ``inspection_task`` / ``inspection_result``)
created by ``disclosure.services.records``; the models here link to them.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from disclosure.models import Agency, Record


class InspectionAction(models.TextChoices):
    """What an audit entry of the inspections records (registered in ``InspectionsConfig.ready``)."""

    ENTITY_CREATE = "entity.create", _("Inspected entity added")
    ENTITY_UPDATE = "entity.update", _("Inspected entity changed")
    ENTITY_DEACTIVATE = "entity.deactivate", _("Inspected entity removed from the directory")
    ENTITY_IMPORT = "entity.import", _("Inspected entities imported")
    INSPECTOR_CREATE = "inspector.create", _("Inspector added")
    INSPECTOR_DEACTIVATE = "inspector.deactivate", _("Inspector removed from the directory")
    INSPECTOR_IMPORT = "inspector.import", _("Inspectors imported")
    CONFLICT_DECLARE = "conflict.declare", _("Conflict of interest declared")
    PLAN_CREATE = "plan.create", _("Inspection plan created")
    PLAN_APPROVE = "plan.approve", _("Inspection plan approved and drawn")
    RESULT_CREATE = "result.create", _("Inspection result recorded")
    RESULT_LINK_PENALTY = "result.link_penalty", _("Penalty linked to the inspection result")


class RiskLevel(models.TextChoices):
    """Credit-risk classification used to weight supervision (信用风险分类)."""

    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


class Entity(models.Model):
    """A market entity an agency is in charge of inspecting (检查对象名录库).

    ``deactivated_at`` instead of deletion: a draw is verified against the directory as it stood
    when it was made, so an entry leaves the directory at a known time and never disappears.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency in charge"))
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=100)
    risk_level = models.CharField(_("risk level"), max_length=16, choices=RiskLevel.choices)
    created_at = models.DateTimeField(_("added at"))
    updated_at = models.DateTimeField(_("updated at"))
    deactivated_at = models.DateTimeField(_("left the directory at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspected entity")
        verbose_name_plural = _("inspected entities")
        ordering = ["agency_id", "credit_code"]
        constraints = [models.UniqueConstraint(fields=["agency", "credit_code"], name="entity_unique_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.credit_code})"


class Inspector(models.Model):
    """A law-enforcement officer in an agency's inspector pool (执法检查人员名录库)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    name = models.CharField(_("name"), max_length=100)
    badge_number = models.CharField(_("law-enforcement certificate number"), max_length=40)
    created_at = models.DateTimeField(_("added at"))
    deactivated_at = models.DateTimeField(_("left the pool at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")
        ordering = ["agency_id", "badge_number"]
        constraints = [models.UniqueConstraint(fields=["agency", "badge_number"], name="inspector_unique_badge")]

    def __str__(self) -> str:
        return f"{self.name} ({self.badge_number})"


class Conflict(models.Model):
    """A declared conflict of interest (利害关系): the inspector is never drawn for the entity."""

    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="conflicts",
                                  verbose_name=_("inspector"))
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(_("declared at"))
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["inspector", "credit_code"], name="conflict_unique")]

    def __str__(self) -> str:
        return f"{self.inspector} ≠ {self.credit_code}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved and drawn")


class Plan(models.Model):
    """An inspection plan (抽查计划): scope, period, sample size and filters.

    Exactly one of ``sample_count`` and ``sample_percent`` is set. Approval draws the entities
    and inspectors at once (``services.plans.plan_approve``).
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    title = models.CharField(_("title"), max_length=200)
    scope = models.TextField(_("scope"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    sample_count = models.PositiveIntegerField(_("number of entities to draw"), null=True, blank=True)
    sample_percent = models.DecimalField(_("share of entities to draw (%)"), max_digits=5, decimal_places=2,
                                         null=True, blank=True)
    industry = models.CharField(_("industry filter"), max_length=100, blank=True)
    risk_levels = models.JSONField(_("risk level filter"), default=list, blank=True)
    inspectors_per_task = models.PositiveSmallIntegerField(_("inspectors per task"), default=2)
    surprise = models.BooleanField(_("surprise inspection"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(sample_count__isnull=False) & models.Q(sample_percent__isnull=True))
                | (models.Q(sample_count__isnull=True) & models.Q(sample_percent__isnull=False)),
                name="plan_one_sample_size",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Draw(models.Model):
    """One random draw, with everything needed to re-run and check it (``manage.py verify_draw``).

    The eligible lists are stored canonically sorted, with their SHA-256 digests; the seed comes
    from ``secrets``; ``algorithm`` names the procedure in ``inspections.draw``.
    """

    plan = models.OneToOneField(Plan, on_delete=models.PROTECT, related_name="draw", verbose_name=_("plan"))
    algorithm = models.CharField(_("algorithm"), max_length=64)
    seed = models.CharField(_("seed (hex)"), max_length=64)
    drawn_at = models.DateTimeField(_("drawn at"))
    parameters = models.JSONField(_("parameters"))
    entities = models.JSONField(_("eligible entities"))
    entities_digest = models.CharField(_("SHA-256 of the eligible entities"), max_length=64)
    inspectors = models.JSONField(_("eligible inspectors"))
    inspectors_digest = models.CharField(_("SHA-256 of the eligible inspectors"), max_length=64)
    exclusions = models.JSONField(_("excluded inspector-entity pairs"))
    exclusions_digest = models.CharField(_("SHA-256 of the exclusions"), max_length=64)
    result = models.JSONField(_("result"))
    result_digest = models.CharField(_("SHA-256 of the result"), max_length=64)

    class Meta:
        verbose_name = _("random draw")
        verbose_name_plural = _("random draws")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"draw {self.pk} ({self.plan})"


class Task(models.Model):
    """One drawn entity with its inspectors; published as an ``inspection_task`` record."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("plan"))
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("draw"))
    position = models.PositiveIntegerField(_("position in the draw"))
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("entity"))
    inspectors = models.ManyToManyField(Inspector, through="TaskInspector", related_name="tasks",
                                        verbose_name=_("inspectors"))
    record = models.OneToOneField(Record, on_delete=models.PROTECT, related_name="inspection_task",
                                  verbose_name=_("task record"))
    drawn_at = models.DateTimeField(_("drawn at"))

    class Meta:
        verbose_name = _("inspection task")
        verbose_name_plural = _("inspection tasks")
        ordering = ["-draw_id", "position"]
        constraints = [models.UniqueConstraint(fields=["draw", "position"], name="task_unique_position")]

    def __str__(self) -> str:
        return f"{self.plan} #{self.position}: {self.entity}"


class TaskInspector(models.Model):
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="assignments")
    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="assignments")
    # Denormalized so the rotation rule ("not the same entity twice within the window") is one
    # indexed query over assignments, not a join through tasks and entities.
    credit_code = models.CharField(max_length=18)
    drawn_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "inspector"], name="assignment_unique")]
        indexes = [models.Index(fields=["credit_code", "drawn_at"], name="assignment_code_at")]

    def __str__(self) -> str:
        return f"{self.inspector_id} → {self.credit_code}"


class Outcome(models.TextChoices):
    """检查结果."""

    NO_PROBLEM = "no_problem", _("No problem found")
    RECTIFICATION_ORDERED = "rectification_ordered", _("Problem found, rectification ordered")
    CASE_FILED = "case_filed", _("Problem found, case filed")
    TRANSFERRED = "transferred", _("Problem found, transferred to the competent authority")
    NOT_FOUND = "not_found", _("Entity not found at its registered address")
    CLOSED = "closed", _("Entity has ceased operating")


class Result(models.Model):
    """The result of one task, published as an ``inspection_result`` record naming the task."""

    task = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="result", verbose_name=_("task"))
    outcome = models.CharField(_("outcome"), max_length=32, choices=Outcome.choices)
    findings = models.TextField(_("findings"), blank=True)
    formed_on = models.DateField(_("result formed on"))
    record = models.OneToOneField(Record, on_delete=models.PROTECT, related_name="inspection_result",
                                  verbose_name=_("result record"))
    penalty = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
                                verbose_name=_("penalty record"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.task}: {self.get_outcome_display()}"
