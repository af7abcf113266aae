"""Inspection pages for agency staff, under /workspace/inspections/."""
from django.urls import URLPattern, URLResolver, path

from inspections import views

app_name = "inspections-web"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="approve"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("entities/", views.entities, name="entities"),
    path("backfill/", views.backfill_upload, name="backfill"),
]
