"""Masking holds for the forms people really write (issue: one masked public projection): full-width
and other Unicode digits, grouped ID numbers, runs of separators (spaces, dots, hyphens, slashes,
zero-width characters) between digit groups, +86/0086 and area codes. Property tests generate
the variants and scan every public output for any digit run of the raw number."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from disclosure.models import Role, User
from disclosure.services.privacy import MaskContext, fold, mask
from disclosure.services.users import user_create
from tests.conftest import VALID_CODE, Staff, penalty

ORG = MaskContext(natural_person=False)
SEPARATORS = [" ", "  ", "-", ".", "/", "\u200b", "\u2060", "\ufeff", "－", "\u3000", " - ", "_",
              # a line break inside a number, an Excel column's padding, middle dots, commas, colons,
              # runs of wide or zero-width spaces, a Hangul filler, a combining mark
              "\n", "\r\n", "    ", "\u3000\u3000\u3000\u3000", "\u200b\u200b\u200b\u200b", "·", "・", ",", "，",
              ":", "\u3164", "\u0301"]
FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789Xx+-()"}


def _write(groups: list[str], seps: list[str], full_width: bool) -> str:
    text = groups[0] + "".join(sep + group for sep, group in zip(seps, groups[1:], strict=False))
    return text.translate(FULL_WIDTH) if full_width else text


def _split(digits: str, sizes: list[int]) -> list[str]:
    out, at = [], 0
    for size in sizes:
        out.append(digits[at:at + size])
        at += size
    if at < len(digits):
        out.append(digits[at:])
    return [g for g in out if g]


@st.composite
def id_numbers(draw: Any) -> tuple[str, str]:
    """(the raw digits, the written form)."""
    area = draw(st.integers(110000, 659999))
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31)))
    if draw(st.booleans()):
        raw = f"{area}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}{draw(st.sampled_from('0123456789X'))}"
        sizes = draw(st.sampled_from([[18], [6, 8, 4], [4, 4, 4, 4, 2], [3, 3, 4, 4, 4], [6, 4, 4, 4], [2] * 9]))
    else:
        raw = f"{area}{born:%y%m%d}{draw(st.integers(0, 999)):03d}"
        sizes = draw(st.sampled_from([[15], [6, 6, 3], [3, 4, 4, 4]]))
    groups = _split(raw, sizes)
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(groups) - 1, max_size=len(groups) - 1))
    return raw, _write(groups, seps, draw(st.booleans()))


@st.composite
def phone_numbers(draw: Any) -> tuple[str, str]:
    if draw(st.booleans()):
        raw = draw(st.sampled_from(["13", "15", "16", "17", "18", "19"])) + f"{draw(st.integers(0, 999_999_999)):09d}"
        groups = _split(raw, draw(st.sampled_from([[11], [3, 4, 4], [3, 3, 5], [3, 8], [4, 3, 4]])))
        prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086", "0086-", "+86-", "(+86)"]))
    else:
        area = draw(st.sampled_from(["010", "024", "0429", "0411", "021"]))
        raw = area + f"{draw(st.integers(2_000_000, 9_999_999))}"
        groups = [area, raw[len(area):]]
        prefix = ""
        if draw(st.booleans()):  # the international form drops the area code's 0
            groups, prefix = [area[1:], raw[len(area):]], draw(st.sampled_from(["+86-", "+86 ", "0086-"]))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(groups) - 1, max_size=len(groups) - 1))
    return raw.lstrip("0") if prefix and len(groups) == 2 and not raw.startswith("1") else raw, \
        prefix + _write(groups, seps, draw(st.booleans()))


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", fold(text))


def _leaks(output: str, raw: str) -> bool:
    """Whether the raw number's digits survive anywhere in ``output`` (separators ignored)."""
    return raw.rstrip("X") in _digits(output)


CONTEXT = st.sampled_from(["身份证号", "身份证号：", "（", "证件号码为", "电话", "联系方式:", "，", "",
                          "ID", "Tel", "No."])


@settings(max_examples=400, deadline=None)
@given(number=st.one_of(id_numbers(), phone_numbers()), before=CONTEXT, after=st.sampled_from(["", "。", "）", " 男"]))
def test_the_masking_function_leaves_no_digit_run(number: tuple[str, str], before: str, after: str) -> None:
    raw, written = number
    out = mask(f"{before}{written}{after}", ORG)
    assert not _leaks(out, raw), (written, out)
    assert len(out) >= len(f"{before}{after}") + 11  # something visibly masked stays in its place
    assert mask(out, ORG) == out


