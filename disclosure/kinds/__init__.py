"""The kinds of supervision information (Art. 3 and Art. 7 of 葫政办发〔2020〕80号).

Each kind's publication period and display period are rows of the scheduler's rule table, keyed by
the kind's value (``scheduler.rules.DEFAULT_RULES``); ``tests/test_rules.py`` checks that every
kind has its row.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    PERMIT = "permit", _("Administrative permit")
    FILING = "filing", _("Filing")
    INSPECTION_TASK = "inspection_task", _("Inspection task")
    INSPECTION_RESULT = "inspection_result", _("Inspection result")
    PENALTY = "penalty", _("Administrative penalty")
    COERCIVE_MEASURE = "coercive_measure", _("Administrative coercive measure")
    ADMINISTRATIVE_ORDER = "administrative_order", _("Administrative order")
    DISHONEST_LIST = "dishonest_list", _("List of dishonest entities")
    OTHER = "other", _("Other supervision information")
