"""The agency workspace through the Django test client: who may see and touch what, the forms'
server-side validation, bulk publication, and a record list whose query count does not grow."""
from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from disclosure.credit_code import make_credit_code
from disclosure.models import AuditEntry, Record, RecordStatus, StaffMembership
from tests.conftest import PASSWORD, VALID_CODE, penalty, standard_details

pytestmark = pytest.mark.django_db


def browser_for(staff: Any) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def form_body(**overrides: Any) -> dict[str, Any]:
    body = {k: v for k, v in penalty().items() if k != "details"}
    body.update({"subject_type": "organization", "penalty_types": ["fine"], "fine_amount": "200000"})
    # The standard fields, as the form names them.
    body.update({f"d_{k}": v for k, v in standard_details("penalty").items()})
    body.update(overrides)
    return body


def create(staff: Any, **overrides: Any) -> dict[str, Any]:
    response = staff.client().post("/api/v1/records/", penalty(**overrides), format="json")
    assert response.status_code == 201, response.json()
    return dict(response.json())


# -- login, logout ----------------------------------------------------------------------------------
def test_anonymous_is_sent_to_the_login_page(client: Client) -> None:
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/workspace/login/?next=/workspace/")


def test_login_follows_next_only_to_this_site(client: Client, clerk: Any) -> None:
    response = client.post("/workspace/login/?next=/workspace/records/new/",
                           {"username": clerk.user.username, "password": PASSWORD, "next": "/workspace/records/new/"})
    assert response.status_code == 302 and response["Location"] == "/workspace/records/new/"
    client.post("/workspace/logout/")
    response = client.post("/workspace/login/", {"username": clerk.user.username, "password": PASSWORD,
                                                 "next": "https://evil.example.org/"})
    assert response.status_code == 302 and response["Location"] == "/workspace/"


def test_login_page_is_chinese_by_default(client: Client) -> None:
    page = client.get("/workspace/login/").content.decode()
    assert 'lang="zh-hans"' in page and "登录" in page


def test_repeated_failures_lock_the_account(client: Client, clerk: Any, settings: Any) -> None:
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/workspace/login/", {"username": clerk.user.username, "password": "wrong-password-1"})
        assert response.status_code == 200
    response = client.post("/workspace/login/", {"username": clerk.user.username, "password": "wrong-password-1"})
    assert response.status_code == 429
    assert "已锁定" in response.content.decode()
    # Even the right password is refused while locked.
    response = client.post("/workspace/login/", {"username": clerk.user.username, "password": PASSWORD})
    assert response.status_code == 429


def test_logout_needs_post_and_ends_the_session(clerk: Any) -> None:
    client = browser_for(clerk)
    assert client.get("/workspace/logout/").status_code == 405
    assert client.post("/workspace/logout/")["Location"] == "/workspace/login/"
    assert client.get("/workspace/").status_code == 302


# -- permissions --------------------------------------------------------------------------------------
def test_another_agencys_record_is_not_found(clerk: Any, outsider: Any, clock: Any) -> None:
    clock("2026-09-29")
    record = create(clerk)
    client = browser_for(outsider)
    for path in ("", "edit/", "publish/", "change/", "revoke/"):
        assert client.get(f"/workspace/records/{record['id']}/{path}").status_code == 404, path
    assert client.post(f"/workspace/records/{record['id']}/publish/", {"version": 1}).status_code == 404
    assert Record.objects.get(pk=record["id"]).status == RecordStatus.DRAFT


def test_a_viewer_may_read_but_not_act(clerk: Any, make_staff: Any, clock: Any) -> None:
    clock("2026-09-29")
    record = create(clerk)
    viewer = browser_for(make_staff("lianshan-amr", "viewer"))
    page = viewer.get(f"/workspace/records/{record['id']}/")
    assert page.status_code == 200
    assert f"/workspace/records/{record['id']}/publish/" not in page.content.decode()
    assert viewer.get(f"/workspace/records/{record['id']}/publish/").status_code == 403
    assert viewer.post(f"/workspace/records/{record['id']}/publish/", {"version": 1}).status_code == 403
    assert viewer.get("/workspace/records/new/").status_code == 403
    assert viewer.get("/workspace/users/").status_code == 403


