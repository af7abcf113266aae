"""Agencies, staff roles, supervision records, their immutable versions and the audit trail.

Models hold data and invariants that the database itself can enforce; every state change goes
through ``disclosure.services``.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from disclosure.kinds import RecordKind
from disclosure.kinds.codes import PenaltyType as PenaltyType  # re-exported
from disclosure.kinds.codes import SubjectType as SubjectType  # re-exported


class User(AbstractUser):
    """A staff account. The project's own model from the start, so that account fields (lockout,
    phone for notices) can be added later without a painful swap; no extra fields yet."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        # Django answers yes to an active superuser whatever is asked. A system administrator acts
        # for no agency ("谁产生、谁公示、谁负责"), so a grant on an agency's object is always asked of
        # the backends (disclosure.auth.AgencyTreeBackend), which apply that rule as the selectors do.
        if obj is not None and self.is_active and perm.rpartition(".")[2] in AGENCY_PERMISSIONS:
            return any(backend.has_perm(self, perm, obj) for backend in auth.get_backends()
                       if hasattr(backend, "has_perm"))
        return super().has_perm(perm, obj)


# The object permissions granted on agencies (Agency.Meta.permissions; a grant covers the subtree).
AGENCY_PERMISSIONS = frozenset({"view_agency_records", "act_for_agency", "manage_agency_users", "audit_timeliness"})


class AgencyKind(models.TextChoices):
    GOVERNMENT = "government", _("People's government")
    DEPARTMENT = "department", _("Government department")
    DEVELOPMENT_ZONE = "development_zone", _("Development zone administration")
    INTERNAL_BODY = "internal_body", _("Internal body")
    DISPATCHED_BODY = "dispatched_body", _("Dispatched body")
    AUTHORIZED_ORG = "authorized_org", _("Organization authorized by law")


