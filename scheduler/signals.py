"""The calendar's one signal, for what the apps above the scheduler derive from it."""
from __future__ import annotations

from django.dispatch import Signal

# Sent after a year was loaded or a calendar day or year was edited, with ``deferred``: True when
# the sender is a web request (the receivers schedule their work on the worker once the change
# is committed), False from a command (they do it now). A receiver returns how many things it
# recomputed, or None when it deferred the work.
calendar_changed = Signal()
