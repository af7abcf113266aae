"""The one place that decides which agencies, and so which records, a user may see or act on.

Grants are guardian object permissions on agencies (direct-FK table
``AgencyUserObjectPermission``); a grant on an agency covers its whole subtree through the
materialized path. Every queryset of agency data is built from ``agencies_for``.
"""
from __future__ import annotations

from collections.abc import Sized

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.lookups import StartsWith

from disclosure.models import Agency, AgencyUserObjectPermission, Record
from disclosure.models import User as StaffUser

# The agency grants (``disclosure.models.AGENCY_PERMISSIONS``).
VIEW = "view_agency_records"
ACT = "act_for_agency"
MANAGE_USERS = "manage_agency_users"
AUDIT = "audit_timeliness"

# Who may call a selector: a staff account, or nobody in particular (anonymous requests).
User = StaffUser | AnonymousUser


def agencies_for(user: User, permission: str) -> QuerySet[Agency]:
    """Agencies on which ``user`` holds ``permission``, directly or through an ancestor's grant.

    Superusers may view and manage everything but, like everyone, act for an agency only through
    an explicit grant: a system administrator is not an agency ("谁产生、谁公示、谁负责").
    """
    if not user.is_authenticated or not user.is_active:
        return Agency.objects.none()
    if getattr(user, "is_superuser", False) and permission != ACT:
        return Agency.objects.all()
    grants = AgencyUserObjectPermission.objects.filter(user_id=user.pk, permission__codename=permission).filter(
        StartsWith(OuterRef("path"), F("content_object__path"))
    )
    return Agency.objects.filter(Exists(grants))


def covers_every_agency(scope: Sized) -> bool:
    """Whether a scope (agencies or their ids) is the whole tree: then it needs no filter at all."""
    return bool(len(scope)) and len(scope) == Agency.objects.count()


def _records_of(user: User, permission: str) -> QuerySet[Record]:
    # The agency ids are fetched first (a few hundred at most): with a literal list the database
    # estimates the record filter well, and a scope that covers every agency needs no filter at all.
    # Joined as a subquery, PostgreSQL cannot estimate the path prefix match and, at a million
    # records, picks a plan twenty times slower (bench/records_list.py).
    ids = list(agencies_for(user, permission).values_list("id", flat=True))
    if covers_every_agency(ids):
        return Record.objects.all()
    return Record.objects.filter(agency_id__in=ids)


def records_visible_to(user: User) -> QuerySet[Record]:
    return _records_of(user, VIEW)

