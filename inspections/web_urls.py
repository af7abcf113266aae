"""Inspection pages for agency staff, under /workspace/inspections/."""
from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
