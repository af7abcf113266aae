"""The agency tree: loading it from a list of rows, and the materialized paths that index it.

Codes are stable and never change, so they are the key of an idempotent upsert: a load creates
missing agencies, updates changed ones, moves subtrees whose parent changed, and never deletes.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from backend.errors import ApplicationError
from disclosure.credit_code import credit_code_problem, normalize_credit_code
from disclosure.models import Agency, AgencyKind, AuditAction, User
from disclosure.services.audit import audit_append

DEFAULT_ROWS_FILE = Path(__file__).resolve().parent.parent / "data" / "agencies.json"

CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ROW_KEYS = frozenset({"code", "name", "parent", "kind", "is_market_regulator", "address", "phone", "credit_code",
                      "region_code"})
# Contact details a row may leave out: then an existing agency keeps the ones it has.
_CONTACT_MAX = {"address": 200, "phone": 50}
REQUIRED_KEYS = ("code", "name", "kind")

_CODE_MAX = Agency._meta.get_field("code").max_length or 64
_NAME_MAX = Agency._meta.get_field("name").max_length or 200
_PATH_MAX = Agency._meta.get_field("path").max_length or 700


@dataclass(frozen=True)
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


@dataclass(frozen=True)
class _Row:
    index: int  # 1-based position in the input, for messages
    code: str
    name: str
    parent: str | None
    kind: str
    is_market_regulator: bool
    address: str | None = None  # None: not given, keep what the agency has
    phone: str | None = None
    credit_code: str | None = None  # None: not given, keep what the agency has ("" clears it)
    region_code: str | None = None


def _codes(label: str, raw: Mapping[str, Any]) -> dict[str, str | None]:
    """The agency's unified social credit code (GB 32100) and region code (six digits), checked."""
    out: dict[str, str | None] = {}
    value = raw.get("credit_code")
    if value is not None:
        code = normalize_credit_code(value) if isinstance(value, str) else None
        problem = _("must be a text.") if code is None else (credit_code_problem(code) if code else None)
        if problem:
            raise _row_error(label, _("credit_code: %(problem)s") % {"problem": problem}, "credit_code")
        value = code
    out["credit_code"] = value
    region = raw.get("region_code")
    if region is not None and not (isinstance(region, str) and (region == "" or re.fullmatch(r"\d{6}", region))):
        raise _row_error(label, _("region_code must be six digits (GB/T 2260) or empty."), "region_code")
    out["region_code"] = region
    return out


def agency_path_for(*, code: str, parent: Agency | None) -> str:
    """The materialized path of an agency with ``code`` under ``parent`` ("city/city-amr/")."""
    return (parent.path if parent is not None else "") + code + "/"


def agencies_read_file(*, path: str | Path) -> list[dict[str, Any]]:
    """The rows of a JSON agency file (a list of objects); ApplicationError if it is not one."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise ApplicationError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
    except ValueError as exc:
        raise ApplicationError(_("%(path)s is not valid JSON: %(error)s") % {"path": path, "error": exc}) from exc
    if not isinstance(data, list):
        raise ApplicationError(_("%(path)s must hold a JSON list of agency objects.") % {"path": path})
    return data


def agencies_default_rows() -> list[dict[str, Any]]:
    """The city's agency tree as shipped in ``disclosure/data/agencies.json``."""
    return agencies_read_file(path=DEFAULT_ROWS_FILE)


def _row_error(row_label: str, message: str, field: str = "rows") -> ApplicationError:
    text = f"{row_label}: {message}"
    return ApplicationError(text, {field: [text]})


def _label(index: int, code: object = None) -> str:
    if isinstance(code, str) and code:
        return _('Row %(index)d (code "%(code)s")') % {"index": index, "code": code}
    return _("Row %(index)d") % {"index": index}


