"""Who the request's user is, and what the agency grants let them do.

``request_user``: the signed-in staff user, for the views of every app from disclosure up.
``AgencyTreeBackend``: ``has_perm`` on an agency (or an agency's object) with subtree grants.
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest
from rest_framework.request import Request

from disclosure.models import AGENCY_PERMISSIONS, Agency, User
from disclosure.selectors.access import agencies_for


def request_user(request: HttpRequest | Request) -> User:
    """``request.user`` as this project's ``User``.

    Only views that require a signed-in user call it (the API's default ``IsAuthenticated``, the
    pages' ``login_required``/``staff_view``), so an anonymous user here is a programming error.
    """
    user = request.user
    assert isinstance(user, User), "request_user() in a view that does not require sign-in"
    return user


class AgencyTreeBackend(BaseBackend):
    """``user.has_perm(perm, obj)`` for the agency grants, answered as every selector answers it.

    guardian's own backend looks at the grant on the object alone, so a grant on a parent agency
    (which covers its whole subtree, ``selectors.access.agencies_for``) would read as "no" on a
    district office. This backend takes its place: ``obj`` is an agency or anything with an
    ``agency``; only the four agency permissions are answered; everything else is left to the
    other backends (``ModelBackend`` for model permissions).
    """

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        agency = obj if isinstance(obj, Agency) else getattr(obj, "agency", None)
        codename = perm.rpartition(".")[2]
        if not isinstance(agency, Agency) or codename not in AGENCY_PERMISSIONS:
            return False
        return agencies_for(user_obj, codename).filter(pk=agency.pk).exists()
