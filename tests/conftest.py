"""Shared fixtures: a small agency tree, staff in named roles, API clients, a pinned clock."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from disclosure.credit_code import make_credit_code
from disclosure.models import Agency, AgencyKind, User
from disclosure.services.users import user_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "correct-horse-battery-42"

# code -> (name, parent code, kind, is the market-regulation bureau)
TREE: dict[str, tuple[str, str | None, str, bool]] = {
    "city": ("葫芦岛市人民政府", None, AgencyKind.GOVERNMENT, False),
    "city-amr": ("葫芦岛市市场监督管理局", "city", AgencyKind.DEPARTMENT, True),
    "city-emergency": ("葫芦岛市应急管理局", "city", AgencyKind.DEPARTMENT, False),
    "lianshan": ("葫芦岛市连山区人民政府", "city", AgencyKind.GOVERNMENT, False),
    "lianshan-amr": ("葫芦岛市连山区市场监督管理局", "lianshan", AgencyKind.DEPARTMENT, False),
    "lianshan-amr-station": (
        "连山区市场监督管理局钢屯市场监督管理所", "lianshan-amr", AgencyKind.DISPATCHED_BODY, False),
    "longgang": ("葫芦岛市龙港区人民政府", "city", AgencyKind.GOVERNMENT, False),
    "longgang-amr": ("葫芦岛市龙港区市场监督管理局", "longgang", AgencyKind.DEPARTMENT, False),
}

VALID_CODE = make_credit_code("91211400MA0Q1234X")
OTHER_CODE = make_credit_code("92211402MA0R7777P")


@pytest.fixture
def tree(db: None) -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for code, (name, parent, kind, regulator) in TREE.items():
        parent_agency = agencies[parent] if parent else None
        agencies[code] = Agency.objects.create(
            code=code, name=name, kind=kind, parent=parent_agency, is_market_regulator=regulator,
            path=(parent_agency.path if parent_agency else "") + code + "/",
        )
    return agencies


@pytest.fixture
def superuser(db: None) -> User:
    return get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)


@dataclass
class Staff:
    user: User
    token: str

    def client(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {self.token}")
        return client


@pytest.fixture
def make_staff(tree: dict[str, Agency], superuser: User) -> Callable[[str, str], Staff]:
    counter = iter(range(1, 10_000))

    def make(agency_code: str, role: str) -> Staff:
        user, _membership, token = user_create(
            actor=superuser, username=f"{role}{next(counter)}-{agency_code}", password=PASSWORD,
            agency_code=agency_code, role=role,
        )
        return Staff(user, token.key)

    return make


@pytest.fixture
def clerk(make_staff: Callable[[str, str], Staff]) -> Staff:
    """The publisher: a clerk of the Lianshan district market-regulation bureau."""
    return make_staff("lianshan-amr", "clerk")


@pytest.fixture
def outsider(make_staff: Callable[[str, str], Staff]) -> Staff:
    """A clerk of a sibling bureau (Longgang district)."""
    return make_staff("longgang-amr", "clerk")


@pytest.fixture
def auditor(make_staff: Callable[[str, str], Staff]) -> Staff:
    return make_staff("city-amr", "auditor")


def call_command_en(*args: Any, **kwargs: Any) -> Any:
    """``call_command`` with messages in English, for tests that read a command's output. (Each
    test-client request activates the site's default language, Chinese, for the thread.)"""
    with translation.override("en"):
        return call_command(*args, **kwargs)


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


def at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), SHANGHAI).replace(hour=hour)


