"""The Content-Security-Policy in a real browser: the portal, the workspace and the API docs work
under it, and Chromium reports no violation (no inline script, nothing from another origin)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Staff, needs_chromium, penalty, sign_in

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def _violations(page: Any) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text else None)
    return found


def test_pages_work_under_the_content_security_policy(
    live_server: Any, page: Any, clerk: Staff, clock: Callable[[str], None]
) -> None:
    clock("2026-09-29")
    record = clerk.client().post("/api/v1/records/", penalty(), format="json").json()
    clerk.client().post(f"/api/v1/records/{record['id']}/publish/", {}, format="json")
    violations = _violations(page)

    for path in ("/", f"/records/{record['id']}/", f"/entity/{penalty()['subject_code']}/", "/deadline/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200 and "default-src 'self'" in response.headers["content-security-policy"]

    sign_in(page, live_server, clerk.user)
    page.goto(live_server.url + "/workspace/records/new/?kind=penalty")
    # The credit-code check (workspace/credit_code.js, a script from this site) runs under the policy.
    page.locator("input[name=subject_code]").fill("91211400MA0000000X")
    page.locator("input[name=subject_code]").blur()
    page.goto(live_server.url + f"/workspace/records/{record['id']}/")
    assert page.locator("h1").count() == 1

    page.goto(live_server.url + "/api/docs/")
    page.locator(".swagger-ui .info").wait_for()  # Swagger UI started: its set-up script is a file now
    assert violations == []
