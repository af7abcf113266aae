from django.urls import path
from rest_framework.routers import SimpleRouter

from disclosure import apis

router = SimpleRouter()
router.register("records", apis.RecordViewSet, basename="record")

urlpatterns = [
    path("agencies/", apis.AgencyList.as_view(), name="agency-list"),
    path("users/", apis.UserCreate.as_view(), name="user-create"),
    *router.urls,
]
