"""Forms of the inspection pages: input types only; the services decide the rules."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import Outcome, RiskLevel


class PlanForm(forms.Form):
    agency = forms.ChoiceField(label=_("Agency"))
    title = forms.CharField(label=_("Title"), max_length=200)
    scope = forms.CharField(label=_("Scope"), widget=forms.Textarea(attrs={"rows": 3}))
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"}))
    sample_count = forms.IntegerField(label=_("Number of entities to draw"), required=False, min_value=1)
    sample_percent = forms.DecimalField(label=_("or share of entities (%)"), required=False, max_digits=5,
                                        decimal_places=2)
    industry = forms.CharField(label=_("Industry filter"), required=False, max_length=100)
    risk_levels = forms.MultipleChoiceField(label=_("Risk level filter"), required=False, choices=RiskLevel.choices,
                                            widget=forms.CheckboxSelectMultiple)
    inspectors_per_task = forms.IntegerField(label=_("Inspectors per task"), min_value=1, max_value=20, initial=2)
    surprise = forms.BooleanField(label=_("Surprise inspection (plan not published before the result)"),
                                  required=False)

    def __init__(self, *args: object, agencies: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["agency"].choices = agencies  # type: ignore[attr-defined]


class ResultForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    formed_on = forms.DateField(label=_("Result formed on"), widget=forms.DateInput(attrs={"type": "date"}))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
