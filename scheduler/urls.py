"""Notifications API, under /api/v1/."""
from django.urls import path

from scheduler import apis

urlpatterns = [
    path("notifications/", apis.NotificationList.as_view(), name="notification-list"),
    path("notifications/read-all/", apis.NotificationReadAll.as_view(), name="notification-read-all"),
    path("notifications/<int:pk>/read/", apis.NotificationRead.as_view(), name="notification-read"),
]
