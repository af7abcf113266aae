from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The agency workspace: the web UI of agency staff (/workspace/). Its own app, inside
    disclosure/, so that it keeps its own templates and translation catalog."""

    name = "disclosure.workspace"
    label = "workspace"
    verbose_name = _("Agency workspace")
