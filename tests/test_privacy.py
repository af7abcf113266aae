"""Privacy: ID numbers, phone numbers and natural persons' addresses never leave raw through any
public output; natural persons' names are de-identified outside punitive disclosure."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from disclosure.services.privacy import MaskContext, mask
from tests.conftest import VALID_CODE, Staff, penalty

PERSON = MaskContext(natural_person=True)
ORG = MaskContext(natural_person=False)

ID18 = "21140219850307123X"
ID15 = "211402850307123"
MOBILE = "13812345678"
LANDLINE = "0429-3123456"
ADDRESS = "辽宁省葫芦岛市连山区站前街12号3单元501室"


def _digits(text: str) -> str:
    return re.sub(r"[^0-9Xx]", "", text)


# -- the function, over many written forms ---------------------------------------------------------
birth = st.dates(min_value=__import__("datetime").date(1900, 1, 1), max_value=__import__("datetime").date(2025, 12, 31))
sep = st.sampled_from(["", " ", "-"])
around = st.sampled_from(["", "身份证号", "身份证号：", "（", "，住", " ", "证件号码为"])
after = st.sampled_from(["", "。", "）", "，", " 男", "号"])


@settings(max_examples=300, deadline=None)
@given(area=st.integers(110000, 659999), born=birth, seq=st.integers(0, 999),
       check=st.sampled_from(list("0123456789Xx")), s1=sep, s2=sep, pre=around, post=after)
def test_18_digit_ids_are_masked(area: int, born: Any, seq: int, check: str, s1: str, s2: str, pre: str,
                                 post: str) -> None:
    raw = f"{area}{born:%Y%m%d}{seq:03d}{check}"
    written = f"{area}{s1}{born:%Y%m%d}{s2}{seq:03d}{check}"
    out = mask(f"{pre}{written}{post}", ORG)
    assert raw not in _digits(out) and written not in out
    assert mask(out, ORG) == out  # idempotent


@settings(max_examples=200, deadline=None)
@given(area=st.integers(110000, 659999), born=birth, seq=st.integers(0, 999), s1=sep, pre=around, post=after)
def test_15_digit_ids_are_masked(area: int, born: Any, seq: int, s1: str, pre: str, post: str) -> None:
    written = f"{area}{s1}{born:%y%m%d}{seq:03d}"
    out = mask(f"{pre}{written}{post}", ORG)
    assert written not in out and f"{area}{born:%y%m%d}{seq:03d}" not in _digits(out)


@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(["13", "14", "15", "16", "17", "18", "19"]), rest=st.integers(0, 999_999_999),
       country=st.sampled_from(["", "+86", "+86 ", "0086", "+86-"]), s1=sep, s2=sep,
       pre=st.sampled_from(["", "电话", "手机：", "联系电话:", "（", "Tel "]), post=after)
def test_mobile_numbers_are_masked(prefix: str, rest: int, country: str, s1: str, s2: str, pre: str,
                                   post: str) -> None:
    digits = f"{prefix}{rest:09d}"
    written = f"{country}{digits[:3]}{s1}{digits[3:7]}{s2}{digits[7:]}"
    out = mask(f"{pre}{written}{post}", ORG)
    assert digits not in _digits(out) and written not in out


@settings(max_examples=300, deadline=None)
@given(area=st.sampled_from(["010", "024", "0429", "0411", "021"]), number=st.integers(2_000_000, 99_999_999),
       style=st.sampled_from(["{a}-{n}", "{a}{n}", "({a}){n}", "（{a}）{n}", "{a} {n}", "{a}-{n}转123"]),
       pre=st.sampled_from(["", "电话", "座机：", "，"]), post=after)
def test_landline_numbers_are_masked(area: str, number: int, style: str, pre: str, post: str) -> None:
    written = style.format(a=area, n=number)
    out = mask(f"{pre}{written}{post}", ORG)
    assert str(number) not in out and written not in out


def test_addresses_of_natural_persons_are_masked_not_of_organizations() -> None:
    assert "12号" not in mask(f"当事人住址：{ADDRESS}。", PERSON)
    assert mask(f"当事人住址：{ADDRESS}。", PERSON).startswith("当事人住址：辽宁省葫芦岛市连山区")
    assert "3单元501室" not in mask(f"当事人现居于{ADDRESS}", PERSON)
    assert ADDRESS in mask(f"住所：{ADDRESS}", ORG)


def test_names_are_de_identified_only_outside_punitive_records() -> None:
    from disclosure.services.privacy import context_for

    permit = context_for({"kind": "permit", "subject_type": "natural_person", "subject_name": "张三丰"})
    punished = context_for({"kind": "penalty", "subject_type": "natural_person", "subject_name": "张三丰"})
    company = context_for({"kind": "permit", "subject_type": "organization", "subject_name": "某某公司"})
    assert mask("张三丰申请食品经营许可", permit) == "张**申请食品经营许可"
    assert mask("张三丰", punished) == "张三丰"
    assert mask("某某公司", company) == "某某公司"


def test_ordinary_numbers_stay() -> None:
    text = "连市监罚〔2026〕12号，罚款人民币20000元，2026-09-28作出，统一社会信用代码" + VALID_CODE
    assert mask(text, PERSON) == text


# -- every public output, through HTTP ---------------------------------------------------------------
RAW = [ID18, ID15, MOBILE, "13812345678", "3123456", "站前街12号"]
PERSONAL_TEXT = (f"当事人张三丰，身份证号{ID18}（旧证{ID15}），手机{MOBILE[:3]} {MOBILE[3:7]} {MOBILE[7:]}，"
                 f"座机{LANDLINE}，住址：{ADDRESS}。")


def _scan(body: bytes | str) -> None:
    text = body.decode() if isinstance(body, bytes) else body
    for raw in RAW:
        assert raw not in text, f"{raw} leaked"
    assert ID18 not in _digits(text)


@pytest.mark.django_db
def test_no_raw_personal_data_in_any_public_output(clerk: Staff, superuser: Any, anonymous: APIClient,
                                                   client: Any, clock: Callable[..., None]) -> None:
    cache.clear()
    clock("2026-09-29")
    staff = clerk.client()
    records = []
    for kind, person in (("penalty", "张三丰"), ("permit", "张三丰")):
        body = penalty(kind=kind, subject_type="natural_person", subject_code="", subject_name=person,
                       title=f"{person}案 {MOBILE}", content=PERSONAL_TEXT, legal_basis="法", document_number="1号")
        created = staff.post("/api/v1/records/", body, format="json")
        assert created.status_code == 201, created.json()
        staff.post(f"/api/v1/records/{created.json()['id']}/publish/", {}, format="json")
        records.append(created.json()["id"])
    # A legal person's registered address is public registration data: that record names none.
    company_text = PERSONAL_TEXT.split("住址")[0]
    organization = staff.post("/api/v1/records/", penalty(content=company_text), format="json").json()["id"]
    staff.post(f"/api/v1/records/{organization}/publish/", {}, format="json")
    staff.post(f"/api/v1/records/{organization}/change/", {
        "reason": f"经核实，联系人电话{MOBILE}有误", "legal_basis": "第十条", "document_number": "更〔2026〕1号",
        "changes": {"title": f"新标题 {ID18}"}}, format="json")
    records.append(organization)

    outputs = [anonymous.get("/api/v1/public/records/").content,
               anonymous.get("/api/v1/public/records/", {"q": "案"}).content,
               anonymous.get(f"/api/v1/public/entities/{VALID_CODE}/").content]
    outputs += [anonymous.get(f"/api/v1/public/records/{pk}/").content for pk in records]
    from disclosure.models import Role
    from disclosure.services.users import user_create

    _user, _m, token = user_create(actor=superuser, username="province", password="correct-horse-battery-42",
                                   agency_code="city", role=Role.PLATFORM)
    feed = APIClient()
    feed.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    feed_body = feed.get("/api/v1/feed/")
    assert len(feed_body.json()["events"]) == 4
    outputs.append(feed_body.content)
    outputs += [client.get("/").content, client.get("/search/", {"q": "案"}).content,
                client.get(f"/entity/{VALID_CODE}/").content]
    outputs += [client.get(f"/records/{pk}/").content for pk in records]
    for output in outputs:
        _scan(output)
    # The punitive record keeps the name; the permit de-identifies it.
    permit = anonymous.get(f"/api/v1/public/records/{records[1]}/").json()
    assert permit["subject_name"] == "张**" and "张三丰" not in str(permit)
    assert anonymous.get(f"/api/v1/public/records/{records[0]}/").json()["subject_name"] == "张三丰"
    # Staff still see the raw text: masking is applied where data leaves to the public only.
    assert MOBILE in staff.get(f"/api/v1/records/{records[0]}/").json()["content"].replace(" ", "")
