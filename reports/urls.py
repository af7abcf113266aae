"""Timeliness audit API, under /api/v1/audit/."""
from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
