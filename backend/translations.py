"""Strings of Django 5.2 and django-axes that their own catalogs do not translate into Simplified
Chinese (Django 5.2 renamed some messages; axes ships no Chinese at all). Marked here so that
``makemessages`` keeps them in the project catalog (``locale/``), which Django consults before the
packages' own; the app's name is given by ``LockoutConfig``.
"""
from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)
ADMIN = (
    _("After you’ve created a user, you’ll be able to edit more user options."),
)
AXES = (
    _("access attempt"), _("access attempts"), _("access failure"), _("access failures"), _("access log"),
    _("access logs"), _("access attempt expiration"), _("access attempt expirations"), _("Access Attempt"),
    _("Access lock out"), _("Attempt Remaining"), _("Attempt Time"), _("Clean up expired attempts"),
    _("Expires At"), _("Failed Logins"), _("Form Data"), _("GET Data"), _("HTTP Accept"), _("IP Address"),
    _("Locked Out"), _("Logout Time"), _("Meta Data"), _("Not set"), _("POST Data"), _("Path"),
    _("Session key hash (sha256)"), _("The time when access attempt expires and is no longer valid."),
    _("User Agent"), _("Username"),
)


class LockoutConfig(AxesAppConfig):  # type: ignore[misc]  # django-axes ships no types
    """django-axes under a translated name in the admin."""

    verbose_name = _("Login lockout")
