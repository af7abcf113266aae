"""Inspection API (entities, inspectors, plans, draws, results, backfill imports), under /api/v1/inspections/."""
from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
