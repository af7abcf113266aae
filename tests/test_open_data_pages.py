"""The ``/open-data/`` page in real headless Chromium at desktop and phone widths, with axe-core:
the kept days with their files, the schema, the download, and the page in English."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from disclosure.models import OpenDataDump
from disclosure.services.open_data import open_data_dump
from tests.conftest import Staff, publish_record
from tests.support.axe import assert_accessible

SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to keep the screenshots (e.g. /tmp/shots)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, settings: Any) -> Iterator[None]:
    cache.clear()
    settings.OPEN_DATA_ROOT = tmp_path / "open-data"
    yield




@pytest.mark.django_db
def test_the_page_in_english_and_empty(client: Client) -> None:
    empty = client.get("/open-data/").content.decode()
    assert "暂无可下载的文件" in empty and "数据结构" in empty
    english = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Open data" in english and "No dump is available yet" in english and "Column heading" in english


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_the_page_in_a_browser(live_server: Any, browser: Any, clerk: Staff, width: int, height: int) -> None:
    publish_record(clerk, title="葫芦岛市某商贸有限公司销售不合格产品案")
    publish_record(clerk, kind="permit", title="食品经营许可", subject_name="某餐饮店")
    open_data_dump()
    dump = OpenDataDump.objects.get()
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="开放数据").first.click()
        assert page.url.endswith("/open-data/")
        assert_accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/open-data-{width}.png", full_page=True)
        name = f"penalties_{dump.day:%Y%m%d}.csv"
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        data = Path(download.value.path()).read_bytes()
        assert hashlib.sha256(data).hexdigest() == dump.files[name]["sha256"]
        assert "罚款金额（万元）" in data.decode("utf-8-sig")
    finally:
        context.close()
