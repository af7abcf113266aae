"""Hardening (issue 16): hostile bodies and ids, throttles behind proxies and on every public page,
existence oracles, production security settings, and a schema that says what the API answers."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import URLPattern
from rest_framework.test import APIClient

from tests.conftest import Staff, penalty

pytestmark = pytest.mark.django_db

QUERY = {"requester_name": "张三", "contact": "zhangsan@example.org", "question": "请问这家公司的许可证何时到期？",
         "agency": "lianshan-amr"}


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def is_json_error(response: Any) -> bool:
    body = json.loads(response.content)
    return response["Content-Type"].startswith("application/json") and set(body) == {"detail", "errors"}


class TestHostileBodies:
    def test_deeply_nested_json_is_a_400_not_a_crash(self, clerk: Staff) -> None:
        for client, url in ((APIClient(), "/api/v1/public/queries/"), (clerk.client(), "/api/v1/records/")):
            response = client.post(url, data="[" * 100_000, content_type="application/json")
            assert response.status_code == 400, url
            assert is_json_error(response)

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
    def test_a_body_over_the_upload_limit_gets_the_json_error_format(self, clerk: Staff) -> None:
        response = APIClient().post("/api/v1/public/queries/", {**QUERY, "question": "问" * 20_000})
        assert response.status_code == 413
        assert is_json_error(response)
        form = {k: v for k, v in penalty().items() if k != "details"}  # multipart: no nested object
        response = clerk.client().post("/api/v1/records/", {**form, "content": "x" * 20_000})
        assert response.status_code == 413
        assert is_json_error(response)

    def test_an_api_url_that_no_route_matches_is_a_json_404(self, clerk: Staff) -> None:
        for path in ("/api/v1/records/1.5/", "/api/v1/notifications/a,b/read/", "/api/v1/nothing/"):
            response = clerk.client().get(path)
            assert response.status_code == 404, path
            assert is_json_error(response), path


class TestHostileIds:
    @pytest.mark.parametrize("path", [
        "/api/v1/records/%C2%B2/", "/api/v1/records/%C2%B2/versions/", "/api/v1/inspections/plans/%C2%B2/",
        "/api/v1/inspections/tasks/%D9%A3/", "/api/v1/inspections/draws/%C2%B2/verify/",
    ])
    def test_unicode_digits_in_an_id_are_a_404(self, clerk: Staff, path: str) -> None:
        response = clerk.client().get(path)
        assert response.status_code == 404
        assert is_json_error(response)

    def test_unicode_digits_in_a_filter_are_ignored(self, clerk: Staff) -> None:
        assert clerk.client().get("/api/v1/inspections/tasks/?plan=%C2%B2").status_code == 200

    @pytest.mark.parametrize("digits", ["²", "١٢", "１２", "12345678901234567890"])
    def test_unicode_digits_in_page_and_form_fields_are_no_id(self, clerk: Staff, clock: Callable[[str], None],
                                                               digits: str) -> None:
        """Every id a page or form takes goes through one check: "²" is a digit to str.isdigit()
        that int() refuses, "١٢" and "１２" are digits int() reads, and neither is an id of ours."""
        clock("2026-10-09")
        record = clerk.client().post("/api/v1/records/", penalty(event_date="2026-10-09"), format="json").json()
        web = Client()
        web.force_login(clerk.user)
        diff = web.get(f"/workspace/records/{record['id']}/", {"a": digits, "b": "1"})
        assert diff.status_code == 200
        bulk = web.post("/workspace/records/publish/", {"record": [digits]})
        assert bulk.status_code in (200, 302)
        assert clerk.client().get(f"/api/v1/records/{record['id']}/").json()["status"] == "draft"
        inbox = web.post("/workspace/inbox/", {"read": digits})
        assert inbox.status_code == 302
        form = Client().post(f"/corrections/new/?record={digits}", {**QUERY, "record": digits})
        assert form.status_code == 400  # the form again, with its errors: no such record
        assert form["Content-Type"].startswith("text/html")
        assert APIClient().get("/search/", {"page": digits}).status_code == 200

    @pytest.mark.parametrize("number", ["58129166746295942118362350892645089280", "١٢", "-1", "1.5"])
    def test_a_record_number_no_link_of_ours_carries_is_a_400(self, tree: Any, number: str) -> None:
        """A number past 18 digits reached SQLite as an int it cannot bind (a 500, found by the schema
        fuzzing); Unicode digits were read as an id. Corrections, queries and credit repairs alike."""
        for url, body, fmt in (
            ("/api/v1/public/corrections/", {"requester_name": "张三", "contact": "x", "description": "x"},
             "multipart"),
            ("/api/v1/public/repairs/", {"requester_name": "张三", "contact": "x", "commitment": "x"}, "multipart"),
            ("/api/v1/public/queries/", QUERY, "json"),
            ("/api/v1/public/queries/", QUERY, "multipart"),
        ):
            response = APIClient().post(url, {**body, "record": number}, format=fmt)
            assert response.status_code == 400, (url, fmt, response.content)
            assert is_json_error(response) and "record" in response.json()["errors"]
        huge = APIClient().post("/api/v1/public/queries/", {**QUERY, "record": 10**40}, format="json")
        assert huge.status_code == 400 and "record" in huge.json()["errors"]

    @pytest.mark.parametrize("path", [
        "/api/v1/records/?agency=a%00b", "/api/v1/audit/timeliness/?agency=a%00b",
        "/api/v1/inspections/entities/?q=%00", "/api/v1/records/a%00b/",
    ])
    def test_a_nul_byte_in_the_url_is_a_400(self, clerk: Staff, path: str) -> None:
        response = clerk.client().get(path)
        assert response.status_code == 400
        assert is_json_error(response)

    def test_a_nul_byte_in_a_page_url_is_a_400_page(self, clerk: Staff) -> None:
        response = APIClient().get("/search/?q=a%00b")
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")


class TestThrottles:
    @override_settings(PUBLIC_SUBMIT_RATE="3/hour")
    def test_a_forged_x_forwarded_for_does_not_reset_the_count(self, tree: Any) -> None:
        statuses = [
            APIClient().post("/api/v1/public/queries/", QUERY, format="json",
                             HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
            for i in range(6)
        ]
        assert statuses == [201, 201, 201, 429, 429, 429]

    @override_settings(PUBLIC_SUBMIT_RATE="2/hour",
                       REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": 1})
    def test_behind_one_proxy_the_address_it_saw_is_the_client(self, tree: Any) -> None:
        def submit(xff: str) -> int:
            return APIClient().post("/api/v1/public/queries/", QUERY, format="json",
                                    HTTP_X_FORWARDED_FOR=xff).status_code

        # The client may put anything in front; the proxy appends the address it saw.
        assert [submit(f"forged-{i}, 203.0.113.7") for i in range(3)] == [201, 201, 429]
        assert submit("198.51.100.9") == 201  # another client

    def test_num_proxies_comes_from_the_environment_and_defaults_to_zero(self) -> None:
        assert settings.REST_FRAMEWORK["NUM_PROXIES"] == int(os.environ.get("NUM_PROXIES", "0"))

    @override_settings(PUBLIC_SEARCH_RATE="2/minute")
    def test_record_and_entity_pages_are_throttled(self, clerk: Staff, clock: Callable[[str], None]) -> None:
        clock("2026-09-29")
        record = clerk.client().post("/api/v1/records/", penalty(), format="json").json()
        clerk.client().post(f"/api/v1/records/{record['id']}/publish/", {}, format="json")
        for path in (f"/records/{record['id']}/", f"/entity/{penalty()['subject_code']}/"):
            cache.clear()
            statuses = [APIClient().get(path).status_code for _ in range(3)]
            assert statuses == [200, 200, 429], path

    def test_every_portal_page_is_throttled(self) -> None:
        from backend.middleware import is_public_page
        from disclosure.portal import urls

        names = [p.name for p in urls.urlpatterns if isinstance(p, URLPattern)]
        assert names and all(is_public_page(name, "") for name in names)
        assert not is_public_page("records", "workspace") and not is_public_page("schema", "")


class TestExistenceOracles:
    def test_a_result_naming_another_agencys_task_is_answered_like_a_missing_one(
        self, clerk: Staff, outsider: Staff, clock: Callable[[str], None]
    ) -> None:
        clock("2026-09-29")
        task = outsider.client().post("/api/v1/records/", penalty(
            agency="longgang-amr", kind="inspection_task", title="检查任务"), format="json").json()
        other = outsider.client().post("/api/v1/records/", penalty(agency="longgang-amr"), format="json").json()

        def errors(task_id: int) -> Any:
            response = clerk.client().post("/api/v1/records/", penalty(
                kind="inspection_result", task=task_id, title="检查结果"), format="json")
            assert response.status_code == 400
            return [m.replace(str(task_id), "ID") for m in response.json()["errors"]["task"]]

        assert errors(task["id"]) == errors(other["id"]) == errors(10**9)

    def test_a_viewer_learns_nothing_about_usernames(self, make_staff: Callable[[str, str], Staff],
                                                     clerk: Staff) -> None:
        viewer = make_staff("lianshan-amr", "viewer")
        body = {"password": "a-long-enough-password-1", "agency": "lianshan-amr", "role": "clerk"}
        taken = viewer.client().post("/api/v1/users/", {**body, "username": clerk.user.username}, format="json")
        free = viewer.client().post("/api/v1/users/", {**body, "username": "nobody-has-this"}, format="json")
        assert taken.status_code == free.status_code == 403
        assert taken.json() == free.json()


def _production(**env: str) -> subprocess.CompletedProcess[str]:
    script = ("import django; django.setup(); from django.conf import settings as s; import json; print(json.dumps({"
              "'cache': s.CACHES['default']['BACKEND'], 'hsts': s.SECURE_HSTS_SECONDS, "
              "'redirect': s.SECURE_SSL_REDIRECT, 'csp': s.CONTENT_SECURITY_POLICY}))")
    clean = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "DJANGO_ALLOW_LOCAL_CACHE"}}
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "backend.settings.production", "DJANGO_SECRET_KEY": "x" * 50,
             "DJANGO_DEBUG": "0", "TRANSPARENCY_SIGNING_KEY": "A" * 43 + "=", **env},
    )


class TestProductionSettings:
    def test_production_refuses_to_start_without_a_shared_cache(self) -> None:
        result = _production()
        assert result.returncode != 0 and "CACHE_URL" in result.stderr

    def test_production_counts_in_redis_and_sends_the_security_headers(self) -> None:
        result = _production(CACHE_URL="redis://127.0.0.1:6379/1")
        assert result.returncode == 0, result.stderr
        values = json.loads(result.stdout)
        assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
        assert values["hsts"] >= 365 * 24 * 3600 and values["redirect"] is True
        assert "script-src 'self'" in values["csp"]

    def test_the_https_redirect_has_a_switch_and_a_local_cache_must_be_asked_for(self) -> None:
        result = _production(DJANGO_ALLOW_LOCAL_CACHE="1", DJANGO_SECURE_SSL_REDIRECT="0")
        assert result.returncode == 0, result.stderr
        values = json.loads(result.stdout)
        assert values["redirect"] is False and values["cache"].endswith("LocMemCache")

    def test_every_response_carries_the_content_security_policy(self, db: None) -> None:
        for path in ("/", "/api/v1/public/records/", "/workspace/login/", "/api/docs/"):
            policy = APIClient().get(path)["Content-Security-Policy"]
            assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in \
                policy.split("script-src")[1].split(";")[0], path


class TestSchema:
    @pytest.fixture
    def schema(self, db: None) -> dict[str, Any]:
        response = APIClient().get("/api/schema/?format=json")
        assert response.status_code == 200
        return dict(json.loads(response.content))

    def test_the_schema_says_what_the_api_answers(self, schema: dict[str, Any]) -> None:
        components = schema["components"]["schemas"]
        assert components["AgencyOutput"]["properties"]["parent"].get("nullable") is True
        timeliness = schema["paths"]["/api/v1/audit/timeliness/"]["get"]["responses"]["200"]
        ref = timeliness["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        assert components[ref]["type"] == "object" and {"from", "to", "as_of", "results"} <= set(
            components[ref]["properties"])
        users = schema["paths"]["/api/v1/users/"]["post"]
        assert "requestBody" in users
        ref = users["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        assert set(components[ref]["properties"]) == {"username", "agency", "role", "token"}
        feed = schema["paths"]["/api/v1/feed/"]["get"]["responses"]["200"]
        ref = feed["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        assert {"events", "next", "has_more"} <= set(components[ref]["properties"])
        assert "/api/v1/public/deadline/" in schema["paths"]

    def test_every_operation_documents_the_error_format(self, schema: dict[str, Any]) -> None:
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                assert {"400", "401", "403", "404"} <= set(operation["responses"]), (method, path)
