"""The notices inbox page, under /workspace/inbox/."""
from django.urls import path

from scheduler import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
]
