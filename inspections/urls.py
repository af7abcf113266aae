"""Inspection API (entities, inspectors, plans, draws, tasks, results, backfill imports), under /api/v1/inspections/."""
from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from inspections import apis

router = SimpleRouter()
router.register("entities", apis.EntityViewSet, basename="inspection-entity")
router.register("inspectors", apis.InspectorViewSet, basename="inspection-inspector")
router.register("conflicts", apis.ConflictViewSet, basename="inspection-conflict")
router.register("plans", apis.PlanViewSet, basename="inspection-plan")
router.register("draws", apis.DrawViewSet, basename="inspection-draw")
router.register("tasks", apis.TaskViewSet, basename="inspection-task")
router.register("results", apis.ResultViewSet, basename="inspection-result")
router.register("backfill", apis.BackfillViewSet, basename="inspection-backfill")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
