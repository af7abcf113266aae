from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.errors import ApplicationError
from scheduler.models import CalendarDay, CalendarYear, DeadlineRule
from scheduler.selectors import calendar_invalidate
from scheduler.services import calendar_load_from_package, package_years


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at"]
    actions = ["reload_from_package"]

    @admin.action(
        description=gettext_lazy("Reload from the chinesecalendar package and recompute provisional deadlines")
    )
    def reload_from_package(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        from disclosure.tasks import recompute_provisional_deadlines

        try:
            calendar_load_from_package(years=[y.year for y in queryset])
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        recompute_provisional_deadlines.delay()
        self.message_user(request, _("Loaded; provisional deadlines are being recomputed. Package years: %(y)s") % {
            "y": f"{package_years()[0]}-{package_years()[-1]}"})


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Touching the year bumps the stamp every process compares, so all of them rebuild.
        year = CalendarYear.objects.filter(year=obj.date.year).first()
        if year is not None:
            year.save()
        calendar_invalidate()


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["key", "period", "unit", "display_months", "article", "description"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