# -- every public output, through HTTP -------------------------------------------------------------
@pytest.fixture
def platform(superuser: User) -> APIClient:
    _user, _m, token = user_create(actor=superuser, username="province", password="correct-horse-battery-42",
                                   agency_code="city", role=Role.PLATFORM)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _outputs(pk: int, anonymous: APIClient, client: Any, platform: APIClient) -> list[str]:
    pages = [anonymous.get("/api/v1/public/records/", {"q": "糕点"}), anonymous.get(f"/api/v1/public/records/{pk}/"),
             anonymous.get(f"/api/v1/public/entities/{VALID_CODE}/"), platform.get("/api/v1/feed/"),
             client.get("/"), client.get("/search/", {"q": "糕点"}), client.get(f"/records/{pk}/"),
             client.get(f"/entity/{VALID_CODE}/")]
    for response in pages:
        assert response.status_code == 200, response.content[:300]
    return [response.content.decode() for response in pages]


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(person_id=id_numbers(), phone=phone_numbers())
def test_no_variant_survives_in_any_public_output(person_id: tuple[str, str], phone: tuple[str, str],
                                                  clerk: Staff, anonymous: APIClient, client: Any,
                                                  platform: APIClient) -> None:
    cache.clear()
    staff = clerk.client()
    with transaction.atomic():
        text = f"销售过期糕点。当事人身份证号{person_id[1]}，联系电话{phone[1]}。"
        created = staff.post("/api/v1/records/", penalty(title=f"糕点案 {phone[1]}", content=text,
                                                         legal_basis=f"证人 {person_id[1]}"), format="json")
        assert created.status_code == 201, created.json()
        pk = created.json()["id"]
        assert staff.post(f"/api/v1/records/{pk}/publish/", {}, format="json").status_code == 200
        changed = staff.post(f"/api/v1/records/{pk}/change/", {
            "reason": f"当事人来电{phone[1]}", "legal_basis": f"依据 {person_id[1]}",
            "document_number": f"更〔2026〕{phone[1]}号", "changes": {"content": text + "已更正。"}}, format="json")
        assert changed.status_code == 200, changed.json()
        for output in _outputs(pk, anonymous, client, platform):
            for raw, written in (person_id, phone):
                assert not _leaks(output, raw), (written, raw)
        # The search finds none of it, in any of the written forms or raw.
        for probe in (person_id[0], person_id[1], phone[0], phone[1]):
            assert anonymous.get("/api/v1/public/records/", {"q": probe}).json()["count"] == 0, probe
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("written", ["130 0000 0000", "１３０－００００－００００", "138.1234.5678"])
def test_a_persons_number_finds_nothing_even_where_its_visible_groups_would(
        written: str, clerk: Staff, anonymous: APIClient) -> None:
    """Masked, ``130 0000 0000`` shows ``130 **** 0000``: the query's groups are all visible, yet
    the number as a query finds nothing; the visible groups alone still do (what is shown)."""
    cache.clear()
    staff = clerk.client()
    created = staff.post("/api/v1/records/", penalty(title=f"糕点案 联系电话{written}"), format="json")
    pk = created.json()["id"]
    assert staff.post(f"/api/v1/records/{pk}/publish/", {}, format="json").status_code == 200
    visible = anonymous.get(f"/api/v1/public/records/{pk}/").json()["title"]
    assert not _leaks(visible, _digits(written))
    for probe in (written, _digits(written), f"糕点 {written}"):
        assert anonymous.get("/api/v1/public/records/", {"q": probe}).json()["count"] == 0, probe
    assert anonymous.get("/api/v1/public/records/", {"q": "糕点案"}).json()["count"] == 1


@pytest.mark.django_db
def test_the_tracking_page_and_reply_letter_show_the_record_masked(clerk: Staff, anonymous: APIClient,
                                                                    client: Any) -> None:
    import io

    from pypdf import PdfReader

    cache.clear()
    staff = clerk.client()
    raw_mobile = "13812345678"
    created = staff.post("/api/v1/records/", penalty(title="糕点案 联系电话１３８ １２３４ ５６７８"), format="json")
    pk = created.json()["id"]
    staff.post(f"/api/v1/records/{pk}/publish/", {}, format="json")
    query = anonymous.post("/api/v1/public/queries/", {"requester_name": "王五", "contact": "wang@example.com",
                                                       "question": "请问处罚依据？", "record": pk}, format="json")
    assert query.status_code == 201, query.json()
    request_id, code = query.json()["id"], query.json()["tracking_code"]
    answered = staff.post(f"/api/v1/requests/{request_id}/answer/",
                          {"decision": "answered", "reply": "依据产品质量法。"}, format="json")
    assert answered.status_code == 200, answered.json()
    outputs = [client.get(f"/track/{code}/").content.decode(),
               anonymous.get(f"/api/v1/public/requests/{code}/").content.decode()]
    pdf = client.get(f"/track/{code}/reply.pdf")
    assert pdf.status_code == 200
    outputs.append("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages))
    for output in outputs:
        assert not _leaks(output, raw_mobile), output[:500]
