"""The setup commands of API.md work as written."""
from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_createsuperuser_noinput_and_drf_create_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "correct-horse-battery-42")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.org")
    call_command("createsuperuser", "--noinput", stdout=StringIO())
    out = StringIO()
    call_command("drf_create_token", "root", stdout=out)
    key = Token.objects.get(user__username="root").key
    assert key in out.getvalue()
    assert get_user_model().objects.get(username="root").is_superuser
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/records/").status_code == 200


def test_health(client: object) -> None:
    response = APIClient().get("/health/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "last_sweep_at": None, "sweep_stale": True,
                               "audit_check": None, "feed_push": {
                                   "configured": False, "acknowledged_position": 0, "newest_position": 0, "lag": 0,
                                   "last_success_at": None, "last_error_at": None,
                                   "last_error_position": None, "consecutive_failures": 0, "next_attempt_at": None,
                                   "delivering": False}}


def test_schema_names_the_contract() -> None:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/records/", "/api/v1/records/{id}/publish/", "/api/v1/records/{id}/change/",
                 "/api/v1/records/{id}/revoke/", "/api/v1/records/{id}/versions/", "/api/v1/agencies/",
                 "/api/v1/users/"):
        assert path in paths, path
