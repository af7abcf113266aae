"""The navigation bar (unread notices, the links a role needs) and the data of the credit-code check."""
from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from disclosure.credit_code import CHARSET, CODE_LENGTH, ORGANIZATION_CATEGORIES, WEIGHTS
from disclosure.models import PenaltyType, User
from disclosure.selectors.access import ACT, AUDIT, MANAGE_USERS, VIEW, agencies_for
from disclosure.services.audit import audit_action_label
from disclosure.workspace.views import home_url as start
from scheduler.selectors import notifications_of

register = template.Library()


@register.inclusion_tag("workspace/_nav.html", takes_context=True)
def workspace_nav(context: dict[str, Any]) -> dict[str, Any]:
    """The menu of the signed-in user: only the pages their grants let them use (an auditor gets
    the audit and no "new record"; a clerk no audit), and where they are."""
    request = context["request"]
    user = request.user
    match = getattr(request, "resolver_match", None)
    out: dict[str, Any] = {"request": request, "user": user, "active": getattr(match, "url_name", ""),
                           "section": getattr(match, "namespace", "") or (match.url_name if match else "")}
    if isinstance(user, User) and user.is_authenticated:
        out["unread"] = notifications_of(user=user, unread=True).count()
        out["may_manage"] = agencies_for(user, MANAGE_USERS).exists()
        out["may_view"] = agencies_for(user, VIEW).exists()
        out["may_act"] = agencies_for(user, ACT).exists()
        out["may_audit"] = agencies_for(user, AUDIT).exists()
    return out


@register.simple_tag
def credit_code_rules() -> SafeString:
    """The GB 32100 tables of ``disclosure.credit_code`` and its messages, for the as-you-type check
    (static/workspace/credit_code.js ports only the algorithm; the server checks again)."""
    return json_script({
        "length": CODE_LENGTH,
        "charset": CHARSET,
        "weights": list(WEIGHTS),
        "categories": {authority: sorted(categories) for authority, categories in ORGANIZATION_CATEGORIES.items()},
        "messages": {
            "length": _("A unified social credit code has 18 characters; this one has %(length)d."),
            "charset": _("Character %(position)d ('%(character)s') is not allowed in a unified social credit code "
                         "(I, O, S, V and Z are never used)."),
            "authority": _("The first character ('%(authority)s') is not a registration authority code defined by "
                           "GB 32100."),
            "pair": _("The registration authority code '%(authority)s' with organization category '%(category)s' "
                      "is not a valid pair under GB 32100."),
            "division": _("Characters 3 to 8 are the administrative division code and must be digits; "
                          "character %(position)d is '%(character)s'."),
            "check": _("The check character should be '%(expected)s' but is '%(actual)s': the code was probably "
                       "mistyped."),
            "ok": _("The code is well formed."),
        },
    }, "credit-code-rules")


@register.filter
def minutes(value: Any) -> int:
    """A ``timedelta`` in whole minutes, rounded up (how long a lockout still lasts)."""
    seconds = int(value.total_seconds()) if hasattr(value, "total_seconds") else 0
    return -(-seconds // 60)


@register.simple_tag(takes_context=True)
def home_url(context: dict[str, Any]) -> str:
    """The start page of whoever is signed in (the portal for everyone else)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "/"
    return start(user)


@register.filter
def audit_action(action: str) -> str:
    """An audit entry's action in words (``record.publish`` → 已公示)."""
    return audit_action_label(action)


@register.filter
def penalty_labels(values: Any) -> str:
    """Penalty type codes as their labels (警告、罚款), as the public page and the diff show them."""
    labels = dict(PenaltyType.choices)
    return "、".join(str(labels.get(v, v)) for v in values or [])
