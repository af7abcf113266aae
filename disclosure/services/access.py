"""The one access guard of every service that acts on an agency's objects (records, requests,
the inspections directory, plans and results).

"谁产生、谁公示、谁负责": only staff granted ``act_for_agency`` on the agency (or an ancestor) may act.
Every refusal is audited, in a transaction of its own, before the error is raised. An existing
object of an agency the caller cannot even see is a 404 (it does not exist for them); one they
may read but not act on, or an agency they name for something new, is a 403.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from backend.errors import AccessDenied, NotVisible
from disclosure.models import Agency, User
from disclosure.selectors.access import ACT, VIEW, agencies_for
from disclosure.services.audit import audit_refusal


def may_act(actor: User, agency_id: int) -> bool:
    return agencies_for(actor, ACT).filter(pk=agency_id).exists()


def access_check(
    *,
    actor: User,
    agency: Agency,
    action: str,
    object_type: str,
    object_id: str | int = "",
    creating: bool = False,
    denied: str | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Return when ``actor`` may act for ``agency``; else audit the refusal and raise.

    ``creating``: the agency is named for something new (always 403, a form error on ``agency``).
    ``denied`` and ``errors`` are the 403's words; ``detail`` goes into the audit entry.
    """
    if may_act(actor, agency.pk):
        return
    audit_refusal(actor=actor, action=action, object_type=object_type, object_id=object_id,
                  agency_code=agency.code, detail=detail)
    if creating or agencies_for(actor, VIEW).filter(pk=agency.pk).exists():
        message = denied or _("You may read this but not act for %(agency)s.") % {"agency": agency.name}
        if errors is None:
            errors = {"agency": [_("You may not act for this agency.")]}
        raise AccessDenied(message, errors)
    raise NotVisible(_("Not found."))
