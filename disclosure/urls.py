from django.urls import path
from rest_framework.routers import SimpleRouter

from disclosure import apis, apis_exchange, apis_public
from disclosure import apis_transparency as tlog

router = SimpleRouter()
router.register("records", apis.RecordViewSet, basename="record")
router.register("requests", apis_public.RequestViewSet, basename="request")

urlpatterns = [
    path("agencies/", apis.AgencyList.as_view(), name="agency-list"),
    path("users/", apis.UserCreate.as_view(), name="user-create"),
    path("records/<int:pk>/notices/", apis.RecordNotices.as_view(), name="record-notices"),
    path("public/records/", apis_public.PublicRecordList.as_view(), name="public-record-list"),
    path("public/records/<str:pk>/", apis_public.PublicRecordDetail.as_view(), name="public-record-detail"),
    path("public/entities/<str:code>/", apis_public.PublicEntity.as_view(), name="public-entity"),
    path("public/corrections/", apis_public.CorrectionCreate.as_view(), name="public-correction-create"),
    path("public/queries/", apis_public.QueryCreate.as_view(), name="public-query-create"),
    path("public/statements/", apis_public.StatementCreate.as_view(), name="public-statement-create"),
    path("public/repairs/", apis_public.RepairCreate.as_view(), name="public-repair-create"),
    path("public/requests/<str:code>/", apis_public.PublicRequestStatus.as_view(), name="public-request-status"),
    path("public/requests/<str:code>/reply.pdf", apis_public.PublicReplyPdf.as_view(), name="public-reply-pdf"),
    path("public/deadline/", apis_public.DeadlineCalculator.as_view(), name="public-deadline"),
    path("feed/", apis_public.Feed.as_view(), name="feed"),
    path("transparency/sth/", tlog.TreeHead.as_view(), name="transparency-sth"),
    path("transparency/public-keys/", tlog.PublicKeys.as_view(), name="transparency-public-keys"),
    path("transparency/leaves/", tlog.Leaves.as_view(), name="transparency-leaves"),
    path("transparency/proof/inclusion/", tlog.InclusionProof.as_view(), name="transparency-inclusion"),
    path("transparency/proof/consistency/", tlog.ConsistencyProof.as_view(), name="transparency-consistency"),
    path("transparency/checkpoint", tlog.Checkpoint.as_view(), name="transparency-checkpoint"),
    path("exchange/<str:dataset>/", apis_exchange.Exchange.as_view(), name="exchange"),
    # API.md names the letter without a trailing slash; the router would add one.
    path("requests/<str:pk>/reply.pdf", apis_public.RequestViewSet.as_view({"get": "reply_pdf"}),
         name="request-reply-pdf"),
    *router.urls,
]
