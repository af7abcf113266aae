"""The bureau's audit dashboard, under /audit/."""
from django.urls import URLPattern, URLResolver, path

from reports import views

app_name = "audit"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("withheld/", views.withheld, name="withheld"),
    path("incomplete/", views.incomplete, name="incomplete"),
    path("classes/", views.classes, name="classes"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<str:month>/<str:kind>/", views.report_download, name="report-download"),
]
