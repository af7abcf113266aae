"""Permission checks shared by the inspections services: 404 for what the caller may not see,
403 (audited) for what it may see but not act on, exactly as ``disclosure`` does for records."""
from __future__ import annotations

from django.utils.translation import gettext as _

from backend.errors import AccessDenied, NotVisible
from disclosure.models import Agency, User
from disclosure.selectors.access import ACT, VIEW, agencies_for
from disclosure.services.audit import audit_refusal


def may_act(actor: User, agency_id: int) -> bool:
    return agencies_for(actor, ACT).filter(pk=agency_id).exists()


def check_act(*, actor: User, agency: Agency, action: str, object_type: str, object_id: str | int = "",
              creating: bool = False) -> None:
    """Refuse unless ``actor`` may act for ``agency``; the refusal is audited in its own transaction.

    Acting on an existing object of an agency the caller cannot see is a 404 (it does not exist
    for them); naming such an agency for something new is a 403, as for records.
    """
    if may_act(actor, agency.pk):
        return
    audit_refusal(actor=actor, action=action, object_type=object_type, object_id=object_id, agency_code=agency.code)
    if creating or agencies_for(actor, VIEW).filter(pk=agency.pk).exists():
        raise AccessDenied(_("You may read this but not act for %(agency)s.") % {"agency": agency.name},
                           {"agency": [_("You may not act for this agency.")]})
    raise NotVisible(_("Not found."))
