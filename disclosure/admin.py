"""Django admin: agencies, staff, the credit-code whitelist; versions and audit entries read-only."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.admin import ReadOnlyAdmin
from backend.errors import ServiceError
from disclosure.models import (
    Agency,
    AuditAction,
    AuditEntry,
    BackfillBatch,
    CitizenRequest,
    CreditCodeWhitelist,
    Evidence,
    FeedEvent,
    FeedPush,
    OpenDataDump,
    PenaltyClassRule,
    PublicityPeriod,
    PublicityProfile,
    Record,
    RecordVersion,
    SignedTreeHead,
    StaffMembership,
    TransparencyKey,
    User,
)
from disclosure.selectors.feed_push import feed_push_status
from disclosure.selectors.transparency import b64, head_time
from disclosure.services.agencies import agencies_load
from disclosure.services.audit import audit_append
from disclosure.services.feed_push import feed_push_reset
from disclosure.services.reclassify import publicity_profile_activate, publicity_rules_changed
from disclosure.services.users import membership_set


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "is_market_regulator"]
    list_filter = ["kind", "is_market_regulator"]
    search_fields = ["name", "code"]
    readonly_fields = ["path"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The code is the agency's stable identity: fixed once created.
        return ["path", "code"] if obj else ["path"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # agencies are referenced by records forever

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        agencies_load(rows=[{
            "code": obj.code, "name": obj.name, "kind": obj.kind,
            "parent": obj.parent.code if obj.parent else None, "is_market_regulator": obj.is_market_regulator,
            "address": obj.address, "phone": obj.phone,
        }], actor=request.user)


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "agency__name"]
    autocomplete_fields = ["agency"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate the user instead; the grants follow the membership

    def save_model(self, request: HttpRequest, obj: StaffMembership, form: Any, change: bool) -> None:
        membership_set(user=obj.user, agency=obj.agency, role=obj.role)
        audit_append(actor=request.user, action=AuditAction.USER_MEMBERSHIP, object_type="user", object_id=obj.user_id,
                     agency_code=obj.agency.code, detail={"role": obj.role})


@admin.register(CreditCodeWhitelist)
class CreditCodeWhitelistAdmin(admin.ModelAdmin):
    list_display = ["code", "reason", "added_by", "added_at"]
    search_fields = ["code"]
    readonly_fields = ["added_by", "added_at"]

    def save_model(self, request: HttpRequest, obj: CreditCodeWhitelist, form: Any, change: bool) -> None:
        if not change:
            obj.added_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        audit_append(actor=request.user, action=AuditAction.CREDIT_CODE_WHITELIST, object_type="credit_code",
                     object_id=obj.code, detail={"reason": obj.reason})


@admin.register(Record)
class RecordAdmin(ReadOnlyAdmin):
    """Records change only through the API and workspace services, never by hand in the admin."""

    list_display = ["id", "title", "kind", "agency", "status", "due_date", "on_time"]
    list_filter = ["kind", "status", "backfill"]
    search_fields = ["title", "subject_name", "subject_code"]
    list_select_related = ["agency"]
    show_full_result_count = False


@admin.register(RecordVersion)
class RecordVersionAdmin(ReadOnlyAdmin):
    list_display = ["record", "number", "action", "status", "actor", "at"]
    list_filter = ["action"]
    list_select_related = ["record", "actor"]
    show_full_result_count = False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "actor_name", "action", "outcome", "object_type", "object_id", "agency_code"]
    list_filter = ["outcome", "action"]
    search_fields = ["object_id", "actor_name", "agency_code"]
    show_full_result_count = False


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = readonly_fields = ("original_name", "content_type", "size", "sha256", "file")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CitizenRequest)
class RequestAdmin(ReadOnlyAdmin):
    """Citizens' corrections, queries and credit-repair applications; answered in the workspace or the API."""

    list_display = ["tracking_code", "kind", "agency", "status", "received_on", "due_date", "answered_at"]
    list_filter = ["kind", "status"]
    search_fields = ["tracking_code"]
    list_select_related = ["agency"]
    inlines = [EvidenceInline]


@admin.register(FeedEvent)
class FeedEventAdmin(ReadOnlyAdmin):
    """The outbound feed (Art. 6), in position order."""

    list_display = ["position", "record", "action", "public", "at"]
    list_filter = ["action", "public"]
    list_select_related = ["record"]
    show_full_result_count = False


@admin.register(OpenDataDump)
class OpenDataDumpAdmin(ReadOnlyAdmin):
    """The daily open-data dumps (README "Open data"): read-only; the job makes and deletes them."""

    list_display = ["day", "state", "started_at", "finished_at", "lease_owner", "lease_until"]
    list_filter = ["state"]
    readonly_fields = ("day", "state", "files", "started_at", "finished_at", "lease_owner", "lease_until", "error")
    fields = readonly_fields