def test_the_list_shows_only_the_users_scope(clerk: Any, outsider: Any, make_staff: Any, clock: Any) -> None:
    clock("2026-09-29")
    mine = create(clerk, title="连山区的处罚")
    station = create(make_staff("lianshan-amr-station", "clerk"), agency="lianshan-amr-station", title="钢屯所的处罚")
    theirs = create(outsider, agency="longgang-amr", title="龙港区的处罚")
    page = browser_for(clerk).get("/workspace/").content.decode()
    assert f"/workspace/records/{mine['id']}/" in page
    assert f"/workspace/records/{station['id']}/" in page  # a sub-body's record: the subtree
    assert f"/workspace/records/{theirs['id']}/" not in page


# -- forms ---------------------------------------------------------------------------------------------
def test_create_with_a_bad_credit_code_shows_the_error_at_the_field(clerk: Any, clock: Any) -> None:
    clock("2026-09-29")
    client = browser_for(clerk)
    bad = VALID_CODE[:17] + ("0" if VALID_CODE[17] != "0" else "1")
    response = client.post("/workspace/records/new/", form_body(subject_code=bad))
    assert response.status_code == 400
    form = response.context["form"]
    assert "校验码" in " ".join(form.errors["subject_code"])
    assert not Record.objects.exists()
    response = client.post("/workspace/records/new/", form_body())
    assert response.status_code == 302
    record = Record.objects.get()
    assert response["Location"] == f"/workspace/records/{record.pk}/"
    assert record.due_date is not None and record.penalty_types == ["fine"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"disclosure": "withheld", "withheld_reason": ""}, "withheld_reason"),
    ({"event_date": "2026-12-01"}, "event_date"),
    ({"title": ""}, "title"),
    ({"subject_code": "", "subject_type": "organization"}, "subject_code"),
    ({"kind": "permit", "d_permit_category": "bogus"}, "d_permit_category"),
    ({"d_confiscated_amount": "-5"}, "d_confiscated_amount"),
    ({"d_person_id_type": "id_card", "d_person_id_number": "123"}, "d_person_id_type"),
    ({"subject_type": "natural_person", "subject_code": "", "d_person_id_type": "id_card",
      "d_person_id_number": "211402199013071234"}, "d_person_id_number"),
])
def test_the_services_rules_come_back_next_to_their_field(clerk: Any, clock: Any, overrides: dict[str, Any],
                                                          field: str) -> None:
    clock("2026-09-29")
    response = browser_for(clerk).post("/workspace/records/new/", form_body(**overrides))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not Record.objects.exists()


def test_the_form_fits_the_kind(clerk: Any, clock: Any) -> None:
    """A penalty form is not a permit form: each kind shows its own standard fields, code lists as
    choices; a field of another kind is not offered, and the choice of kind comes first."""
    clock("2026-09-29")
    client = browser_for(clerk)
    choose = client.get("/workspace/records/new/").content.decode()
    assert 'id="kind-choice"' in choose and "?kind=penalty" in choose
    permit = client.get("/workspace/records/new/", {"kind": "permit"})
    fields = permit.context["form"].fields
    assert "d_permit_category" in fields and "d_valid_to_long_term" in fields
    assert "penalty_types" not in fields and "d_violation_type" not in fields and "surprise" not in fields
    penalty_form = client.get("/workspace/records/new/", {"kind": "penalty"}).context["form"].fields
    assert "penalty_types" in penalty_form and "d_violation_type" in penalty_form
    assert "d_permit_category" not in penalty_form
    assert [v for v, _label in penalty_form["penalty_types"].choices][:3] == ["warning", "criticism", "fine"]
    permit_body = {k: v for k, v in form_body().items() if not k.startswith("d_")}
    response = client.post("/workspace/records/new/", dict(permit_body,
        kind="permit", penalty_types=["fine"], d_permit_category="general", d_decision_document_name="许可决定书",
        d_valid_from="2026-09-01", d_valid_to_long_term="on", d_legal_representative="张某某"))
    assert response.status_code == 302, response.context["form"].errors
    record = Record.objects.get()
    assert record.penalty_types == [] and record.fine_amount is None  # not a permit's fields
    assert record.details == {"permit_category": "general", "decision_document_name": "许可决定书",
                              "valid_from": "2026-09-01", "valid_to": "long_term", "legal_representative": "张某某"}
    edit = client.get(f"/workspace/records/{record.pk}/edit/").context["form"]
    assert edit.initial["d_valid_to_long_term"] is True and edit.initial["d_permit_category"] == "general"


