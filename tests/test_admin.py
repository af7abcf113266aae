"""The admin shows what the services wrote and lets nobody change it by hand."""
from __future__ import annotations

import pytest
from django.test import Client

from disclosure.models import User

READ_ONLY = ["disclosure/record", "disclosure/recordversion", "disclosure/auditentry", "disclosure/citizenrequest",
             "disclosure/feedevent", "scheduler/notice", "scheduler/sweeprun", "inspections/draw",
             "reports/monthlyreport", "disclosure/signedtreehead", "disclosure/transparencykey"]


@pytest.mark.django_db
@pytest.mark.parametrize("model", READ_ONLY)
def test_lists_open_and_adding_is_refused(superuser: User, model: str) -> None:
    client = Client()
    client.force_login(superuser)
    assert client.get(f"/admin/{model}/").status_code == 200
    assert client.get(f"/admin/{model}/add/").status_code == 403
