"""One access guard for every service, and ``has_perm`` that answers subtree grants as the selectors do."""
from __future__ import annotations

import pytest

from disclosure.models import Agency, AuditEntry, Record
from disclosure.selectors.access import ACT, AUDIT, MANAGE_USERS, VIEW
from disclosure.services.requests import query_submit, request_for_action
from tests.conftest import Staff, penalty

pytestmark = pytest.mark.django_db


def test_a_grant_on_an_agency_answers_has_perm_for_its_whole_subtree(
        clerk: Staff, auditor: Staff, superuser: object, tree: dict[str, Agency]) -> None:
    station, own, sibling = tree["lianshan-amr-station"], tree["lianshan-amr"], tree["longgang-amr"]
    user = clerk.user
    for perm in (VIEW, ACT, f"disclosure.{ACT}"):
        assert user.has_perm(perm, own) and user.has_perm(perm, station)  # the station through its parent
        assert not user.has_perm(perm, sibling) and not user.has_perm(perm, tree["city"])
    assert not user.has_perm(MANAGE_USERS, station)  # a clerk holds no user management
    assert not user.has_perm("disclosure.change_record", station)  # not an agency grant: other backends
    assert auditor.user.has_perm(AUDIT, station) and not auditor.user.has_perm(ACT, station)
    record = clerk.client().post("/api/v1/records/", penalty(agency="lianshan-amr-station"), format="json").json()
    assert user.has_perm(ACT, Record.objects.get(pk=record["id"]))  # anything with an agency
    # A system administrator sees and manages everything but acts for no agency ("谁产生、谁公示").
    assert superuser.has_perm(VIEW, station) and not superuser.has_perm(ACT, station)  # type: ignore[attr-defined]


def test_every_refusal_of_a_request_is_audited_also_when_the_request_is_not_even_visible(
        clerk: Staff, outsider: Staff) -> None:
    record = clerk.client().post("/api/v1/records/", penalty(), format="json").json()
    clerk.client().post(f"/api/v1/records/{record['id']}/publish/", {}, format="json")
    request = query_submit(requester_name="张三", contact="13800000000", question="处罚依据是什么？",
                           record_id=record["id"], agency_code="")
    from backend.errors import NotVisible

    with pytest.raises(NotVisible):
        request_for_action(actor=outsider.user, request_id=request.pk)
    refused = AuditEntry.objects.filter(outcome="refused").values_list("action", "object_id", "actor_name")
    assert list(refused) == [("request.answer", str(request.pk), outsider.user.username)]
    assert request_for_action(actor=clerk.user, request_id=request.pk).pk == request.pk
