"""Thin DRF views of the notifications inbox and of a record's deadline notices."""
from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import NotVisible
from scheduler import serializers as s
from scheduler.models import Notification
from scheduler.notifications import notice_lines, notification_mark_read, notifications_mark_all_read
from scheduler.selectors import notifications_of


def _user(request: Request) -> AbstractBaseUser:
    # Authentication is required project-wide (DEFAULT_PERMISSION_CLASSES).
    assert isinstance(request.user, AbstractBaseUser)
    return request.user


@extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only notifications not read yet.")])
class NotificationList(generics.ListAPIView):
    """The caller's notices, newest first (API.md "Notifications")."""

    serializer_class = s.NotificationOutput

    def get_queryset(self) -> QuerySet[Notification]:
        unread = self.request.query_params.get("unread", "").lower() in ("1", "true", "yes")
        return notifications_of(user=_user(self.request), unread=unread)

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        # The titles of the whole page in one query, not one per notification.
        lines = {line.notice.pk: line for line in notice_lines(n.notice for n in page)}
        data = s.NotificationOutput(page, many=True, context={"lines": lines}).data
        return self.get_paginated_response(data)


class NotificationRead(APIView):
    """Mark one of the caller's notifications read (another user's is 404)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        if not notification_mark_read(user=_user(request), notification_id=pk):
            raise NotVisible(_("Not found."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationReadAll(APIView):
    @extend_schema(request=None, responses={200: None})
    def post(self, request: Request) -> Response:
        return Response({"marked_read": notifications_mark_all_read(user=_user(request))})