def test_publishing_from_the_workspace_names_the_missing_fields(clerk: Any, clock: Any) -> None:
    clock("2026-09-29")
    client = browser_for(clerk)
    incomplete = {k: v for k, v in form_body().items() if not k.startswith("d_")}
    assert client.post("/workspace/records/new/", incomplete).status_code == 302
    record = Record.objects.get()
    detail = client.get(f"/workspace/records/{record.pk}/").content.decode()
    assert 'id="standard-missing"' in detail and "违法事实" in detail.split('id="standard-missing"')[1]
    response = client.post(f"/workspace/records/{record.pk}/publish/", {"version": record.version})
    assert response.status_code == 400
    page = response.content.decode()
    assert "违法行为类型" in page and "违法事实" in page and "处罚有效期" in page
    inspectors = client.post(f"/workspace/records/{record.pk}/edit/", form_body(
        version=record.version, d_violation_type="虚假宣传", d_violation_facts="事实", d_penalty_valid_to="2027-09-28",
        d_legal_representative="张某某"))
    assert inspectors.status_code == 302
    record.refresh_from_db()
    published = client.post(f"/workspace/records/{record.pk}/publish/", {"version": record.version})
    assert published.status_code == 302
    assert Record.objects.get().status == "published"


def test_an_agency_outside_the_scope_is_not_offered(clerk: Any, clock: Any) -> None:
    clock("2026-09-29")
    response = browser_for(clerk).post("/workspace/records/new/", form_body(agency="longgang-amr"))
    assert response.status_code == 400 and response.context["form"].errors["agency"]


def test_editing_a_stale_version_is_a_conflict(clerk: Any, clock: Any) -> None:
    clock("2026-09-29")
    record = create(clerk)
    client = browser_for(clerk)
    response = client.post(f"/workspace/records/{record['id']}/edit/", form_body(title="第一次修改", version=1))
    assert response.status_code == 302
    response = client.post(f"/workspace/records/{record['id']}/edit/", form_body(title="第二次修改", version=1))
    assert response.status_code == 409
    assert "他人" in response.content.decode()
    assert Record.objects.get(pk=record["id"]).title == "第一次修改"


def test_publish_confirmation_tells_whether_it_is_late(clerk: Any, clock: Any) -> None:
    clock("2026-09-29")
    record = create(clerk, event_date="2026-09-01")  # 7 working days: due 2026-09-10
    client = browser_for(clerk)
    page = client.get(f"/workspace/records/{record['id']}/publish/")
    assert page.context["on_time"] is False and page.context["late"] == 13
    response = client.post(f"/workspace/records/{record['id']}/publish/", {"version": record["version"]})
    assert response.status_code == 302
    published = Record.objects.get(pk=record["id"])
    assert published.status == RecordStatus.PUBLISHED and published.late_working_days == 13
    # Publishing twice is a conflict, shown as such.
    assert client.post(f"/workspace/records/{record['id']}/publish/", {"version": published.version}).status_code == 409


def test_change_and_revoke_need_reason_basis_and_number(clerk: Any, clock: Any) -> None:
    clock("2026-09-29")
    record = create(clerk)
    client = browser_for(clerk)
    client.post(f"/workspace/records/{record['id']}/publish/", {"version": 1})
    current = Record.objects.get(pk=record["id"])
    content = {f"new-{k}": v for k, v in form_body(content="罚款人民币三万元。").items()}
    response = client.post(f"/workspace/records/{record['id']}/change/", {"version": current.version, **content})
    assert response.status_code == 400
    assert set(response.context["grounds"].errors) >= {"reason", "legal_basis", "document_number"}
    grounds = {"version": current.version, "type": "change", "reason": "复议决定变更", "legal_basis": "行政复议法",
               "document_number": "葫复决〔2026〕3号"}
    same = {f"new-{k}": v for k, v in form_body().items()}
    response = client.post(f"/workspace/records/{record['id']}/change/", {**grounds, **same})
    assert response.status_code == 400 and "没有" in response.content.decode()
    response = client.post(f"/workspace/records/{record['id']}/change/", {**grounds, **content})
    assert response.status_code == 302
    changed = Record.objects.get(pk=record["id"])
    assert changed.status == RecordStatus.CHANGED and changed.content == "罚款人民币三万元。"
    assert client.post(f"/workspace/records/{record['id']}/revoke/", {"version": changed.version}).status_code == 400
    response = client.post(f"/workspace/records/{record['id']}/revoke/", {**grounds, "version": changed.version})
    assert response.status_code == 302
    assert Record.objects.get(pk=record["id"]).status == RecordStatus.REVOKED


