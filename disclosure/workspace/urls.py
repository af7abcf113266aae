"""The agency workspace, under /workspace/ (the inbox and the inspection pages are mounted beside it)."""
from django.urls import URLPattern, URLResolver, path

from disclosure.workspace import views

app_name = "workspace"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.records, name="records"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("records/new/", views.record_new, name="record-new"),
    path("records/publish/", views.bulk_publish, name="bulk-publish"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/edit/", views.record_edit, name="record-edit"),
    path("records/<int:pk>/publish/", views.record_publish, name="record-publish"),
    path("records/<int:pk>/change/", views.record_change, name="record-change"),
    path("records/<int:pk>/revoke/", views.record_revoke, name="record-revoke"),
    path("requests/", views.requests_queue, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/role/", views.user_role, name="user-role"),
]
