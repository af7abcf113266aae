"""Service errors are siblings with one status each, and a refusal cannot be rolled back."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIRequestFactory

from backend.api import exception_handler
from backend.errors import FORM_ERRORS, AccessDenied, ApplicationError, ConflictError, NotVisible, ServiceError
from disclosure.models import Agency, AuditEntry
from disclosure.services.audit import audit_refusal
from tests.conftest import Staff, penalty

ERRORS = {ApplicationError: 400, ConflictError: 409, AccessDenied: 403, NotVisible: 404}


@pytest.mark.parametrize(("error", "status"), ERRORS.items())
def test_each_error_has_its_status_and_none_is_bad_input_but_itself(error: type[ServiceError], status: int) -> None:
    others = [e for e in ERRORS if e is not error]
    assert issubclass(error, ServiceError)
    assert not any(issubclass(error, other) for other in others)
    try:
        raise error("nope", {"field": ["why"]})
    except ApplicationError:
        caught_as_bad_input = True
    except ServiceError:
        caught_as_bad_input = False
    assert caught_as_bad_input is (error is ApplicationError)
    assert (error in FORM_ERRORS) is (status in (400, 409))
    request = APIRequestFactory().get("/")
    response = exception_handler(error("nope", {"field": ["why"]}), {"request": request})
    assert response is not None
    assert (response.status_code, response.data) == (status, {"detail": "nope", "errors": {"field": ["why"]}})


@pytest.mark.django_db(transaction=True)
def test_a_refusal_inside_another_transaction_is_refused_not_lost(clerk: Staff) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_refusal(actor=None, action="record.publish", object_type="record", object_id=1)
    assert not AuditEntry.objects.filter(outcome="refused").exists()
    audit_refusal(actor=None, action="record.publish", object_type="record", object_id=1)
    assert AuditEntry.objects.filter(outcome="refused").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_refused_request_leaves_its_refusal_committed(clerk: Staff, outsider: Staff) -> None:
    record = clerk.client().post("/api/v1/records/", penalty(), format="json").json()
    response = outsider.client().post(f"/api/v1/records/{record['id']}/publish/", {}, format="json")
    assert response.status_code == 404
    assert list(AuditEntry.objects.filter(outcome="refused").values_list("action", "object_id")) == [
        ("record.publish", str(record["id"]))]


def test_a_workspace_role_change_outside_ones_tree_is_a_404_and_a_refused_one_a_403(
        make_staff: Callable[[str, str], Staff], outsider: Staff, tree: dict[str, Agency]) -> None:
    admin = make_staff("lianshan-amr", "agency_admin")
    web = Client()
    web.force_login(admin.user)

    def change(user_id: int, role: str) -> int:
        data = {f"u{user_id}-agency": tree["lianshan-amr"].code, f"u{user_id}-role": role}
        return web.post(f"/workspace/users/{user_id}/role/", data).status_code

    assert change(outsider.user.pk, "clerk") == 404  # not a form message: the account is not in view
    assert change(admin.user.pk, "viewer") == 403  # one's own role: refused, and audited
    assert AuditEntry.objects.filter(outcome="refused", action="user.role").count() == 1
