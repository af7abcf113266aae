"""The directory of inspected entities and the inspector pools: create, update, leave, import,
and declared conflicts of interest."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, ConflictError
from disclosure.credit_code import normalize_credit_code
from disclosure.models import Agency, CreditCodeWhitelist, User
from disclosure.selectors.access import ACT, agencies_for
from disclosure.selectors.credit_codes import credit_code_error
from disclosure.services.access import access_check
from disclosure.services.audit import audit_append
from disclosure.tabular import RowError, read_table
from inspections.models import Conflict, Entity, InspectionAction, Inspector, RiskLevel

ENTITY_FIELDS = ("name", "address", "industry", "risk_level")

# Risk levels as people write them in a spreadsheet: the code or the Chinese word.
RISK_ALIASES = {
    **{level.value: level.value for level in RiskLevel},
    "低": RiskLevel.LOW, "低风险": RiskLevel.LOW, "中": RiskLevel.MEDIUM, "中风险": RiskLevel.MEDIUM,
    "高": RiskLevel.HIGH, "高风险": RiskLevel.HIGH,
}


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "skipped": self.skipped,
                "dry_run": self.dry_run, "errors": [e.as_dict() for e in self.errors]}


def _entity_errors(values: dict[str, Any], whitelist: set[str] | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("name", "industry"):
        if not (values.get(name) or "").strip():
            errors[name] = [_("This field is required.")]
    if "credit_code" in values:
        problem = credit_code_error(values["credit_code"], whitelist)
        if problem:
            errors["credit_code"] = [problem]
    if "risk_level" in values and values["risk_level"] not in RiskLevel.values:
        errors["risk_level"] = [_("Unknown risk level %(value)s; expected one of: %(values)s.") % {
            "value": values["risk_level"], "values": ", ".join(RiskLevel.values)}]
    return errors


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    if "credit_code" in out:
        out["credit_code"] = normalize_credit_code(out["credit_code"] or "")
    if "risk_level" in out:
        out["risk_level"] = RISK_ALIASES.get(out["risk_level"], out["risk_level"])
    return out


# -- entities -------------------------------------------------------------------------------------
def entity_create(*, actor: User, agency: Agency, values: dict[str, Any]) -> Entity:
    """Add an entity to ``agency``'s directory (name, credit code, address, industry, risk level)."""
    access_check(actor=actor, agency=agency, action=InspectionAction.ENTITY_CREATE, object_type="entity", creating=True)
    values = _clean(values)
    errors = _entity_errors({"address": "", **values})
    if errors:
        raise ApplicationError(_("Invalid input."), errors)
    with transaction.atomic():
        if Entity.objects.filter(agency=agency, credit_code=values["credit_code"]).exists():
            raise ConflictError(_("This entity is already in the directory."),
                                {"credit_code": [_("Already in the directory of this agency.")]})
        now = timezone.now()
        entity = Entity.objects.create(agency=agency, created_at=now, updated_at=now, **values)
        audit_append(actor=actor, action=InspectionAction.ENTITY_CREATE, object_type="entity", object_id=entity.pk,
                     agency_code=agency.code, detail={"credit_code": entity.credit_code})
    return entity


def entity_update(*, actor: User, entity: Entity, values: dict[str, Any]) -> Entity:
    """Change an entity's name, address, industry or risk level (the credit code identifies it).

    A draw already made keeps its own copy of the eligible list; ``verify_draw`` reports an
    eligible entity changed after the draw by name.
    """
    access_check(actor=actor, agency=entity.agency, action=InspectionAction.ENTITY_UPDATE,
                 object_type="entity", object_id=entity.pk)
    unknown = sorted(set(values) - set(ENTITY_FIELDS))
    if unknown:
        raise ApplicationError(_("Invalid input."), {f: [_("This field cannot be changed.")] for f in unknown})
    values = _clean(values)
    errors = {k: v for k, v in _entity_errors({**{f: getattr(entity, f) for f in ENTITY_FIELDS}, **values}).items()
              if k in values}
    if errors:
        raise ApplicationError(_("Invalid input."), errors)
    with transaction.atomic():
        before = {f: getattr(entity, f) for f in values}
        for name, value in values.items():
            setattr(entity, name, value)
        entity.updated_at = timezone.now()
        entity.save()
        audit_append(actor=actor, action=InspectionAction.ENTITY_UPDATE, object_type="entity", object_id=entity.pk,
                     agency_code=entity.agency.code, detail={"before": before, "after": values})
    return entity


