"""Public portal pages, mounted at the site root."""
from django.urls import path

from disclosure.portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="portal-search"),
    path("records/<int:pk>/", views.record_page, name="portal-record"),
    path("entity/<str:code>/", views.entity_page, name="portal-entity"),
    path("corrections/new/", views.request_form, {"kind": "correction"}, name="portal-correction"),
    path("queries/new/", views.request_form, {"kind": "query"}, name="portal-query"),
    path("statements/new/", views.request_form, {"kind": "statement"}, name="portal-statement"),
    path("repairs/new/", views.request_form, {"kind": "repair"}, name="portal-repair"),
    path("track/", views.track, name="portal-track"),
    path("track/<str:code>/", views.track_code, name="portal-track-code"),
    path("track/<str:code>/reply.pdf", views.track_reply, name="portal-track-reply"),
    path("deadline/", views.deadline_page, name="portal-deadline"),
    path("transparency/", views.transparency_page, name="portal-transparency"),
    path("open-data/", views.open_data_page, name="portal-open-data"),
    path("open-data/<str:day>/<str:name>", views.open_data_file, name="portal-open-data-file"),
    path("transparency/verify_transparency.py", views.transparency_verifier, name="portal-transparency-verifier"),
]
