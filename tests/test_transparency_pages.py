"""The transparency log's public pages: /transparency/ (head, keys, how to verify, API links) and
the "verify this record" section of a record page, through the test client and in real headless
Chromium at desktop and phone widths, with axe-core."""
from __future__ import annotations

import base64
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from disclosure import merkle
from disclosure.services.transparency import tree_head_sign
from tests.conftest import Staff, publish_record
from tests.support.axe import assert_accessible

SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to keep the screenshots (e.g. /tmp/shots)


@pytest.fixture(autouse=True)
def _isolated() -> None:
    cache.clear()




@pytest.mark.django_db
def test_the_page_shows_the_head_keys_and_how_to_verify(clerk: Staff, client: Client,
                                                          clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    empty = client.get("/transparency/").content.decode()
    assert "尚未签发树头" in empty
    for i in range(3):
        publish_record(clerk, title=f"案{i}")
    head = tree_head_sign()
    page = client.get("/transparency/").content.decode()
    assert "透明日志" in page and base64.b64encode(bytes(head.root_hash)).decode() in page
    assert "\u2014 " in page and "verify_transparency.py" in page and "--key " in page
    assert "/api/v1/transparency/proof/consistency/" in page
    # The signing time readable in Beijing time; the exact signed string in the machine-readable attribute.
    assert '<time datetime="2026-09-29T10:00:00.000+08:00" id="signed-at">2026-09-29 10:00:00</time>' in page
    # (UTC in Python: the page shows it in Beijing time.)
    assert head.timestamp.isoformat(timespec="milliseconds").endswith("02:00:00.000+00:00")
    english = client.get("/transparency/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How to verify, step by step" in english and "Current signed tree head" in english
    verifier = client.get("/transparency/verify_transparency.py")
    assert verifier.status_code == 200 and b"def inclusion_ok" in verifier.content


@pytest.mark.django_db
def test_a_record_page_offers_its_inclusion_proof(clerk: Staff, client: Client, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    first = publish_record(clerk, title="较早的案件")
    tree_head_sign()
    later = publish_record(clerk, title="较晚的案件")
    page = client.get(f"/records/{first}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Verify this record" in page and f"--record {first} --version 2" in page
    key = APIClient().get("/api/v1/transparency/public-keys/").json()[-1]["note_verifier_key"]
    assert f"--key {key}" in page  # the command pins the key: a "yes" does not rest on the server's list
    assert f"/api/v1/transparency/proof/inclusion/?record={first}&amp;version=2&amp;tree_size=1" in page
    proof = client.get(f"/api/v1/transparency/proof/inclusion/?record={first}&version=2&tree_size=1").json()
    assert proof["audit_path"] == [] and proof["leaf_hash"] == base64.b64encode(
        merkle.leaf_hash(base64.b64decode(proof["leaf"]))).decode()
    newer = client.get(f"/records/{later}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "newer than the last signed tree head" in newer


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_the_pages_in_a_browser(live_server: Any, browser: Any, clerk: Staff, width: int, height: int) -> None:
    record = publish_record(clerk, title="葫芦岛市某商贸有限公司销售不合格产品案")
    publish_record(clerk, title="第二个案件")
    tree_head_sign()
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    try:
        for path, name in (("/transparency/", "transparency"), (f"/records/{record}/", "record")):
            page.goto(live_server.url + path)
            assert_accessible(page)
            # Nothing wider than the screen: long hashes and keys wrap.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        page.goto(live_server.url + f"/records/{record}/")
        page.get_by_role("link", name="包含证明").click()
        assert '"audit_path"' in page.content()
    finally:
        context.close()
