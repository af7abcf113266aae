"""Public search over the masked projection (issue: one public projection, searched in Chinese):
what a citizen types is found, what is masked is not findable, ranking, capped counts, the entity
profile, reindexing, and bad input. Runs on SQLite (FTS5) and on PostgreSQL (tsvector + GIN)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from disclosure.models import PublicRecord, Record
from tests.conftest import OTHER_CODE, VALID_CODE, Staff, publish_record

pytestmark = pytest.mark.django_db

ID18 = "21140219850307123X"
MOBILE = "13812345678"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()




def found(client: APIClient, q: str, **params: str) -> list[int]:
    response = client.get("/api/v1/public/records/", {"q": q, **params})
    assert response.status_code == 200, response.content
    return [r["id"] for r in response.json()["results"]]


@pytest.fixture
def corpus(clerk: Staff, clock: Callable[..., None]) -> dict[str, int]:
    clock("2026-09-29")
    return {
        "cake": publish_record(clerk, title="某食品店销售过期糕点案", subject_name="葫芦岛市鑫源食品有限公司",
                        content="经查，当事人销售超过保质期的糕点，罚款人民币五千元。",
                        document_number="连市监罚〔2026〕118号"),
        "unlicensed": publish_record(clerk, title="无照经营查处", subject_name="连山区某五金店",
                                     subject_code=OTHER_CODE,
                              content="当事人从事无照经营活动，责令停止。", document_number="连市监罚〔2026〕119号",
                              legal_basis="《无证无照经营查处办法》第十三条"),
        "other": publish_record(clerk, title="产品质量抽查", subject_name="某某工贸有限公司", subject_code="",
                         subject_type="organization_without_code" if False else "natural_person",
                         content="抽查合格。", document_number="", backfill=True),  # 补录: as it is
    }


def test_search_finds_what_citizens_type(corpus: dict[str, int], anonymous: APIClient) -> None:
    cake, unlicensed = corpus["cake"], corpus["unlicensed"]
    assert found(anonymous, "糕点") == [cake]  # a two-character word of the title and the content
    assert found(anonymous, "保质期") == [cake]  # a word of the content only
    assert found(anonymous, "无照") == [unlicensed]
    assert found(anonymous, "无照经营") == [unlicensed]
    assert found(anonymous, "鑫源") == [cake]  # a fragment of the name
    assert found(anonymous, "连市监罚〔2026〕118号") == [cake]  # a document number, typed whole
    assert found(anonymous, "连市监罚[2026]118号") == [cake]  # …or with other brackets
    assert found(anonymous, "连山区 五金") == [unlicensed]  # two words, both required
    assert found(anonymous, "五金 糕点") == []
    assert found(anonymous, "第十三条") == [unlicensed]  # the legal basis
    assert found(anonymous, OTHER_CODE) == [unlicensed]  # a credit code in the keyword box
    assert found(anonymous, OTHER_CODE.lower()) == [unlicensed]
    full_width = OTHER_CODE.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert found(anonymous, full_width) == [unlicensed]
    assert found(anonymous, "鑫源糕点") == []  # a phrase: its characters apart do not match
    assert found(anonymous, "糕") == [cake]  # one character: any word starting with it


def test_exact_identifiers_rank_first_then_title_then_content(clerk: Staff, anonymous: APIClient,
                                                              clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    in_content = publish_record(clerk, title="检查通报", content=f"涉及企业{OTHER_CODE}的糕点问题。",
                                subject_code=VALID_CODE)
    exact = publish_record(clerk, title="罚款决定", subject_code=OTHER_CODE, document_number="连市监罚〔2026〕7号")
    in_title = publish_record(clerk, title="糕点抽检不合格", content="无。")
    newer_in_content = publish_record(clerk, title="通报", content="糕点。")
    assert found(anonymous, OTHER_CODE) == [exact, in_content]
    assert found(anonymous, "糕点") == [in_title, newer_in_content, in_content]
    assert found(anonymous, "连市监罚〔2026〕7号")[0] == exact


def test_masked_data_is_not_findable(clerk: Staff, anonymous: APIClient, client: Any,
                                     clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    text = (f"当事人张三丰，身份证号{ID18}，手机{MOBILE}，住址：辽宁省葫芦岛市连山区站前街12号3单元501室。"
            "销售过期糕点。")
    permit = publish_record(clerk, kind="permit", subject_type="natural_person", subject_code="", subject_name="张三丰",
                     title="张三丰食品经营许可", content=text, document_number="连市监许〔2026〕5号")
    assert found(anonymous, "糕点") == [permit]
    for probe in (ID18, ID18[:17], MOBILE, "138 1234 5678", "张三丰", "三丰", "站前街", "12号3单元", "501室",
                  "２１１４０２１９８５０３０７１２３Ｘ"):
        assert found(anonymous, probe) == [], probe
        assert "张三丰食品" not in client.get("/search/", {"q": probe}).content.decode()
    # What is shown stays findable: the de-identified name's first character, the district.
    assert found(anonymous, "张") == [permit]
    assert found(anonymous, "连山区 糕点") == [permit]


@override_settings(PUBLIC_COUNT_CAP=3, PUBLIC_PAGE_SIZE=2)
def test_counts_are_capped_and_pages_stop_at_the_cap(clerk: Staff, anonymous: APIClient, client: Any,
                                                     clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    made = [publish_record(clerk, title=f"糕点案{i}") for i in range(5)]
    body = anonymous.get("/api/v1/public/records/", {"q": "糕点"}).json()
    assert body["count"] == 3 and body["count_capped"] is True and len(body["results"]) == 2
    assert body["results"][0]["id"] == made[-1]  # newest first
    second = anonymous.get("/api/v1/public/records/", {"q": "糕点", "page": "2"}).json()
    assert [r["id"] for r in second["results"]] == [made[2]] and second["next"] is None
    assert anonymous.get("/api/v1/public/records/", {"q": "糕点", "page": "9"}).json()["results"] == second["results"]
    page = client.get("/search/", {"q": "糕点"}).content.decode()
    assert "3" in page and ("3+" in page or "超过" in page or "More than" in page)
    exact = anonymous.get("/api/v1/public/records/", {"q": "糕点案4"}).json()
    assert exact["count"] == 1 and exact["count_capped"] is False


def test_pages_across_ranking_tiers(clerk: Staff, anonymous: APIClient, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    body_hits = [publish_record(clerk, title="通报", content=f"糕点{i}") for i in range(3)]
    head_hits = [publish_record(clerk, title=f"糕点{i}") for i in range(3)]
    order: list[int] = []
    for number in (1, 2, 3, 4):
        order += [r["id"] for r in anonymous.get("/api/v1/public/records/", {
            "q": "糕点", "page": str(number), "page_size": "2"}).json()["results"]]
        if number == 3:
            break
    assert order == head_hits[::-1] + body_hits[::-1]


def test_entity_profile(clerk: Staff, anonymous: APIClient, client: Any, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    first = publish_record(clerk, event_date="2026-09-01")
    permit = publish_record(clerk, kind="permit", title="食品经营许可", event_date="2026-09-10")
    publish_record(clerk, subject_code=OTHER_CODE, subject_name="另一家公司")
    body = anonymous.get(f"/api/v1/public/entities/{VALID_CODE.lower()}/").json()
    assert body["entity"] == {"code": VALID_CODE, "name": "葫芦岛市某商贸有限公司", "subject_type": "organization",
                              "counts": {"penalty": 1, "permit": 1}, "total": 2}
    assert [r["id"] for r in body["results"]] == [first, permit]  # time order
    only = anonymous.get(f"/api/v1/public/entities/{VALID_CODE}/", {"kind": "permit"}).json()
    assert [r["id"] for r in only["results"]] == [permit]
    html = client.get(f"/entity/{VALID_CODE}/").content.decode()
    assert "葫芦岛市某商贸有限公司" in html and "行政许可" in html and "(1)" in html
    assert client.get(f"/entity/{VALID_CODE}/", {"kind": "permit"}).content.decode().count("/records/") == 1
    assert anonymous.get("/api/v1/public/entities/NOSUCHCODE0000000/").json()["entity"] is None


def test_a_credit_code_of_the_wrong_length_gets_a_hint(corpus: dict[str, int], client: Any) -> None:
    page = client.get("/search/", {"q": OTHER_CODE[:17]}).content.decode()
    assert 'id="code-hint"' in page and "17" in page
    full_width = OTHER_CODE.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    right = client.get("/search/", {"q": full_width}).content.decode()
    assert 'id="code-hint"' not in right and "无照经营查处" in right
    assert 'id="code-hint"' not in client.get("/search/", {"q": "糕点"}).content.decode()


def test_the_portal_home_page_has_the_search_box(corpus: dict[str, int], client: Any) -> None:
    html = client.get("/").content.decode()
    assert 'name="q"' in html and 'role="search"' in html
    page = client.get("/search/", {"q": "无照经营"}).content.decode()
    assert "无照经营查处" in page and "过期糕点" not in page


def test_reindex_public_rebuilds_the_projection(corpus: dict[str, int], clerk: Staff, anonymous: APIClient,
                                                clock: Callable[..., None]) -> None:
    personal = publish_record(clerk, content=f"联系电话{MOBILE}，糕点")
    # A projection written under an older, weaker rule (here: the raw text) is what reindex repairs.
    PublicRecord.objects.filter(record_id=personal).update(content=f"联系电话{MOBILE}", search_body=MOBILE)
    shown = anonymous.get(f"/api/v1/public/records/{personal}/").json()["content"]
    assert MOBILE in shown  # the weaker rule's leak, as the public saw it
    before = {r.record_id: r.content for r in PublicRecord.objects.all()}
    call_command("reindex_public", "--no-progress")
    assert MOBILE not in anonymous.get(f"/api/v1/public/records/{personal}/").json()["content"]
    assert found(anonymous, MOBILE) == [] and personal in found(anonymous, "糕点")
    assert MOBILE not in anonymous.get(f"/api/v1/public/records/{personal}/").content.decode()
    after = {r.record_id: (r.content, r.search_head, r.search_body, r.history) for r in PublicRecord.objects.all()}
    call_command("reindex_public", "--no-progress", "--batch-size", "1")
    assert {r.record_id: (r.content, r.search_head, r.search_body, r.history)
            for r in PublicRecord.objects.all()} == after  # idempotent
    assert set(before) == set(after)
    call_command("reindex_public", "--no-progress", "--start-after", str(max(after)))  # resume: nothing left
    PublicRecord.objects.all().delete()
    call_command("reindex_public", "--no-progress", "--limit", "1", "--batch-size", "1")  # stops after one
    assert list(PublicRecord.objects.values_list("record_id", flat=True)) == [min(after)]
    call_command("reindex_public", "--no-progress", "--start-after", str(min(after)))  # and resumes
    assert PublicRecord.objects.count() == len(after)
    assert Record.objects.count() == 4  # nothing else changed


def test_reindex_missing_only_projects_what_an_upgrade_left_out(corpus: dict[str, int],
                                                               anonymous: APIClient) -> None:
    cake = corpus["cake"]
    kept = PublicRecord.objects.get(record_id=corpus["unlicensed"]).projected_at
    PublicRecord.objects.filter(record_id=cake).delete()  # as after migrating a database that had records
    assert found(anonymous, "糕点") == []
    call_command("reindex_public", "--missing-only", "--no-progress")
    assert found(anonymous, "糕点") == [cake]
    assert PublicRecord.objects.get(record_id=corpus["unlicensed"]).projected_at == kept  # the rest untouched
    call_command("reindex_public", "--missing-only", "--no-progress")  # nothing missing: a no-op
    assert PublicRecord.objects.count() == 3


@pytest.mark.parametrize("path", [
    "/search/?q=a%00b", "/search/?q=%00", "/search/?page=%C2%B2", "/search/?date_from=%C2%B2",
    "/entity/a%00b/", "/entity/%C2%B2/", "/records/1/", "/corrections/new/?record=%C2%B2",
    "/corrections/new/?record=%00", "/queries/new/?record=99999999999999999999999",
])
def test_bad_input_on_public_pages_is_never_a_server_error(path: str, client: Any) -> None:
    assert client.get(path).status_code in (200, 400, 404)


@pytest.mark.parametrize("path", [
    "/api/v1/public/records/%C2%B2/", "/api/v1/public/records/%00/", "/api/v1/public/records/?q=a%00b",
    "/api/v1/public/records/?subject_code=%00", "/api/v1/public/records/?page=%C2%B2",
    "/api/v1/public/records/?page=0", "/api/v1/public/entities/a%00b/", "/api/v1/public/entities/%C2%B2/",
    "/api/v1/public/records/99999999999999999999999/", "/api/v1/public/entities/X/?kind=nope",
])
def test_bad_input_on_the_public_api_is_a_json_error(path: str, anonymous: APIClient) -> None:
    response = anonymous.get(path)
    assert response.status_code in (200, 400, 404), response.content
    assert response["Content-Type"].startswith("application/json")


# -- in the browser ------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_a_citizen_searches_from_the_home_page(live_server: Any, browser: Any, clerk: Staff, width: int) -> None:
    cake = publish_record(clerk, title="某食品店销售过期糕点案", subject_name="葫芦岛市鑫源食品有限公司",
                   content="经查，当事人销售超过保质期的糕点，联系电话１３８ １２３４ ５６７８。",
                   penalty_types=["warning", "fine"], fine_amount="5000")
    publish_record(clerk, title="无照经营查处", subject_code=OTHER_CODE, subject_name="连山区某五金店")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    from tests.support.axe import assert_accessible

    page.goto(live_server.url + "/")
    assert_accessible(page)
    box = page.get_by_role("searchbox", name="关键词")
    box.fill("保质期")
    box.press("Enter")
    page.wait_for_url("**/search/**")
    assert page.locator("#count").inner_text() == "共1条结果"
    assert_accessible(page)
    # The credit code typed full-width into the same box.
    page.get_by_role("searchbox", name="关键词").fill(OTHER_CODE.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}))
    page.get_by_role("button", name="搜索").click()
    assert page.get_by_role("link", name="无照经营查处").is_visible()
    page.get_by_role("searchbox", name="关键词").fill("糕点")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="某食品店销售过期糕点案").click()
    page.wait_for_url(f"**/records/{cake}/")
    html = page.content()
    assert "警告、罚款" in html and "5000.00" in html
    assert "138 **** 5678" in page.locator("article").inner_text()  # the phone number, masked in place
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing runs off a phone
    assert_accessible(page)
    page.screenshot(path=f"/tmp/public-record-{width}.png", full_page=True)
    page.get_by_role("link", name=VALID_CODE).click()  # the entity profile
    page.wait_for_url(f"**/entity/{VALID_CODE}/")
    assert page.locator("h1").inner_text() == "葫芦岛市鑫源食品有限公司"
    assert page.get_by_role("link", name="行政处罚 (1)").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    context.close()


def test_the_plan_chosen_from_token_statistics_gives_the_same_answers(corpus: dict[str, int], clerk: Staff,
                                                                      anonymous: APIClient) -> None:
    """On PostgreSQL, with ANALYZE's token statistics, the search picks its plan from them (a scan
    in newest-first order for common words, the GIN index for rare ones); the answers are those of
    the plain plan."""
    from django.db import connection

    for i in range(30):
        publish_record(clerk, title=f"糕点抽检{i}", content="销售超过保质期的糕点。")
    queries = ["糕点", "保质期", "无照经营", "鑫源", "糕", "连山区 五金", "第十三条", OTHER_CODE,
               "连市监罚〔2026〕118号", "监罚 119号", "糕 保质期"]
    before = {q: anonymous.get("/api/v1/public/records/", {"q": q, "page_size": "100"}).json() for q in queries}
    if connection.vendor != "postgresql":
        pytest.skip("the statistics-driven plan is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE disclosure_publicrecord")
    from disclosure.selectors import public

    public._stats.clear()
    from disclosure.search_tokens import query_words

    assert public._share(query_words("糕点"), "search_vector") is not None  # statistics are read
    after = {q: anonymous.get("/api/v1/public/records/", {"q": q, "page_size": "100"}).json() for q in queries}
    assert after == before


@settings(deadline=None)  # pure arithmetic, but the machine may be busy: no per-example time limit
@given(share=st.floats(1e-6, 1.0), entries=st.floats(0.0, 3.0), rows=st.floats(1e3, 1e8),
       wanted=st.integers(1, 10_001), fetched_all=st.booleans())
def test_a_bigger_table_never_turns_a_walk_into_the_index(share: float, entries: float, rows: float, wanted: int,
                                                          fetched_all: bool) -> None:
    """The search plan follows the table's size: walking the newest-first index costs the same
    at any size, the GIN bitmap grows with it, so a walk chosen at some size is chosen at every
    larger one (and the index, once chosen, at every smaller one)."""
    from disclosure.selectors.public import _Estimate, _walk_or_index

    candidates = min(1.0, share * 3)
    small = _walk_or_index(_Estimate(rows=rows, share=share, entries=entries, candidates=candidates), wanted,
                           fetched_all=fetched_all)
    large = _walk_or_index(_Estimate(rows=rows * 10, share=share, entries=entries, candidates=candidates), wanted,
                           fetched_all=fetched_all)
    assert small in ("walk", "index") and large in ("walk", "index")
    assert not (small == "walk" and large == "index")
