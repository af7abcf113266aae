"""makemessages that lets every app keep its own catalog (APP/locale/).

Django's own command sends every string to the first entry of LOCALE_PATHS whose parent
directory contains the file. The project catalog (locale/) sits at the top of the tree, so it
would swallow every app's strings. Here a file goes to the nearest enclosing ``locale``
directory instead: an app with ``APP/locale/`` owns its strings, and the project catalog keeps
what lies outside the apps (backend/, templates/). bin/messages runs it.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.commands import makemessages


def app_locale_dirs() -> list[Path]:
    """Every ``locale`` directory of the project's own apps (nested ones such as
    ``disclosure/workspace/locale`` included)."""
    base = Path(settings.BASE_DIR)
    return sorted(p for p in (*base.glob("*/locale"), *base.glob("*/*/locale"))
                  if p.is_dir() and ".venv" not in p.parts)


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory + os.sep)


class Command(makemessages.Command):
    def find_files(self, root: str) -> list[Any]:
        files = super().find_files(root)
        own = [str(p) for p in app_locale_dirs()]
        for path in own:
            if path not in self.locale_paths:
                self.locale_paths.append(path)
        for translatable in files:
            here = os.path.abspath(translatable.dirpath)
            # The deepest locale directory whose parent contains the file wins.
            owner = max((p for p in own if _inside(here, os.path.dirname(p))), key=len, default=None)
            if owner is not None:
                translatable.locale_dir = owner
        return files
