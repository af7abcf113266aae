from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backend import views

# Django's own error pages (a URL no route matches, a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a crash)
# in the JSON error format of API.md under /api/; the HTML templates elsewhere.
handler400 = "backend.views.bad_request"
handler403 = "backend.views.permission_denied"
handler404 = "backend.views.page_not_found"
handler500 = "backend.views.server_error"

urlpatterns = [
    path("health/", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's set-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
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
