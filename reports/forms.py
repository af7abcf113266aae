"""The dashboard's period filter (GET)."""
from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    agency = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any, **kwargs: Any) -> None:
        # ``from``/``to`` are the API's names; the form fields cannot be called ``from``.
        mapped = {"date_from": data.get("from", ""), "date_to": data.get("to", ""), "agency": data.get("agency", "")}
        super().__init__(mapped, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The period starts after it ends."))
        return cleaned

    def period(self) -> tuple[date, date]:
        """The chosen period; this year to date when none (or an invalid one) is given."""
        today = timezone.localdate()
        cleaned = self.cleaned_data if self.is_valid() else {}
        end = cleaned.get("date_to") or today
        return cleaned.get("date_from") or date(end.year, 1, 1), end