class Agency(models.Model):
    """A body that produces supervision information (Art. 7, Art. 14).

    ``path`` is a materialized path of codes (``"city/city-amr/"``): the subtree of an agency is every row
    whose path starts with its own, one indexed prefix scan, so one grant covers a subtree.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("superior agency"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("tree path"), max_length=700, unique=True, editable=False)
    is_market_regulator = models.BooleanField(
        _("is the market-regulation bureau"), default=False,
        help_text=_("The bureau that audits every agency's timeliness (Art. 5)."),
    )
    # Printed in the letters that leave the agency (the written reply, the correction decision).
    address = models.CharField(_("postal address"), max_length=200, blank=True)
    phone = models.CharField(_("contact telephone"), max_length=50, blank=True)
    # The national standard's 许可机关/处罚机关 and 数据来源单位 columns name the agency by its credit
    # code; empty until an administrator fills the real one (the auditor's completeness list shows it).
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    region_code = models.CharField(_("administrative division code"), max_length=6, blank=True,
                                   help_text=_("GB/T 2260, six digits (e.g. 211402 for Lianshan District)."))

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["path"]
        permissions = [
            ("view_agency_records", _("May read the agency's records")),
            ("act_for_agency", _("May submit and publish the agency's records")),
            ("manage_agency_users", _("May manage the agency's users")),
            ("audit_timeliness", _("May audit timeliness")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/")


class AgencyUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct-FK table for agency grants (the generic table scans at scale)."""

    content_object = models.ForeignKey(Agency, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        unique_together = [("user", "permission", "content_object")]


class AgencyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Agency, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        unique_together = [("group", "permission", "content_object")]


class Role(models.TextChoices):
    CLERK = "clerk", _("Clerk")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    AUDITOR = "auditor", _("Auditor")
    VIEWER = "viewer", _("Viewer")
    # Another platform (the provincial 互联网+监管 system, Art. 6) reading the outbound feed.
    PLATFORM = "platform", _("Receiving platform")


class StaffMembership(models.Model):
    """Which agency a user works for, and in which role. The grants that follow from it live in
    guardian's tables and are written only by ``services.users.user_create``/``membership_set``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="membership", verbose_name=_("user")
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff", verbose_name=_("agency"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.get_role_display()})"


class Disclosure(models.TextChoices):
    """公开属性 (Art. 4)."""

    PUBLIC = "public", _("Published proactively")
    ON_REQUEST = "on_request", _("Disclosed on request")
    WITHHELD = "withheld", _("Not disclosed")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CHANGED = "changed", _("Changed")
    CORRECTED = "corrected", _("Corrected")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    # Credit repair (信用修复, NDRC Order 2025 No. 36) accepted: the publication ended early.
    REPAIRED = "repaired", _("Publication ended by credit repair")


# A published record in force: shown (within its display period), and what a change, a correction,
# a revocation or the expiry applies to.
ACTIVE_STATUSES = (RecordStatus.PUBLISHED, RecordStatus.CHANGED, RecordStatus.CORRECTED)


class Severity(models.TextChoices):
    """The three classes of penalty information (NDRC Order 2025 No. 36, 轻微 / 一般 / 严重)."""

    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class PublicityClass(models.TextChoices):
    """A row of the publicity-period table: the three penalty classes and the dishonest list."""

    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")
    DISHONEST_LIST = "dishonest_list", _("Dishonest-entity list")


class CountedFrom(models.TextChoices):
    DECISION = "decision", _("the decision date")
    PUBLICATION = "publication", _("the publication date")


# The code lists live with the kinds' specs (``disclosure.kinds.codes``); re-exported here.


class RecordQuerySet(models.QuerySet["Record"]):
    def unpublished(self) -> RecordQuerySet:
        return self.filter(status=RecordStatus.DRAFT)

    def overdue(self, today: object) -> RecordQuerySet:
        """Drafts whose publication deadline has passed (the day itself is still on time)."""
        return self.unpublished().filter(due_date__lt=today)


class Record(models.Model):
    """The current state of one piece of supervision information.

    This row is a projection kept for fast reads; the truth is the chain of ``RecordVersion``
    rows, which are never updated or deleted. Only ``disclosure.services.records`` writes here.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=RecordKind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="records", verbose_name=_("agency"))
    status = models.CharField(_("status"), max_length=16, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)

    title = models.CharField(_("title"), max_length=300)
    subject_name = models.CharField(_("subject name"), max_length=200)
    subject_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)
    subject_type = models.CharField(
        _("subject type"), max_length=32, choices=SubjectType.choices, default=SubjectType.ORGANIZATION
    )
    event_date = models.DateField(_("event date"))
    content = models.TextField(_("content"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    disclosure = models.CharField(
        _("disclosure attribute"), max_length=16, choices=Disclosure.choices, default=Disclosure.PUBLIC
    )
    withheld_reason = models.TextField(_("reason for not disclosing"), blank=True)
    surprise = models.BooleanField(_("surprise inspection"), default=False)
    backfill = models.BooleanField(_("backfilled record"), default=False)
    task = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="results",
        verbose_name=_("inspection task"),
    )

    due_date = models.DateField(
        _("publication due date"), null=True, blank=True,
        help_text=_("Empty for a surprise inspection task: its plan is published with its result."),
    )
    due_provisional = models.BooleanField(
        _("due date is provisional"), default=False,
        help_text=_("The holiday calendar of a year the period touches is not loaded yet."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    on_time = models.BooleanField(_("published on time"), null=True, blank=True)
    late_working_days = models.PositiveIntegerField(_("working days late"), null=True, blank=True)
    # Working days from the event to its publication (event day not counted), fixed at
    # publication like ``late_working_days``, so that the timeliness statistics aggregate a
    # column instead of walking a calendar per row.
    latency_working_days = models.PositiveIntegerField(_("publication latency (working days)"), null=True, blank=True)
    # Art. 8 display period. For a penalty the period depends on what was imposed (see
    # disclosure.services.display), so the decision's penalty types and fine are recorded.
    # A database default too, so that bulk SQL loads (bench/, imports) need not name it.
    penalty_types = models.JSONField(
        _("penalty types"), default=list, db_default=models.Value([], output_field=models.JSONField()), blank=True
    )
    fine_amount = models.DecimalField(_("fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    expires_on = models.DateField(
        _("display period ends"), null=True, blank=True,
        help_text=_("The first day the record is no longer shown to the public (Art. 8)."),
    )
    # Severity class and publicity period (NDRC Order 2025 No. 36; ``disclosure.services.display``
    # and the rule table ``PublicityPeriod``). ``severity`` is the class in force: derived from the
    # penalty categories, unless the agency overrode it (``severity_override``, with its reason).
    # Computed at every write; ``repair_from`` (the first day credit repair may be applied for) and
    # ``expires_on`` at publication and at every change of what they depend on.
    severity = models.CharField(_("severity class"), max_length=16, choices=PublicityClass.choices, blank=True,
                                default="", db_default="")
    severity_override = models.CharField(_("severity class set by the agency"), max_length=16,
                                         choices=Severity.choices, blank=True, default="", db_default="")
    severity_reason = models.TextField(_("reason for the agency's class"), blank=True, default="", db_default="")
    repair_from = models.DateField(
        _("credit repair possible from"), null=True, blank=True,
        help_text=_("The first day the subject may apply for credit repair (the minimum publicity period has passed)."),
    )
    # Which rule table computed the three above ("<profile>@<revision>"): bookkeeping, not sealed
    # (it says when to recompute, not what was published); "" before issue 15 and for other kinds.
    publicity_rules = models.CharField(max_length=48, blank=True, default="", db_default="", editable=False)
    # The national standard's kind-specific fields (``disclosure.kinds.spec``), validated by
    # ``disclosure.services.details``; sealed in every version like the other fields.
    details = models.JSONField(
        _("standard fields"), default=dict, db_default=models.Value({}, output_field=models.JSONField()), blank=True
    )
    # Recorded before the standard's fields existed (migration 0015): publishes with what it has.
    predates_standard = models.BooleanField(_("recorded before the standard fields"), default=False, db_default=False)
    # What the standard requires that the record lacks (field names), kept at every write: the
    # auditor's completeness list reads it. Empty for a complete record.
    standard_missing = models.JSONField(
        _("standard fields missing"), default=list, db_default=models.Value([], output_field=models.JSONField()),
        blank=True,
    )
    # The subject's own words about the record (当事人陈述), as the agency accepted them, and the day
    # the subject made the statement; a newer accepted statement replaces them. Sealed in every
    # version, set only by ``services.records.record_statement``; masked where they leave.
    subject_statement = models.TextField(_("subject's statement"), blank=True, default="", db_default="")
    subject_statement_on = models.DateField(_("statement made on"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision record")
        verbose_name_plural = _("supervision records")
        indexes = [
            models.Index(fields=["agency", "status", "due_date"], name="record_agency_status_due"),
            models.Index(fields=["status", "due_date"], name="record_status_due"),
            models.Index(fields=["kind", "status"], name="record_kind_status"),
            models.Index(fields=["status", "expires_on"], name="record_status_expires"),
            # The incremental deadline sweep rechecks drafts changed since its previous run.
            models.Index(fields=["updated_at"], name="record_draft_updated", condition=models.Q(status="draft")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(disclosure=Disclosure.WITHHELD) | ~models.Q(withheld_reason=""),
                name="record_withheld_needs_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(surprise=False) | models.Q(kind=RecordKind.INSPECTION_TASK),
                name="record_surprise_only_for_tasks",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class VersionAction(models.TextChoices):
    CREATE = "create", _("Created")
    EDIT = "edit", _("Draft edited")
    PUBLISH = "publish", _("Published")
    CHANGE = "change", _("Changed")
    CORRECT = "correct", _("Corrected")
    REVOKE = "revoke", _("Revoked")
    EXPIRE = "expire", _("Expired")
    RECOMPUTE = "recompute", _("Deadline recomputed")  # a holiday notice loaded for a provisional year
    RECLASSIFY = "reclassify", _("Publicity period recomputed")  # the publicity rule table changed
    # The subject's statement (当事人陈述), checked by the agency, shown beside the record.
    STATEMENT = "statement", _("Subject's statement")
    REPAIR = "repair", _("Credit repair")  # an accepted credit-repair application ends the publication


class RecordVersion(models.Model):
    """One immutable state of a record. Database triggers refuse UPDATE and DELETE."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version number"))
    action = models.CharField(_("action"), max_length=16, choices=VersionAction.choices)
    status = models.CharField(_("status"), max_length=16, choices=RecordStatus.choices)
    data = models.JSONField(_("content snapshot"))
    digest = models.CharField(_("SHA-256 of the snapshot"), max_length=64)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("reason"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("record version")
        verbose_name_plural = _("record versions")
        ordering = ["record_id", "number"]
        constraints = [models.UniqueConstraint(fields=["record", "number"], name="version_unique_number")]

    def __str__(self) -> str:
        return f"#{self.record_id} v{self.number} {self.action}"


class AuditAction(models.TextChoices):
    """What an audit entry of disclosure records. A record's entries are ``record.`` and its
    version's action; the other apps register their own (``services.audit.audit_actions_register``)."""

    # A record's entries read as its versions do (``VersionAction``).
    RECORD_CREATE = "record.create", _("Created")
    RECORD_EDIT = "record.edit", _("Draft edited")
    RECORD_PUBLISH = "record.publish", _("Published")
    RECORD_CHANGE = "record.change", _("Changed")
    RECORD_CORRECT = "record.correct", _("Corrected")
    RECORD_REVOKE = "record.revoke", _("Revoked")
    RECORD_EXPIRE = "record.expire", _("Expired")
    RECORD_RECOMPUTE = "record.recompute", _("Deadline recomputed")
    RECORD_RECLASSIFY = "record.reclassify", _("Publicity period recomputed")
    RECORD_STATEMENT = "record.statement", _("Subject's statement")
    RECORD_REPAIR = "record.repair", _("Credit repair")
    BACKFILL_IMPORT = "backfill.import", _("Records imported (backfill)")
    DEADLINE_RECOMPUTE = "deadline.recompute", _("Deadline recomputed")
    CORRECTION_SUBMIT = "request.correction.submit", _("Correction request received")
    CORRECTION_ACCEPTED = "request.correction.accepted", _("Correction request accepted")
    CORRECTION_REJECTED = "request.correction.rejected", _("Correction request rejected")
    QUERY_SUBMIT = "request.query.submit", _("Query received")
    QUERY_ANSWERED = "request.query.answered", _("Query answered")
    STATEMENT_SUBMIT = "request.statement.submit", _("Subject's statement received")
    STATEMENT_ACCEPTED = "request.statement.accepted", _("Subject's statement accepted")
    STATEMENT_REJECTED = "request.statement.rejected", _("Subject's statement rejected")
    REPAIR_SUBMIT = "request.repair.submit", _("Credit repair application received")
    REPAIR_ACCEPTED = "request.repair.accepted", _("Credit repair application accepted")
    REPAIR_REJECTED = "request.repair.rejected", _("Credit repair application rejected")
    REQUEST_ANSWER = "request.answer", _("Request answered")
    USER_CREATE = "user.create", _("Staff account created")
    USER_ROLE = "user.role", _("Staff role changed")
    USER_MEMBERSHIP = "user.membership", _("Staff membership changed")
    AGENCY_LOAD = "agency.load", _("Agency tree loaded")
    CREDIT_CODE_WHITELIST = "credit_code.whitelist", _("Legacy credit code whitelisted")
    FEED_PUSH_RESET = "feed_push.reset", _("Feed push backoff reset")
    PUBLICITY_RULES = "publicity.rules", _("Publicity rule table changed")

    @classmethod
    def of_record(cls, action: str) -> AuditAction:
        """The entry of a record's version action (``VersionAction``)."""
        return cls(f"record.{action}")


class AuditOutcome(models.TextChoices):
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


class AuditEntry(models.Model):
    """Append-only, hash-chained audit trail.

    ``hash = SHA-256(prev_hash + canonical JSON of this entry)``; ``manage.py verify_audit``
    recomputes the chain. Database triggers refuse UPDATE and DELETE.
    """

    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64)
    outcome = models.CharField(_("outcome"), max_length=16, choices=AuditOutcome.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    agency_code = models.CharField(_("agency"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.pk} {self.action} {self.object_type}:{self.object_id} ({self.outcome})"


class AuditChainHead(models.Model):
    """The single row naming the newest audit entry. Appending locks it, so the chain stays
    linear under concurrent writers, and it lets ``verify_audit`` notice a deleted tail."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_entry_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"head: entry {self.last_entry_id}"


class CreditCodeWhitelist(models.Model):
    """A legally issued legacy code that fails the GB 32100 check; an administrator vouches for it."""

    code = models.CharField(_("code"), max_length=18, unique=True)
    reason = models.TextField(_("why it is legitimate"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("whitelisted credit code")
        verbose_name_plural = _("whitelisted credit codes")

    def __str__(self) -> str:
        return self.code


# -- the public side: outbound feed (Art. 6), citizens' corrections (Art. 10) and queries (Art. 11) --
class PublicityProfile(models.Model):
    """One document's publicity rules (NDRC Order 2025 No. 36 by default, SAMR Order 45 for the
    enterprise credit publicity system, …): rule data an administrator switches in the admin.
    Exactly one profile is in force; its rows are ``PublicityPeriod`` and ``PenaltyClassRule``."""

    code = models.SlugField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("in force"), default=False)
    # Bumped at every change of the profile or its rows: a record stamped with another revision
    # (``Record.publicity_rules``) is recomputed by the next ``recompute_publicity`` run.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    # A decision that only warns, criticises or fines at or under this amount is minor. The
    # threshold is provincial; empty: no fine counts as low.
    low_fine_person_yuan = models.DecimalField(_("low fine for a natural person (yuan)"), max_digits=14,
                                               decimal_places=2, null=True, blank=True)
    low_fine_organization_yuan = models.DecimalField(_("low fine for an organization (yuan)"), max_digits=14,
                                                     decimal_places=2, null=True, blank=True)
    simple_procedure_shown = models.BooleanField(
        _("simple-procedure decisions shown"), default=True,
        help_text=_("A simple-procedure decision is minor; off: it is not shown at all."))
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("publicity profile")
        verbose_name_plural = _("publicity profiles")
        ordering = ["-active", "code"]
        constraints = [models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                               name="publicity_one_profile_in_force")]

    def __str__(self) -> str:
        return self.name


class PublicityPeriod(models.Model):
    """How long a class of records is shown: the minimum (credit repair possible after it) and
    the maximum (the publication ends by itself), in months, and whether it is shown at all."""

    profile = models.ForeignKey(PublicityProfile, on_delete=models.CASCADE, related_name="periods",
                                verbose_name=_("profile"))
    publicity_class = models.CharField(_("class"), max_length=16, choices=PublicityClass.choices)
    min_months = models.PositiveSmallIntegerField(_("minimum period (months)"))
    max_months = models.PositiveSmallIntegerField(_("maximum period (months)"))
    counted_from = models.CharField(_("counted from"), max_length=16, choices=CountedFrom.choices,
                                    default=CountedFrom.DECISION)
    shown = models.BooleanField(_("shown"), default=True)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("publicity period")
        verbose_name_plural = _("publicity periods")
        ordering = ["profile", "publicity_class"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "publicity_class"], name="publicity_period_once"),
            models.CheckConstraint(condition=models.Q(min_months__lte=models.F("max_months")),
                                   name="publicity_period_min_le_max"),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.publicity_class}: {self.min_months}-{self.max_months}"


class PenaltyClassRule(models.Model):
    """Which class a penalty category (Administrative Penalty Law Art. 9) falls in; the heaviest
    category of a decision decides its class."""

    profile = models.ForeignKey(PublicityProfile, on_delete=models.CASCADE, related_name="penalty_classes",
                                verbose_name=_("profile"))
    penalty_type = models.CharField(_("penalty type"), max_length=32, choices=PenaltyType.choices)
    severity = models.CharField(_("class"), max_length=16, choices=Severity.choices)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("penalty class")
        verbose_name_plural = _("penalty classes")
        ordering = ["profile", "penalty_type"]
        constraints = [models.UniqueConstraint(fields=["profile", "penalty_type"], name="penalty_class_once")]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.penalty_type}: {self.severity}"


class FeedHead(models.Model):
    """The single row naming the last feed position. Appending an event locks it inside the
    transaction that changes the record, so positions are gap-free and become visible in order:
    position N+1 cannot commit before position N (the lock is held until N's commit)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_position = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("feed head")

    def __str__(self) -> str:
        return f"feed head: {self.last_position}"


class FeedEvent(models.Model):
    """One publish/change/correct/statement/revoke/expire of a publicly disclosed record, in commit order.

    The payload is not stored here: it is the masked payload of that version in the record's public
    projection (``PublicRecord.history``), so a better masking rule (``reindex_public``) also covers
    what was appended before it improved, and a record that left the public view sends nothing.
    """

    position = models.BigIntegerField(_("position"), primary_key=True)
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="feed_events")
    version = models.OneToOneField(RecordVersion, on_delete=models.PROTECT, related_name="feed_event")
    action = models.CharField(_("action"), max_length=16, choices=VersionAction.choices)
    public = models.BooleanField(_("public after the event"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("feed event")
        verbose_name_plural = _("feed events")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position} {self.action} #{self.record_id}"


class FeedPush(models.Model):
    """The single row of push delivery (Art. 6, ``services.feed_push``): how far the receiver at
    ``FEED_PUSH_URL`` has acknowledged, the last failure and when to try again, and the lease of the
    one worker delivering now. A worker claims the row with a conditional UPDATE (no lease, or an
    expired one, and no backoff pending) before it sends anything; a killed worker's lease expires
    and the next worker resumes from ``acknowledged_position``."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    acknowledged_position = models.BigIntegerField(_("acknowledged position"), default=0)
    last_success_at = models.DateTimeField(_("last acknowledgement"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    last_error_position = models.BigIntegerField(_("position of the last error"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt not before"), null=True, blank=True)
    lease_owner = models.CharField(_("delivering worker"), max_length=64, blank=True)
    lease_until = models.DateTimeField(_("lease expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("feed push delivery")
        verbose_name_plural = _("feed push delivery")

    def __str__(self) -> str:
        return str(_("Push delivery: acknowledged up to position %(position)d")
                   % {"position": self.acknowledged_position})


class PublicRecord(models.Model):
    """What the public may see of one record, computed once, masked, when the record enters,
    changes in or leaves the public view (``services.projection``). The portal, the public API,
    the entity pages and the feed read only this; nothing public is computed from raw text at
    request time. A row exists for every record that has ever been public: ``listed`` while it is
    in search, ``page`` while its own page answers (listed, or revoked until its display period
    ends); a record that left the public view keeps its row, neither, for the feed's history.

    ``search_head`` (title, subject, credit code, document number) and ``search_body`` (legal
    basis, content) are the tokens of the masked text (``disclosure.search_tokens``). PostgreSQL
    keeps a generated ``tsvector`` column over them with a GIN index, SQLite an FTS5 table kept by
    triggers (migration 0008): neither is a model field.
    """

    record = models.OneToOneField(Record, primary_key=True, on_delete=models.PROTECT, related_name="public")
    listed = models.BooleanField(_("in search"), default=True)
    page = models.BooleanField(_("own page shown"), default=True)
    kind = models.CharField(_("kind"), max_length=32, choices=RecordKind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    status = models.CharField(_("status"), max_length=16, choices=RecordStatus.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    subject_name = models.CharField(_("subject name"), max_length=200)
    subject_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    subject_type = models.CharField(_("subject type"), max_length=32, choices=SubjectType.choices)
    event_date = models.DateField(_("event date"))
    content = models.TextField(_("content"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    penalty_types = models.JSONField(_("penalty types"), default=list, blank=True)
    fine_amount = models.DecimalField(_("fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    # The public standard fields, masked (never-public ones never reach here).
    details = models.JSONField(_("standard fields"), default=dict, blank=True,
                               db_default=models.Value({}, output_field=models.JSONField()))
    task = models.BigIntegerField(_("inspection task"), null=True, blank=True)  # the task's record id
    published_at = models.DateTimeField(_("published at"))
    expires_on = models.DateField(_("shown until (exclusive)"), null=True, blank=True)
    severity = models.CharField(_("severity class"), max_length=16, choices=PublicityClass.choices, blank=True,
                                default="", db_default="")
    repair_from = models.DateField(_("credit repair possible from"), null=True, blank=True)
    # The public history (publish, change, correct, revoke), masked, oldest first; each entry also
    # carries the masked payload of that version, which the feed sends.
    history = models.JSONField(_("public history"), default=list)
    # The subject's statement, masked like the record's texts; never searched (the subject's words,
    # not the agency's record): it is in neither search column.
    subject_statement = models.TextField(_("subject's statement"), blank=True, default="", db_default="")
    subject_statement_on = models.DateField(_("statement made on"), null=True, blank=True)
    search_head = models.TextField(blank=True)
    search_body = models.TextField(blank=True)
    projected_at = models.DateTimeField(_("projected at"))

    class Meta:
        verbose_name = _("public record")
        verbose_name_plural = _("public records")
        indexes = [
            models.Index(fields=["-published_at", "-record"], name="public_newest", condition=models.Q(listed=True)),
            models.Index(fields=["subject_code", "event_date"], name="public_entity"),
            models.Index(fields=["document_number"], name="public_document_number"),
            models.Index(fields=["agency", "-published_at"], name="public_agency_newest",
                         condition=models.Q(listed=True)),
            models.Index(fields=["kind", "-published_at"], name="public_kind_newest", condition=models.Q(listed=True)),
        ]

    def __str__(self) -> str:
        return f"public #{self.record_id} v{self.version}"


class RequestKind(models.TextChoices):
    CORRECTION = "correction", _("Correction request")
    QUERY = "query", _("Query")
    STATEMENT = "statement", _("Subject's statement")  # 当事人陈述: shown beside the record once checked
    REPAIR = "repair", _("Credit repair application")  # 信用修复申请 (NDRC Order 2025 No. 36)


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    ANSWERED = "answered", _("Answered")


OPEN_REQUEST_STATUSES = (RequestStatus.OPEN,)


class RequestQuerySet(models.QuerySet["CitizenRequest"]):
    def open(self) -> RequestQuerySet:
        """Requests still waiting for the agency's answer (the deadline sweep reads these)."""
        return self.filter(status__in=OPEN_REQUEST_STATUSES)


class CitizenRequest(models.Model):
    """A citizen's correction request (Art. 10) or query (Art. 11), the subject's statement about
    a published record (当事人陈述, shown beside it once the agency has checked it), or a subject's
    credit-repair application (信用修复, NDRC Order 2025 No. 36: ``text`` is its written credit
    commitment, the evidence proves the decision's duties performed), addressed to one agency.

    The requester's name and contact are for the agency only: no public output carries them.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="requests", verbose_name=_("agency"))
    record = models.ForeignKey(
        Record, null=True, blank=True, on_delete=models.PROTECT, related_name="requests", verbose_name=_("record")
    )
    tracking_code = models.CharField(_("tracking code"), max_length=32, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    requester_name = models.CharField(_("requester"), max_length=100)
    contact = models.CharField(_("contact"), max_length=200)
    text = models.TextField(_("description or question"))
    received_on = models.DateField(_("received on"))
    due_date = models.DateField(_("reply due date"))
    due_provisional = models.BooleanField(_("due date is provisional"), default=False)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("answered by"),
    )
    reply = models.TextField(_("reply"), blank=True)
    reply_number = models.CharField(_("reply document number"), max_length=100, blank=True)
    correction_version = models.ForeignKey(
        RecordVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("corrected version"),
    )
    # An accepted statement's ``statement`` version: the one that put it beside the record.
    statement_version = models.ForeignKey(
        RecordVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("version showing the statement"),
    )
    # The ``repair`` version an accepted credit-repair application made (the one that ended the
    # publication). A field of its own rather than ``correction_version``: a repair corrects
    # nothing, and the API names each link for what it is (``corrected_version``, ``repair_version``).
    repair_version = models.ForeignKey(
        RecordVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("version that ended the publication (credit repair)"),
    )

    objects = RequestQuerySet.as_manager()

    class Meta:
        db_table = "disclosure_request"  # the model's name before it was CitizenRequest (migration 0013)
        verbose_name = _("citizen request")
        verbose_name_plural = _("citizen requests")
        indexes = [models.Index(fields=["agency", "status", "due_date"], name="request_agency_status_due"),
                   models.Index(fields=["status", "due_date"], name="request_status_due"),
                   # The incremental deadline sweep rechecks open requests changed since its last run.
                   models.Index(fields=["updated_at"], name="request_open_updated",
                                condition=models.Q(status="open"))]
        constraints = [
            # Every kind but a query names its record: a correction, a statement, a credit repair
            # (the name is the constraint's first use; the condition covers every kind added since).
            models.CheckConstraint(
                condition=models.Q(kind="query") | models.Q(record__isnull=False), name="request_correction_has_record"
            ),
            # One statement at a time waits for the agency's check, per record.
            models.UniqueConstraint(fields=["record"], condition=models.Q(kind="statement", status="open"),
                                    name="request_one_open_statement"),
            # One open credit-repair application per record: the service refuses a second one
            # with a reason, and this keeps two submitted at the same moment from both getting in.
            models.UniqueConstraint(fields=["record"], condition=models.Q(kind="repair", status="open"),
                                    name="request_one_open_repair"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.tracking_code}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES


class Evidence(models.Model):
    """A file a requester sent with a correction request or a credit-repair application, checked
    before it was stored."""

    request = models.ForeignKey(CitizenRequest, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


# -- Verification of the audit trail (verify_audit): checkpoints and the record of runs ----------
class AuditCheckpoint(models.Model):
    """A point up to which a run of ``verify_audit`` found the trail intact. A later run with
    ``--resume`` recomputes the chain from the newest checkpoint instead of from the genesis,
    after checking that the checkpoint's entry still carries the hash recorded here."""

    entry_id = models.BigIntegerField(unique=True)
    hash = models.CharField(max_length=64)
    versions = models.BigIntegerField()  # record versions sealed by entries 1..entry_id
    at = models.DateTimeField()

    class Meta:
        ordering = ["-entry_id"]

    def __str__(self) -> str:
        return f"checkpoint {self.entry_id}:{self.hash}"


class AuditCheck(models.Model):
    """One run of ``verify_audit`` (by hand or by the nightly beat job); ``/health/`` shows the newest."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    ok = models.BooleanField()
    resumed_from = models.BigIntegerField(null=True, blank=True)  # checkpoint entry id, None for a full run
    entries = models.BigIntegerField(default=0)
    versions = models.BigIntegerField(default=0)
    records = models.BigIntegerField(default=0)
    head_entry_id = models.BigIntegerField(null=True, blank=True)
    head_hash = models.CharField(max_length=64, blank=True)
    problems = models.PositiveIntegerField(default=0)
    first_broken = models.CharField(max_length=200, blank=True)
    first_problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-finished_at", "-id"]
        indexes = [models.Index(fields=["-finished_at"], name="audit_check_newest")]

    def __str__(self) -> str:
        return f"audit check {self.finished_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'broken'}"


# -- The timeliness rollup (reports' statistics read it; disclosure.services.rollup keeps it) ------
class RollupState(models.IntegerChoices):
    """The class a counted record is in, apart from "overdue or pending": that depends on the day
    the figures are judged, so a draft is counted as a draft with its due date, and the read
    compares the due date with today."""

    ON_TIME = 1, "on time"
    LATE = 2, "late"
    DRAFT = 3, "draft"
    OTHER = 4, "other"  # neither published nor a draft (no service writes one): counted in "due" only
    BACKFILL = 5, "backfill"  # counted apart, whatever its class


class RollupSpan(models.TextChoices):
    DAY = "d", "due day"
    MONTH = "m", "due month"  # ``due`` is the month's first day
    YEAR = "y", "due year"  # ``due`` is January 1st


class TimelinessRollup(models.Model):
    """How many records share what the timeliness statistics group by: agency, kind, due day (and,
    in a second copy, due month), class, latency and working days late. Bounded by agencies x kinds
    x days x distinct latencies, never by the number of records (and a third copy per due year: a
    year is read from one row per key); kept exact inside the transaction
    of every record write (``disclosure.services.rollup``), rebuilt by
    ``manage.py rebuild_timeliness_rollup``. A row may hold ``n = 0`` after its last record moved
    out; readers skip it."""

    span = models.CharField(max_length=1, choices=RollupSpan.choices)
    due = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")  # indexed: the rebuild's unit
    kind = models.CharField(max_length=32, choices=RecordKind.choices)
    state = models.PositiveSmallIntegerField(choices=RollupState.choices)
    latency = models.IntegerField()  # latency_working_days, -1 when empty
    late_days = models.IntegerField()  # late_working_days of a late record, else 0
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # The conflict target of the upsert, and the index a read by (span, due range) walks;
            # on PostgreSQL it also carries ``n`` (INCLUDE, migration 0015): reads are index-only.
            models.UniqueConstraint(fields=["span", "due", "agency", "kind", "state", "latency", "late_days"],
                                    name="timeliness_rollup_key"),
        ]

    def __str__(self) -> str:
        key = f"{self.span}{self.due} {self.agency_id} {self.kind} {self.state}/{self.latency}/{self.late_days}"
        return f"{key}: {self.n}"


# -- backfill (补录, Art. 7): the import ledger ----------------------------------------------------
class BackfillBatch(models.Model):
    """One committed backfill import (补录, Art. 7): who, which file, how many rows."""

    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("imported at"))
    rows = models.PositiveIntegerField(_("rows"))
    created = models.PositiveIntegerField(_("records created"))
    published = models.PositiveIntegerField(_("records published"))
    skipped = models.PositiveIntegerField(_("rows skipped (already imported)"))

    class Meta:
        db_table = "inspections_backfillbatch"  # the app it was first written in (migration 0014)
        verbose_name = _("backfill import")
        verbose_name_plural = _("backfill imports")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d})"


class BackfillItem(models.Model):
    """Which record an external id became: the key that makes a re-run import nothing twice."""

    external_id = models.CharField(_("external id"), max_length=100, unique=True)
    batch = models.ForeignKey(BackfillBatch, on_delete=models.PROTECT, related_name="items")
    record = models.OneToOneField(Record, on_delete=models.PROTECT, related_name="backfill_item")

    class Meta:
        db_table = "inspections_backfillitem"
        verbose_name = _("backfilled record")
        verbose_name_plural = _("backfilled records")

    def __str__(self) -> str:
        return self.external_id


# -- the public transparency log (RFC 9162 Merkle tree over the feed) ------------------------------
class TransparencyLeaf(models.Model):
    """One feed event as the public saw it when it was appended: ``content`` is the canonical JSON
    (``backend.canonical``) of the event's public projection, frozen in the event's transaction;
    ``hash`` is RFC 9162's leaf hash ``SHA-256(0x00 ‖ content)``. ``index`` is the event's position
    minus one: the log has one leaf per feed event, in feed order. Append-only (triggers)."""

    index = models.BigIntegerField(_("leaf index"), primary_key=True)
    event = models.OneToOneField(FeedEvent, on_delete=models.PROTECT, related_name="leaf", db_column="position")
    content = models.BinaryField(_("leaf bytes"))
    hash = models.BinaryField(_("leaf hash"), max_length=32)

    class Meta:
        verbose_name = _("transparency log leaf")
        verbose_name_plural = _("transparency log leaves")
        ordering = ["index"]

    def __str__(self) -> str:
        return f"leaf {self.index}"


class TransparencyNode(models.Model):
    """The hash of one completed perfect subtree of the log: ``2^level`` leaves from leaf
    ``index · 2^level`` (level ≥ 1; leaves keep their own hash). Written once, by the append that
    completes it; ``key`` is ``merkle.node_key(level, index)``. Append-only (triggers)."""

    key = models.BigIntegerField(_("key"), primary_key=True)
    level = models.PositiveSmallIntegerField(_("level"))
    index = models.BigIntegerField(_("index"))
    hash = models.BinaryField(_("hash"), max_length=32)

    class Meta:
        verbose_name = _("transparency log node")
        verbose_name_plural = _("transparency log nodes")

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class TransparencyKey(models.Model):
    """Every Ed25519 public key that has signed a tree head, kept forever so that heads signed
    before a key rotation stay verifiable. ``key_id`` is base64(SHA-256(DER SubjectPublicKeyInfo)),
    the RFC 6962 log id of the key. Append-only (triggers)."""

    key_id = models.CharField(_("key id"), max_length=44, primary_key=True)
    public_key = models.BinaryField(_("public key (32 bytes)"), max_length=32)
    first_used = models.DateTimeField(_("first used"))

    class Meta:
        verbose_name = _("transparency signing key")
        verbose_name_plural = _("transparency signing keys")
        ordering = ["first_used"]

    def __str__(self) -> str:
        return self.key_id


class SignedTreeHead(models.Model):
    """A signed tree head: the log's size and root hash at ``timestamp`` (whole milliseconds; served
    and signed as ISO 8601 in Asia/Shanghai, ``selectors.transparency.head_time``), signed twice with
    one key: ``signature`` over the canonical JSON ``{key_id, root_hash, timestamp, tree_size}``,
    ``note_signature`` over the C2SP checkpoint text (``origin``, size, root: no time). Kept forever;
    one per (size, key). Append-only (triggers)."""

    tree_size = models.BigIntegerField(_("tree size"))
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    timestamp = models.DateTimeField(_("timestamp"))
    key = models.ForeignKey(TransparencyKey, on_delete=models.PROTECT, related_name="heads", db_column="key_id")
    signature = models.BinaryField(_("signature"), max_length=64)
    origin = models.CharField(_("checkpoint origin"), max_length=200)
    note_signature = models.BinaryField(_("checkpoint signature"), max_length=64)

    class Meta:
        verbose_name = _("signed tree head")
        verbose_name_plural = _("signed tree heads")
        ordering = ["-tree_size", "-timestamp"]
        constraints = [models.UniqueConstraint(fields=["tree_size", "key"], name="sth_one_per_size_and_key")]
        indexes = [models.Index(fields=["-tree_size", "-timestamp"], name="sth_newest")]

    def __str__(self) -> str:
        return f"tree head {self.tree_size}"


class OpenDataState(models.TextChoices):
    RUNNING = "running", _("being made")
    DONE = "done", _("available")
    FAILED = "failed", _("failed")


class OpenDataDump(models.Model):
    """One day's open-data dump (README "Open data", ``services.open_data``): everything public that
    day, one CSV and one JSON file per dataset. A worker claims the day (inserts its row, or takes
    over a row whose lease has expired) before it writes anything, so two workers running the beat
    job at once make the dump once. ``files``: ``{name: {"dataset", "format", "bytes", "rows",
    "sha256"}}``, filled when the dump is done."""

    day = models.DateField(_("day"), unique=True)
    state = models.CharField(_("state"), max_length=16, choices=OpenDataState.choices, default=OpenDataState.RUNNING)
    files = models.JSONField(_("files"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    lease_owner = models.CharField(_("claimed by"), max_length=100, blank=True)
    lease_until = models.DateTimeField(_("lease expires"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("open-data dump")
        verbose_name_plural = _("open-data dumps")

    def __str__(self) -> str:
        return f"open data {self.day:%Y-%m-%d} ({self.state})"
