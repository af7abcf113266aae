"""Admin for the calendar and the rule table. A change to the calendar recomputes every
provisional deadline on the Celery worker once the change is committed."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.admin import ReadOnlyAdmin
from backend.errors import ServiceError
from scheduler.models import CalendarDay, CalendarYear, DeadlineRule, Notice, SweepRun
from scheduler.selectors import calendar_invalidate
from scheduler.services import calendar_load_from_package, calendar_load_year, parse_notice_csv
from scheduler.signals import calendar_changed


def _recompute_after_commit() -> None:
    calendar_invalidate()
    calendar_changed.send(sender=CalendarYear, deferred=True)


class NoticeForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2004, max_value=2100)
    source = forms.CharField(label=gettext_lazy("Source (notice number)"), max_length=200)
    file = forms.FileField(
        label=gettext_lazy("Notice file (CSV)"),
        help_text=gettext_lazy("Columns date,kind,name; kind is holiday or makeup_workday; UTF-8."),
    )


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at"]
    actions = ["reload_from_package"]
    change_list_template = "admin/scheduler/calendaryear/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        return [
            path("import/", self.admin_site.admin_view(self.import_notice), name="scheduler_calendaryear_import"),
            *super().get_urls(),
        ]

    def import_notice(self, request: HttpRequest) -> HttpResponse:
        """Load a year's State Council notice from a CSV file, then recompute provisional deadlines."""
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        form = NoticeForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                text = upload.read(1_000_000).decode("utf-8")
                load = calendar_load_year(
                    year=form.cleaned_data["year"], days=parse_notice_csv(text), source=form.cleaned_data["source"]
                )
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text."))
            except ServiceError as exc:
                form.add_error("file", exc.message)
            else:
                _recompute_after_commit()
                self.message_user(request, _(
                    "%(year)s: %(h)s holidays, %(m)s make-up working days loaded; provisional deadlines are "
                    "being recomputed.") % {"year": load.year, "h": load.holidays, "m": load.makeup_workdays})
                return HttpResponseRedirect(reverse("admin:scheduler_calendaryear_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("Import a holiday notice")}
        return TemplateResponse(request, "admin/scheduler/calendaryear/import.html", context)

    @admin.action(
        description=gettext_lazy("Reload from the chinesecalendar package and recompute provisional deadlines")
    )
    def reload_from_package(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        try:
            calendar_load_from_package(years=[y.year for y in queryset])
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        _recompute_after_commit()
        self.message_user(request, _("Loaded; provisional deadlines are being recomputed."))

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _recompute_after_commit()


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Touching the year bumps the stamp every process compares, so all of them rebuild.
        year = CalendarYear.objects.filter(year=obj.date.year).first()
        if year is not None:
            year.save()
        _recompute_after_commit()


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["key", "period", "unit", "display_months", "article", "description"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """Deadline notices: written by the sweep, one per subject, threshold and due date."""

    list_display = ["id", "kind", "subject_kind", "subject_id", "agency", "due_date", "created_at", "delivered_at",
                    "recipients"]
    list_filter = ["kind", "subject_kind"]
    search_fields = ["subject_id"]
    list_select_related = ["agency"]
    show_full_result_count = False


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ["finished_at", "today", "partition", "partitions", "full"]
    list_filter = ["full"]
