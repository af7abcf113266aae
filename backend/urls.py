from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backend import views

urlpatterns = [
    path("health/", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include("disclosure.urls")),
    path("api/v1/", include("scheduler.urls")),
    path("api/v1/inspections/", include("inspections.urls")),
    path("api/v1/audit/", include("reports.urls")),
    path("audit/", include("reports.web_urls")),
    path("workspace/inspections/", include("inspections.web_urls")),
    path("workspace/inbox/", include("scheduler.web_urls")),
    path("workspace/", include("disclosure.workspace.urls")),
    path("", include("disclosure.portal.urls")),
]