def test_record_page_shows_history_diff_arithmetic_and_audit(clerk: Any, clock: Any) -> None:
    clock("2026-09-29")
    record = create(clerk, event_date="2026-09-28")  # due over the National Day holiday
    client = browser_for(clerk)
    client.post(f"/workspace/records/{record['id']}/publish/", {"version": 1})
    client.post(f"/workspace/records/{record['id']}/change/", {
        "version": 2, "type": "change", "reason": "复议决定变更", "legal_basis": "行政复议法",
        "document_number": "葫复决〔2026〕3号",
        **{f"new-{k}": v for k, v in form_body(content="罚款人民币三万元。").items()}})
    response = client.get(f"/workspace/records/{record['id']}/")
    page = response.content.decode()
    assert [v.number for v in response.context["versions"]] == [1, 2, 3]
    diff = {row.field: row for row in response.context["diff"]}
    assert "content" in diff and ("insert", "三") in diff["content"].new_segments
    assert "复议决定变更" in page and "葫复决〔2026〕3号" in page
    notes = response.context["arithmetic"].notes
    assert any(n.kind == "holiday" for n in notes)
    assert "已公示" in page.split('id="audit"')[1] and "已变更" in page.split('id="audit"')[1]  # actions in words
    # An explicit pair of versions.
    response = client.get(f"/workspace/records/{record['id']}/?a=1&b=2")
    assert {row.field for row in response.context["diff"]} >= {"status", "published_at"}


# -- bulk publish ----------------------------------------------------------------------------------------------
def test_bulk_publish_reports_each_record(clerk: Any, outsider: Any, clock: Any) -> None:
    clock("2026-09-29")
    first = create(clerk)
    second = create(clerk, subject_code=make_credit_code("91211400MA0Q5678X"))
    theirs = create(outsider, agency="longgang-amr")
    already = create(clerk)
    client = browser_for(clerk)
    client.post(f"/workspace/records/{already['id']}/publish/", {"version": 1})
    picked = [first["id"], theirs["id"], second["id"], already["id"]]
    # First the summary: nothing is published yet.
    preview = client.post("/workspace/records/publish/", {"record": picked})
    assert preview.status_code == 200 and Record.objects.get(pk=first["id"]).status == RecordStatus.DRAFT
    assert [r["id"] for r in preview.context["publishable"]] == [first["id"], second["id"]]
    response = client.post("/workspace/records/publish/", {"record": picked, "confirm": "1"})
    assert response.status_code == 200
    results = {row.id: row for row in response.context["results"]}
    assert results[first["id"]].published and results[second["id"]].published
    assert not results[theirs["id"]].published and results[theirs["id"]].reason
    assert not results[already["id"]].published and results[already["id"]].reason
    assert Record.objects.get(pk=first["id"]).status == RecordStatus.PUBLISHED
    assert Record.objects.get(pk=second["id"]).status == RecordStatus.PUBLISHED
    assert Record.objects.get(pk=theirs["id"]).status == RecordStatus.DRAFT
    assert response.context["published"] == 2 and response.context["refused"] == 2


def test_bulk_publish_with_nothing_selected(clerk: Any) -> None:
    response = browser_for(clerk).post("/workspace/records/publish/", {})
    assert response.status_code == 302


# -- the list ------------------------------------------------------------------------------------------------------
def test_list_badges_filters_and_urgency(clerk: Any, clock: Any) -> None:
    clock("2026-09-10")
    overdue = create(clerk, event_date="2026-08-20", title="逾期")  # due 2026-08-31
    today = create(clerk, event_date="2026-09-01", title="今天到期")  # due 2026-09-10
    soon = create(clerk, event_date="2026-09-02", title="即将到期")  # due 2026-09-11
    later = create(clerk, event_date="2026-09-09", title="较晚")  # due 2026-09-18
    published = create(clerk, event_date="2026-09-09", title="已公示")
    client = browser_for(clerk)
    client.post(f"/workspace/records/{published['id']}/publish/", {"version": 1})
    response = client.get("/workspace/")
    ids = [item["record"].pk for item in response.context["items"]]
    assert ids == [overdue["id"], today["id"], soon["id"], later["id"], published["id"]]
    badges = {item["record"].pk: [b.text for b in item["badges"]] for item in response.context["items"]}
    assert badges[overdue["id"]] == ["逾期8个工作日"]
    assert badges[today["id"]] == ["今天到期"]
    assert badges[soon["id"]] == ["1个工作日后到期"]
    assert badges[later["id"]] == ["6个工作日后到期"]
    for state, expected in (("overdue", [overdue]), ("due_today", [today]), ("due_soon", [soon])):
        response = client.get(f"/workspace/?deadline={state}")
        assert [i["record"].pk for i in response.context["items"]] == [r["id"] for r in expected], state
    response = client.get("/workspace/?status=published")
    assert [i["record"].pk for i in response.context["items"]] == [published["id"]]
    response = client.get("/workspace/?kind=permit")
    assert response.context["items"] == []