@admin.register(FeedPush)
class FeedPushAdmin(ReadOnlyAdmin):
    """Push delivery to the provincial platform (Art. 6): read-only, with the lag and the last
    error; one action clears the backoff so the next attempt starts now (audited)."""

    list_display = ["acknowledged_position", "newest_position", "lag", "consecutive_failures", "short_error",
                    "last_error_at", "last_success_at", "next_attempt_at", "lease_owner", "lease_until"]
    list_display_links = ["acknowledged_position"]
    readonly_fields = (
        "configured", "acknowledged_position", "newest_position", "lag", "last_success_at", "last_error",
        "last_error_at", "last_error_position", "consecutive_failures", "next_attempt_at", "lease_owner", "lease_until",
    )
    fields = readonly_fields
    actions = ["reset_backoff"]

    def _status(self) -> dict[str, Any]:
        return feed_push_status()

    @admin.display(description=_("configured"), boolean=True)
    def configured(self, obj: FeedPush) -> bool:
        return bool(self._status()["configured"])

    @admin.display(description=_("newest position"))
    def newest_position(self, obj: FeedPush) -> int:
        return int(self._status()["newest_position"])

    @admin.display(description=_("lag (events not yet acknowledged)"))
    def lag(self, obj: FeedPush) -> int:
        return int(self._status()["lag"])

    @admin.display(description=_("last error"))
    def short_error(self, obj: FeedPush) -> str:
        return obj.last_error[:120]

    def has_reset_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)  # whoever may only look at the row may not act on it

    @admin.action(description=_("Retry now (clear the backoff)"), permissions=["reset"])
    def reset_backoff(self, request: HttpRequest, queryset: QuerySet[FeedPush]) -> None:
        feed_push_reset(actor=request.user)  # type: ignore[arg-type]
        self.message_user(request, gettext("The backoff is cleared: delivery is retried now."))


@admin.register(SignedTreeHead)
class SignedTreeHeadAdmin(ReadOnlyAdmin):
    """The transparency log's signed tree heads (kept forever)."""

    list_display = ["tree_size", "signed_timestamp", "key", "origin"]
    list_select_related = ["key"]
    fields = ["tree_size", "signed_timestamp", "root_hash_base64", "key", "origin"]
    readonly_fields = ["signed_timestamp", "root_hash_base64"]

    @admin.display(description=_("timestamp"), ordering="timestamp")
    def signed_timestamp(self, head: SignedTreeHead) -> str:
        """The timestamp exactly as the API serves it and the signature covers it."""
        return head_time(head.timestamp)

    @admin.display(description=_("root hash"))
    def root_hash_base64(self, head: SignedTreeHead) -> str:
        return b64(head.root_hash)


@admin.register(TransparencyKey)
class TransparencyKeyAdmin(ReadOnlyAdmin):
    """Every key that has signed a tree head (a rotated-out key stays: its heads still verify)."""

    list_display = ["key_id", "first_used"]


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Django's user admin for the project's user model; roles are set on staff memberships."""


@admin.register(BackfillBatch)
class BackfillBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "file_name", "imported_by", "imported_at", "rows", "created", "published", "skipped")
    list_select_related = ("imported_by",)


# -- the publicity rule table (NDRC Order 2025 No. 36; defaults in disclosure.kinds.publicity) -------
_RECOMPUTE_NOTE = _("Every published penalty and dishonest-list record is being recomputed under the rule table "
                    "in force (a background job; also `manage.py recompute_publicity`).")


class _PublicityRowAdmin(admin.ModelAdmin):
    """A row of the rule table: an edit is audited (before and after) and recomputes what is published."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a class without a row could not be published; edit the row instead

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        publicity_rules_changed(actor=request.user, row=obj,  # type: ignore[arg-type]
                                changes={f: [form.initial.get(f), form.cleaned_data.get(f)] for f in form.changed_data})
        self.message_user(request, _RECOMPUTE_NOTE)


class PublicityPeriodInline(admin.TabularInline):
    model = PublicityPeriod
    extra = 0
    can_delete = False
    fields = ["publicity_class", "min_months", "max_months", "counted_from", "shown", "source"]
    readonly_fields = ["publicity_class", "min_months", "max_months", "counted_from", "shown", "source"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PublicityProfile)
class PublicityProfileAdmin(_PublicityRowAdmin):
    list_display = ["name", "code", "active", "revision", "low_fine_person_yuan", "low_fine_organization_yuan",
                    "simple_procedure_shown"]
    readonly_fields = ["code", "active", "revision"]
    inlines = [PublicityPeriodInline]
    actions = ["put_in_force"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a profile comes with its rows (migration 0020); edit one of them instead

    @admin.action(description=_("Put the selected profile in force"))
    def put_in_force(self, request: HttpRequest, queryset: QuerySet[PublicityProfile]) -> None:
        if queryset.count() != 1:
            self.message_user(request, gettext("Select exactly one profile."), level="error")
            return
        try:
            profile = publicity_profile_activate(actor=request.user, code=queryset.get().code)  # type: ignore[arg-type]
        except ServiceError as exc:
            self.message_user(request, exc.message, level="error")
            return
        self.message_user(request, gettext("%(name)s is in force.") % {"name": profile.name})
        self.message_user(request, _RECOMPUTE_NOTE)


@admin.register(PublicityPeriod)
class PublicityPeriodAdmin(_PublicityRowAdmin):
    list_display = ["profile", "publicity_class", "min_months", "max_months", "counted_from", "shown", "source"]
    list_filter = ["profile"]
    readonly_fields = ["profile", "publicity_class"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # every profile has its four rows (migration 0020)


@admin.register(PenaltyClassRule)
class PenaltyClassRuleAdmin(_PublicityRowAdmin):
    list_display = ["profile", "penalty_type", "severity", "source"]
    list_filter = ["profile", "severity"]
    readonly_fields = ["profile", "penalty_type"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row per category of Art. 9 (migration 0020)
