"""Input fields the APIs share."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
FIRST_YEAR, LAST_YEAR = 1900, 2199


class DayField(serializers.DateField):
    """A calendar day written YYYY-MM-DD (full-width digits folded), between 1900 and 2199.

    DRF's ``DateField`` parses with ``date.fromisoformat``, which on Python 3.11 also takes an ISO
    week date ("2026-W40-1"), the basic form ("20260928") and the year 1: none is how a person or
    the national standard writes a day, and each has been a typo more often than a date."""

    default_error_messages = {"range": _("Expected a date between {first} and {last}.")}  # "invalid": DRF's

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["iso-8601"])
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> date:
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip()
            if not _DAY.fullmatch(value):
                self.fail("invalid", format="YYYY-MM-DD")
        day: date = super().to_internal_value(value)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            self.fail("range", first=FIRST_YEAR, last=LAST_YEAR)
        return day