def test_provisional_deadlines_are_marked(clerk: Any, clock: Any) -> None:
    from scheduler.models import CalendarYear

    clock("2026-12-28")
    CalendarYear.objects.filter(year=2027).delete()
    from scheduler.selectors import calendar_invalidate

    calendar_invalidate()
    record = create(clerk, event_date="2026-12-28")
    response = browser_for(clerk).get("/workspace/?deadline=provisional")
    items = response.context["items"]
    assert [i["record"].pk for i in items] == [record["id"]]
    assert "临时期限" in [b.text for b in items[0]["badges"]]


def test_record_list_query_count_does_not_grow(clerk: Any, clock: Any, make_staff: Any) -> None:
    clock("2026-09-29")
    client = browser_for(clerk)
    create(clerk)
    client.get("/workspace/")  # warm the calendar and rule caches

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/workspace/").status_code == 200
        return len(queries)

    few = count()
    station = make_staff("lianshan-amr-station", "clerk")
    for n in range(12):
        create(clerk if n % 2 else station, agency="lianshan-amr" if n % 2 else "lianshan-amr-station",
               event_date=f"2026-09-{10 + n:02d}")
    assert count() == few


# -- agency administration --------------------------------------------------------------------------------------------
def test_agency_admin_adds_and_promotes_within_the_subtree(make_staff: Any, clerk: Any, outsider: Any) -> None:
    admin = make_staff("lianshan-amr", "agency_admin")
    client = browser_for(admin)
    page = client.get("/workspace/users/")
    assert page.status_code == 200
    usernames = [m.user.username for m, _form in page.context["rows"]]
    assert clerk.user.username in usernames and outsider.user.username not in usernames
    response = client.post("/workspace/users/", {"username": "newclerk", "password": "short",
                                                 "agency": "lianshan-amr-station", "role": "clerk"})
    assert response.status_code == 400 and response.context["form"].errors["password"]
    response = client.post("/workspace/users/", {"username": "newclerk", "password": PASSWORD,
                                                 "agency": "lianshan-amr-station", "role": "clerk"})
    assert response.status_code == 302
    membership = StaffMembership.objects.get(user__username="newclerk")
    assert membership.agency.code == "lianshan-amr-station" and membership.role == "clerk"
    response = client.post("/workspace/users/", {"username": "x-clerk", "password": PASSWORD,
                                                 "agency": "longgang-amr", "role": "clerk"})
    assert response.status_code == 400 and response.context["form"].errors["agency"]
    uid = membership.user_id
    assert client.post(f"/workspace/users/{uid}/role/", {f"u{uid}-agency": "lianshan-amr",
                                                         f"u{uid}-role": "viewer"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "viewer" and membership.agency.code == "lianshan-amr"
    assert AuditEntry.objects.filter(action="user.role", object_id=str(uid)).exists()
    # Another district's clerk is not the admin's to change.
    oid = outsider.user.pk
    assert client.post(f"/workspace/users/{oid}/role/", {f"u{oid}-agency": "lianshan-amr",
                                                         f"u{oid}-role": "viewer"}).status_code == 404
    # Nor is the admin's own role.
    aid = admin.user.pk
    assert client.post(f"/workspace/users/{aid}/role/", {f"u{aid}-agency": "lianshan-amr",
                                                         f"u{aid}-role": "clerk"}).status_code == 403


def test_clerks_cannot_manage_users(clerk: Any) -> None:
    client = browser_for(clerk)
    assert client.get("/workspace/users/").status_code == 403
    assert client.post("/workspace/users/", {"username": "x", "password": PASSWORD, "agency": "lianshan-amr",
                                             "role": "clerk"}).status_code == 403


def test_navigation_shows_the_unread_count(clerk: Any, clock: Any) -> None:
    from django.utils import timezone

    from scheduler.models import Notice, Notification

    clock("2026-09-29")
    record = create(clerk)
    notice = Notice.objects.create(kind="reminder", subject_kind="record", subject_id=record["id"],
                                   agency=clerk.user.membership.agency, due_date="2026-10-12",
                                   created_at=timezone.now())
    Notification.objects.create(user=clerk.user, notice=notice, created_at=timezone.now())
    page = browser_for(clerk).get("/workspace/").content.decode()
    assert '<span class="count"' in page and "/workspace/inbox/" in page and "/workspace/inspections/" in page
    record_page = browser_for(clerk).get(f"/workspace/records/{record['id']}/")
    assert list(record_page.context["notices"]) == [notice]
