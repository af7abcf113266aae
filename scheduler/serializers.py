"""Output shapes of the notifications API (API.md "Notifications")."""
from __future__ import annotations

from rest_framework import serializers

from scheduler.models import Notice, Notification, SubjectKind
from scheduler.notifications import NoticeLine


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(source="notice.kind")
    kind_display = serializers.CharField(source="notice.get_kind_display")
    record = serializers.SerializerMethodField()
    request = serializers.SerializerMethodField()
    agency = serializers.CharField(source="notice.agency.code", default=None)
    title = serializers.SerializerMethodField()
    due_date = serializers.DateField(source="notice.due_date")
    overdue_working_days = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    read = serializers.SerializerMethodField()

    def _line(self, obj: Notification) -> NoticeLine:
        lines: dict[int, NoticeLine] = self.context["lines"]
        return lines[obj.notice_id]

    def get_record(self, obj: Notification) -> int | None:
        return obj.notice.subject_id if obj.notice.subject_kind == SubjectKind.RECORD else None

    def get_request(self, obj: Notification) -> int | None:
        return obj.notice.subject_id if obj.notice.subject_kind == SubjectKind.REQUEST else None

    def get_title(self, obj: Notification) -> str:
        return self._line(obj).title

    def get_overdue_working_days(self, obj: Notification) -> int:
        return self._line(obj).overdue_working_days

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class NoticeOutput(serializers.ModelSerializer):
    class Meta:
        model = Notice
        fields = ["id", "kind", "due_date", "created_at", "delivered_at", "recipients"]
        read_only_fields = fields
