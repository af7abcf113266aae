"""Staff accounts: one membership (agency + role) per user, and the guardian grants it implies."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from backend.errors import AccessDenied, ApplicationError, NotVisible
from disclosure.models import Agency, AgencyUserObjectPermission, AuditAction, Role, StaffMembership, User
from disclosure.selectors.access import ACT, AUDIT, MANAGE_USERS, VIEW, agencies_for
from disclosure.services.audit import audit_append, audit_refusal

# What each role may do, and on which agencies: its own agency's subtree, or (auditors, who
# read everything) the subtree of every root agency.
ROLE_GRANTS: dict[str, tuple[str, ...]] = {
    Role.CLERK: (VIEW, ACT),
    Role.AGENCY_ADMIN: (VIEW, ACT, MANAGE_USERS),
    Role.VIEWER: (VIEW,),
    Role.AUDITOR: (VIEW, AUDIT),
    # A receiving platform reads the public feed only: no agency grant at all.
    Role.PLATFORM: (),
}


def _grant_targets(agency: Agency, role: str) -> list[Agency]:
    if role == Role.AUDITOR:
        return list(Agency.objects.filter(parent__isnull=True))
    return [agency]


def _check_may_create(actor: User | AnonymousUser, agency: Agency, role: str) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if role == Role.AUDITOR:
        raise AccessDenied(_("Only a system administrator may create auditors."))
    if role == Role.PLATFORM:
        raise AccessDenied(_("Only a system administrator may create platform accounts."))
    if not agencies_for(actor, MANAGE_USERS).filter(pk=agency.pk).exists():
        raise AccessDenied(_("You may only manage users of your own agency and its bodies."))


@transaction.atomic
def membership_set(*, user: User, agency: Agency, role: str) -> StaffMembership:
    """Give ``user`` exactly the grants of ``role`` at ``agency``, replacing any earlier ones."""
    if role == Role.AUDITOR and not agency.is_market_regulator:
        raise ApplicationError(
            _("Invalid input."),
            {"role": [_("Auditors belong to the market-regulation bureau (Art. 5).")]},
        )
    membership, _created = StaffMembership.objects.update_or_create(
        user=user, defaults={"agency": agency, "role": role}
    )
    AgencyUserObjectPermission.objects.filter(user=user).delete()
    permissions = Permission.objects.filter(content_type__app_label="disclosure", codename__in=ROLE_GRANTS[role])
    AgencyUserObjectPermission.objects.bulk_create(
        [
            AgencyUserObjectPermission(user=user, permission=permission, content_object=target)
            for target in _grant_targets(agency, role)
            for permission in permissions
        ]
    )
    return membership


def user_create(
    *, actor: User | AnonymousUser, username: str, password: str, agency_code: str, role: str, email: str = ""
) -> tuple[User, StaffMembership, Token]:
    """Create a staff account with its role and API token (API.md ``POST /api/v1/users/``).

    ``email`` is where deadline notices are sent (the inbox has them either way). Whoever may
    manage no users at all is refused before anything is looked up, so that the answer does not
    tell them whether a username (or an agency) exists."""
    if not getattr(actor, "is_superuser", False) and not agencies_for(actor, MANAGE_USERS).exists():
        audit_refusal(actor=actor, action=AuditAction.USER_CREATE, object_type="user", object_id=username[:64],
                      detail={"role": role})
        raise AccessDenied(_("You may only manage users of your own agency and its bodies."))
    errors: dict[str, list[str]] = {}
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        errors["agency"] = [_("No agency has the code %(code)s.") % {"code": agency_code}]
    if role not in Role.values:
        errors["role"] = [_("Unknown role %(role)s; expected one of: %(roles)s.") % {
            "role": role, "roles": ", ".join(Role.values)}]
    if User.objects.filter(username=username).exists():
        errors["username"] = [_("This username is taken.")]
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ApplicationError(_("Invalid input."), errors)
    assert agency is not None
    try:
        _check_may_create(actor, agency, role)
    except AccessDenied:
        audit_refusal(actor=actor, action=AuditAction.USER_CREATE, object_type="user", object_id=username,
                      agency_code=agency.code, detail={"role": role})
        raise
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, email=email.strip())
        membership = membership_set(user=user, agency=agency, role=role)
        token = Token.objects.create(user=user)
        audit_append(actor=actor, action=AuditAction.USER_CREATE, object_type="user", object_id=user.pk,
                     agency_code=agency.code, detail={"username": username, "role": role})
    return user, membership, token


def system_actor() -> User:
    """The account that signs what the system does by itself (expiry); it cannot log in."""
    user, created = User.objects.get_or_create(
        username=settings.SYSTEM_ACTOR_USERNAME, defaults={"is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


# Roles an agency admin may hand out; auditors and platform accounts are the system administrator's.
AGENCY_ROLES = (Role.CLERK, Role.AGENCY_ADMIN, Role.VIEWER)


def membership_change(*, actor: User, user_id: int, agency_code: str, role: str) -> StaffMembership:
    """Move a staff account to ``role`` at ``agency_code``. The actor must manage both the account's
    current agency and the new one; an agency admin cannot hand out auditor or platform roles, nor
    change their own membership (they would lock themselves out)."""
    managed = agencies_for(actor, MANAGE_USERS)
    membership = StaffMembership.objects.select_related("user", "agency").filter(user_id=user_id).first()
    if membership is None or not managed.filter(pk=membership.agency_id).exists():
        raise NotVisible(_("Not found."))
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise ApplicationError(_("Invalid input."), {"agency": [_("No agency has the code %(code)s.") % {
            "code": agency_code}]})
    if role not in Role.values:
        raise ApplicationError(_("Invalid input."), {"role": [_("Unknown role %(role)s.") % {"role": role}]})
    refusal = None
    if not actor.is_superuser:
        if role not in AGENCY_ROLES:
            refusal = _("Only a system administrator may give this role.")
        elif not managed.filter(pk=agency.pk).exists():
            refusal = _("You may only manage users of your own agency and its bodies.")
        elif membership.user_id == actor.pk:
            refusal = _("You cannot change your own role; ask another administrator.")
    if refusal:
        audit_refusal(actor=actor, action=AuditAction.USER_ROLE, object_type="user", object_id=membership.user_id,
                      agency_code=agency.code, detail={"role": role})
        raise AccessDenied(refusal, {"role": [refusal]})
    before = {"agency": membership.agency.code, "role": membership.role}
    with transaction.atomic():
        changed = membership_set(user=membership.user, agency=agency, role=role)
        audit_append(actor=actor, action=AuditAction.USER_ROLE, object_type="user", object_id=membership.user_id,
                     agency_code=agency.code, detail={"before": before, "after": {"agency": agency.code, "role": role}})
    return changed