def entity_deactivate(*, actor: User, entity: Entity) -> Entity:
    """Take an entity out of the directory from now on (it stays for the draws it was part of)."""
    access_check(actor=actor, agency=entity.agency, action=InspectionAction.ENTITY_DEACTIVATE, object_type="entity",
                 object_id=entity.pk)
    if entity.deactivated_at is not None:
        raise ConflictError(_("This entity has already left the directory."), {})
    with transaction.atomic():
        entity.deactivated_at = timezone.now()
        entity.save(update_fields=["deactivated_at"])
        audit_append(actor=actor, action=InspectionAction.ENTITY_DEACTIVATE, object_type="entity", object_id=entity.pk,
                     agency_code=entity.agency.code)
    return entity


# -- inspectors -------------------------------------------------------------------------------------
def inspector_create(*, actor: User, agency: Agency, name: str, badge_number: str) -> Inspector:
    """Add an inspector to ``agency``'s pool."""
    access_check(actor=actor, agency=agency, action=InspectionAction.INSPECTOR_CREATE,
                 object_type="inspector", creating=True)
    name, badge_number = name.strip(), badge_number.strip()
    errors = {k: [_("This field is required.")] for k, v in (("name", name), ("badge_number", badge_number)) if not v}
    if errors:
        raise ApplicationError(_("Invalid input."), errors)
    with transaction.atomic():
        if Inspector.objects.filter(agency=agency, badge_number=badge_number).exists():
            raise ConflictError(_("This inspector is already in the pool."),
                                {"badge_number": [_("Already in the pool of this agency.")]})
        inspector = Inspector.objects.create(agency=agency, name=name, badge_number=badge_number,
                                             created_at=timezone.now())
        audit_append(actor=actor, action=InspectionAction.INSPECTOR_CREATE,
                     object_type="inspector", object_id=inspector.pk,
                     agency_code=agency.code, detail={"badge_number": badge_number})
    return inspector


def inspector_deactivate(*, actor: User, inspector: Inspector) -> Inspector:
    """Take an inspector out of the pool from now on."""
    access_check(actor=actor, agency=inspector.agency, action=InspectionAction.INSPECTOR_DEACTIVATE,
                 object_type="inspector",
                 object_id=inspector.pk)
    if inspector.deactivated_at is not None:
        raise ConflictError(_("This inspector has already left the pool."), {})
    with transaction.atomic():
        inspector.deactivated_at = timezone.now()
        inspector.save(update_fields=["deactivated_at"])
        audit_append(actor=actor, action=InspectionAction.INSPECTOR_DEACTIVATE,
                     object_type="inspector", object_id=inspector.pk,
                     agency_code=inspector.agency.code)
    return inspector


def conflict_declare(*, actor: User, inspector: Inspector, credit_code: str, reason: str) -> Conflict:
    """Declare that ``inspector`` has an interest in the entity with ``credit_code`` (回避)."""
    access_check(actor=actor, agency=inspector.agency, action=InspectionAction.CONFLICT_DECLARE,
                 object_type="inspector",
                 object_id=inspector.pk)
    code = normalize_credit_code(credit_code)
    errors: dict[str, list[str]] = {}
    problem = credit_code_error(code)
    if problem:
        errors["credit_code"] = [problem]
    if not reason.strip():
        errors["reason"] = [_("This field is required.")]
    if errors:
        raise ApplicationError(_("Invalid input."), errors)
    with transaction.atomic():
        conflict, created = Conflict.objects.get_or_create(
            inspector=inspector, credit_code=code,
            defaults={"reason": reason.strip(), "declared_at": timezone.now(), "declared_by": actor},
        )
        if not created:
            raise ConflictError(_("This conflict of interest is already declared."), {})
        audit_append(actor=actor, action=InspectionAction.CONFLICT_DECLARE,
                     object_type="inspector", object_id=inspector.pk,
                     agency_code=inspector.agency.code, detail={"credit_code": code})
    return conflict


# -- bulk import ------------------------------------------------------------------------------------
def _scope(actor: User) -> dict[str, Agency]:
    return {a.code: a for a in agencies_for(actor, ACT)}


def _agency_error(code: str, scope: dict[str, Agency]) -> str | None:
    if not code:
        return _("This field is required.")
    if code not in scope:
        if Agency.objects.filter(code=code).exists():
            return _("You may not act for agency %(code)s.") % {"code": code}
        return _("No agency has the code %(code)s.") % {"code": code}
    return None


