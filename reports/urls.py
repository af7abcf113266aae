"""Timeliness audit API, under /api/v1/audit/."""
from django.urls import URLPattern, URLResolver, path

from reports import apis

urlpatterns: list[URLPattern | URLResolver] = [
    path("timeliness/", apis.TimelinessView.as_view(), name="audit-timeliness"),
    path("reports/", apis.MonthlyReportList.as_view(), name="audit-reports"),
    path("reports/monthly/", apis.MonthlyReportFile.as_view(), name="audit-report-monthly"),
]