@pytest.fixture
def clock() -> Iterator[Callable[[str], None]]:
    """Pin "now" to 10:00 Shanghai time on a given day: ``clock("2026-10-09")``."""
    travellers: list[time_machine.travel] = []

    def set_day(day: str, hour: int = 10) -> None:
        while travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(at(day, hour), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield set_day
    while travellers:
        travellers.pop().stop()


def resident_id(first17: str = "21140219900307123") -> str:
    """A resident ID number with its right check character (GB 11643)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


PERSON_ID = resident_id()


def standard_details(kind: str, subject_type: str = "organization") -> dict[str, object]:
    """Every field the national standard requires before publishing a record of ``kind``
    (``disclosure.kinds.spec.PUBLICATION_RULES``), filled with plausible values."""
    details: dict[str, object] = {}
    if kind in ("permit", "penalty"):
        if subject_type == "natural_person":
            details |= {"person_id_type": "id_card", "person_id_number": PERSON_ID}
        else:
            details |= {"legal_representative": "张某某"}
    if kind == "permit":
        details |= {"decision_document_name": "食品经营许可决定书", "permit_category": "general",
                    "certificate_name": "食品经营许可证", "certificate_number": "JY12114020012345",
                    "valid_from": "2026-09-28", "valid_to": "2031-09-27", "permit_status": "valid"}
    elif kind == "penalty":
        details |= {"violation_type": "销售不合格产品", "violation_facts": "经抽检，当事人销售的产品不合格。",
                    "penalty_valid_to": "2027-09-27"}
    elif kind == "inspection_task":
        details |= {"inspection_category": "random", "inspection_form": "on_site"}
    elif kind == "inspection_result":
        details |= {"inspection_category": "random", "inspection_result": "no_problem",
                    "inspection_time": "2026-09-28", "inspectors": [{"name": "李检查", "badge": "21140001"},
                                                                    {"name": "王检查", "badge": "21140002"}]}
    elif kind == "coercive_measure":
        details |= {"coercion_kind": "measure", "measure_type": "seize",
                    "violation_facts": "涉嫌生产不合格产品。", "start_date": "2026-09-28"}
    return details


def penalty(agency: str = "lianshan-amr", **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": "penalty",
        "agency": agency,
        "title": "葫芦岛市某商贸有限公司销售不合格产品案",
        "subject_name": "葫芦岛市某商贸有限公司",
        "subject_code": VALID_CODE,
        "event_date": "2026-09-28",
        "content": "罚款人民币二十万元。",
        "legal_basis": "《中华人民共和国产品质量法》第四十九条",
        "document_number": "连市监罚〔2026〕12号",
        "disclosure": "public",
    }
    body.update(overrides)
    kind = str(body["kind"])
    if "details" not in overrides:
        subject_type = str(body.get("subject_type") or ("organization" if body.get("subject_code")
                                                          else "natural_person"))
        body["details"] = standard_details(kind, subject_type)
    if kind == "penalty" and "penalty_types" not in overrides:
        body["penalty_types"] = ["fine"]
        body.setdefault("fine_amount", "200000.00")  # a 一般 penalty: shown a year (Order 36)
    return body



def publish_record(staff: Staff, **overrides: Any) -> int:
    """A record (``penalty(**overrides)``: a penalty unless ``kind`` says otherwise) created and
    published through the API by ``staff``; its id."""
    client = staff.client()
    created = client.post("/api/v1/records/", penalty(**overrides), format="json")
    assert created.status_code == 201, created.json()
    pk = int(created.json()["id"])
    published = client.post(f"/api/v1/records/{pk}/publish/", {}, format="json")
    assert published.status_code == 200, published.json()
    return pk

@pytest.fixture(autouse=True)
def _append_only_guards(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every database test runs with the append-only triggers in place. A test that commits for
    real (transactional) lifts them only at teardown, for the flush that empties the test database."""
    from disclosure.db_guards import install_guards, remove_guards

    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    transactional = "transactional_db" in names or "live_server" in names or bool(
        marker and marker.kwargs.get("transaction"))
    if not (transactional or "db" in names or marker):
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    install_guards(connection)
    if transactional:
        from disclosure.services.display import publicity_seed_defaults
        from scheduler.services import reference_data_ensure

        reference_data_ensure()  # the previous transactional test's flush emptied the seeded tables
        publicity_seed_defaults()
    yield
    if transactional:
        remove_guards(connection)


# -- real headless Chromium (Debian's, driven by Playwright; never a downloaded browser) ---------
CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="Debian chromium is not installed (.ci/run installs it)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope: one Playwright instance at a time (two sync instances cannot coexist).
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django refuses ORM calls from inside one unless told.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh context (cookies, storage) at an office screen's size, in Chinese."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Any, live_server: Any, user: User) -> None:
    """Give the browser a session for ``user`` made by Django (no login form involved)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
