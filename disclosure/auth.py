"""The signed-in staff user of a request, for the views of every app from disclosure up."""
from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from disclosure.models import User


def request_user(request: HttpRequest | Request) -> User:
    """``request.user`` as this project's ``User``.

    Only views that require a signed-in user call it (the API's default ``IsAuthenticated``, the
    pages' ``login_required``/``staff_view``), so an anonymous user here is a programming error.
    """
    user = request.user
    assert isinstance(user, User), "request_user() in a view that does not require sign-in"
    return user