def entities_import(*, actor: User, file_name: str, data: bytes, dry_run: bool = False) -> ImportReport:
    """Import entities from CSV/XLSX (columns ``agency, name, credit_code, address, industry,
    risk_level``): all rows or none; an entity already present with the same values is skipped,
    one with other values is updated."""
    table = read_table(file_name, data, required=("agency", "name", "credit_code", "industry", "risk_level"))
    scope = _scope(actor)
    whitelist = set(CreditCodeWhitelist.objects.values_list("code", flat=True))
    report = ImportReport(rows=len(table.rows), dry_run=dry_run)
    seen: dict[tuple[str, str], int] = {}
    planned: list[tuple[Agency, dict[str, Any]]] = []
    for number, row in table.rows:
        values = _clean({k: row.get(k, "") for k in ("name", "credit_code", "address", "industry", "risk_level")})
        agency_problem = _agency_error(row.get("agency", ""), scope)
        if agency_problem:
            report.errors.append(RowError(number, "agency", agency_problem))
        for name, messages in _entity_errors(values, whitelist).items():
            report.errors.extend(RowError(number, name, m) for m in messages)
        key = (row.get("agency", ""), values["credit_code"])
        if key in seen:
            report.errors.append(RowError(number, "credit_code", _("Same entity as row %(row)s.") % {"row": seen[key]}))
        seen[key] = number
        if not agency_problem:
            planned.append((scope[row["agency"]], values))
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        now = timezone.now()
        existing = {(e.agency_id, e.credit_code): e for e in Entity.objects.filter(
            agency_id__in={a.pk for a, _v in planned}, credit_code__in={v["credit_code"] for _a, v in planned})}
        for agency, values in planned:
            entity = existing.get((agency.pk, values["credit_code"]))
            if entity is None:
                Entity.objects.create(agency=agency, created_at=now, updated_at=now, **values)
                report.created += 1
            elif any(getattr(entity, f) != values[f] for f in ENTITY_FIELDS):
                for f in ENTITY_FIELDS:
                    setattr(entity, f, values[f])
                entity.updated_at = now
                entity.save()
                report.updated += 1
            else:
                report.skipped += 1
        audit_append(actor=actor, action=InspectionAction.ENTITY_IMPORT, object_type="entity_import", detail={
            "file": file_name, "sha256": hashlib.sha256(data).hexdigest(), "created": report.created,
            "updated": report.updated, "skipped": report.skipped})
    return report


def inspectors_import(*, actor: User, file_name: str, data: bytes, dry_run: bool = False) -> ImportReport:
    """Import inspectors from CSV/XLSX (columns ``agency, name, badge_number``): all or none;
    a badge number already in the agency's pool is skipped."""
    table = read_table(file_name, data, required=("agency", "name", "badge_number"))
    scope = _scope(actor)
    report = ImportReport(rows=len(table.rows), dry_run=dry_run)
    seen: dict[tuple[str, str], int] = {}
    planned: list[tuple[Agency, str, str]] = []
    for number, row in table.rows:
        agency_problem = _agency_error(row.get("agency", ""), scope)
        if agency_problem:
            report.errors.append(RowError(number, "agency", agency_problem))
        name, badge = row.get("name", "").strip(), row.get("badge_number", "").strip()
        for column, value in (("name", name), ("badge_number", badge)):
            if not value:
                report.errors.append(RowError(number, column, _("This field is required.")))
        key = (row.get("agency", ""), badge)
        if badge and key in seen:
            report.errors.append(RowError(number, "badge_number", _("Same inspector as row %(row)s.") % {
                "row": seen[key]}))
        seen[key] = number
        if not agency_problem:
            planned.append((scope[row["agency"]], name, badge))
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        now = timezone.now()
        existing = set(Inspector.objects.filter(agency_id__in={a.pk for a, _n, _b in planned}).values_list(
            "agency_id", "badge_number"))
        for agency, name, badge in planned:
            if (agency.pk, badge) in existing:
                report.skipped += 1
                continue
            Inspector.objects.create(agency=agency, name=name, badge_number=badge, created_at=now)
            report.created += 1
        audit_append(actor=actor, action=InspectionAction.INSPECTOR_IMPORT, object_type="inspector_import", detail={
            "file": file_name, "sha256": hashlib.sha256(data).hexdigest(), "created": report.created,
            "skipped": report.skipped})
    return report