def _clean_row(index: int, raw: object) -> _Row:
    if not isinstance(raw, Mapping):
        raise _row_error(_label(index), _("must be an object with code, name, parent, kind and is_market_regulator."))
    label = _label(index, raw.get("code"))
    unknown = sorted(str(key) for key in raw if key not in ROW_KEYS)
    if unknown:
        raise _row_error(label, _("unknown field(s): %(fields)s.") % {"fields": ", ".join(unknown)})
    for key in REQUIRED_KEYS:
        if key not in raw:
            raise _row_error(label, _('the field "%(field)s" is missing.') % {"field": key}, key)

    code = raw["code"]
    if not isinstance(code, str) or not CODE_RE.match(code) or len(code) > _CODE_MAX:
        raise _row_error(
            label,
            _("the code %(code)r must be a slug of lowercase ascii letters, digits and hyphens, at most %(max)d long.")
            % {"code": code, "max": _CODE_MAX},
            "code",
        )
    name = raw["name"]
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > _NAME_MAX:
        raise _row_error(
            label, _("the name must be a non-empty text of at most %(max)d characters.") % {"max": _NAME_MAX}, "name"
        )
    kind = raw["kind"]
    if kind not in AgencyKind.values:
        raise _row_error(
            label,
            _("unknown kind %(kind)r; expected one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(AgencyKind.values)},
            "kind",
        )
    parent = raw.get("parent")
    if parent == "":
        parent = None
    if parent is not None and not isinstance(parent, str):
        raise _row_error(label, _("the parent must be an agency code or null."), "parent")
    if parent == code:
        raise _row_error(label, _("an agency cannot be its own parent (a cycle)."), "parent")
    regulator = raw.get("is_market_regulator", False)
    if not isinstance(regulator, bool):
        raise _row_error(label, _("is_market_regulator must be true or false."), "is_market_regulator")
    contact: dict[str, str | None] = {}
    for key, limit in _CONTACT_MAX.items():
        value = raw.get(key)
        if value is not None and (not isinstance(value, str) or len(value.strip()) > limit):
            raise _row_error(label, _("%(field)s must be a text of at most %(max)d characters.") % {
                "field": key, "max": limit}, key)
        contact[key] = value.strip() if isinstance(value, str) else None
    codes = _codes(label, raw)
    return _Row(index, code, name.strip(), parent, kind, regulator, contact["address"], contact["phone"],
                codes["credit_code"], codes["region_code"])


def _final_paths(parents: dict[str, str | None], rows: dict[str, _Row]) -> dict[str, str]:
    """Each code's path once the load is done; raises on a cycle, naming the first row caught in it."""
    paths: dict[str, str] = {}
    for start in parents:
        chain: list[str] = []
        on_chain: set[str] = set()
        code: str | None = start
        while code is not None and code not in paths:
            if code in on_chain:
                cycle = chain[chain.index(code):] + [code]
                culprit = next((c for c in cycle if c in rows), start)
                row = rows.get(culprit)
                label = _label(row.index, row.code) if row else _label(0, culprit)
                raise _row_error(label, _("the parent chain forms a cycle: %(cycle)s.") % {
                    "cycle": " → ".join(cycle)}, "parent")
            chain.append(code)
            on_chain.add(code)
            code = parents[code]
        prefix = paths[code] if code is not None else ""
        for link in reversed(chain):
            prefix = prefix + link + "/"
            paths[link] = prefix
    return paths


@transaction.atomic
def agencies_load(
    *, rows: list[dict[str, Any]], actor: User | AnonymousUser | None = None
) -> LoadResult:
    """Create or update the agencies in ``rows`` by code, and move the subtrees of those whose parent changed.

    Every row is validated before anything is written: an unknown parent code, a duplicate code,
    a bad kind, a cycle or a second market regulator raises ApplicationError naming the row, and
    the database is left as it was. Agencies missing from ``rows`` are kept as they are.
    """
    if not isinstance(rows, list):
        raise ApplicationError(_("The agency rows must be a list."))

    cleaned: dict[str, _Row] = {}
    for index, raw in enumerate(rows, start=1):
        row = _clean_row(index, raw)
        if row.code in cleaned:
            first = cleaned[row.code].index
            raise _row_error(_label(index, row.code), _("duplicate code, already used by row %(first)d.") % {
                "first": first}, "code")
        cleaned[row.code] = row

    # Lock the tree: two loads at once must not interleave their path rewrites.
    existing: dict[str, Agency] = {
        agency.code: agency
        for agency in Agency.objects.select_for_update(of=("self",)).select_related("parent").order_by("path")
    }

    parents: dict[str, str | None] = {
        code: (agency.parent.code if agency.parent is not None else None) for code, agency in existing.items()
    }
    for row in cleaned.values():
        if row.parent is not None and row.parent not in cleaned and row.parent not in existing:
            raise _row_error(_label(row.index, row.code), _('unknown parent code "%(parent)s".') % {
                "parent": row.parent}, "parent")
        parents[row.code] = row.parent

    paths = _final_paths(parents, cleaned)
    for row in cleaned.values():
        if len(paths[row.code]) > _PATH_MAX:
            raise _row_error(
                _label(row.index, row.code),
                _("the tree is too deep: the path exceeds %(max)d characters.") % {"max": _PATH_MAX},
                "parent",
            )

    regulators = {code for code, agency in existing.items() if agency.is_market_regulator and code not in cleaned}
    regulators |= {row.code for row in cleaned.values() if row.is_market_regulator}
    if len(regulators) > 1:
        culprit = max((cleaned[c] for c in regulators if c in cleaned), key=lambda r: r.index)
        raise _row_error(
            _label(culprit.index, culprit.code),
            _("only one agency may be the market regulator (also marked: %(others)s).")
            % {"others": ", ".join(sorted(regulators - {culprit.code}))},
            "is_market_regulator",
        )

    # Write parents before children, so that every parent exists when a child points at it.
    created = updated = unchanged = 0
    by_code: dict[str, Agency] = dict(existing)
    for row in sorted(cleaned.values(), key=lambda r: (paths[r.code].count("/"), r.index)):
        parent = by_code[row.parent] if row.parent is not None else None
        agency = existing.get(row.code)
        if agency is None:
            by_code[row.code] = Agency.objects.create(
                code=row.code, name=row.name, kind=row.kind, parent=parent,
                path=paths[row.code], is_market_regulator=row.is_market_regulator,
                address=row.address or "", phone=row.phone or "", credit_code=row.credit_code or "",
                region_code=row.region_code or "",
            )
            created += 1
            continue
        changed: list[str] = []
        for field, value in (("name", row.name), ("kind", row.kind), ("is_market_regulator", row.is_market_regulator),
                             ("address", row.address), ("phone", row.phone), ("credit_code", row.credit_code),
                             ("region_code", row.region_code)):
            if value is not None and getattr(agency, field) != value:
                setattr(agency, field, value)
                changed.append(field)
        if agency.parent_id != (parent.pk if parent is not None else None):
            agency.parent = parent
            changed.append("parent")
        if changed:
            agency.save(update_fields=changed)
            updated += 1
        else:
            unchanged += 1

    # A moved agency drags its whole subtree along, rows that were not in the input included.
    # Every path ends with its own (unique) code, so old and new paths never collide midway.
    moved = [agency for code, agency in existing.items() if agency.path != paths[code]]
    for agency in moved:
        agency.path = paths[agency.code]
    if moved:
        Agency.objects.bulk_update(moved, ["path"], batch_size=500)

    result = LoadResult(created=created, updated=updated, unchanged=unchanged)
    if result.changed or moved:
        audit_append(
            actor=actor, action=AuditAction.AGENCY_LOAD, object_type="agency",
            detail={"created": created, "updated": updated, "unchanged": unchanged},
        )
    return result
