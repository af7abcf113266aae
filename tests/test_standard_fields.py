"""The national standard's fields per kind (issue 14): validation, publication rule, versions,
audit, the public side, the penalty types' migration and the completeness list."""
from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disclosure.kinds.spec import KIND_FIELDS, PUBLICATION_RULES, SUBJECT_FIELDS, FieldType
from disclosure.models import PublicRecord, Record
from disclosure.services.details import id_number_problem, normalize_id_number, resident_id_problem
from disclosure.services.verification import verify_everything
from tests.conftest import PERSON_ID, VALID_CODE, Staff, call_command_en, penalty, publish_record, standard_details

pytestmark = pytest.mark.django_db


def create(staff: Staff, **overrides: Any) -> Any:
    return staff.client().post("/api/v1/records/", penalty(**overrides), format="json")


def created(staff: Staff, **overrides: Any) -> dict[str, Any]:
    response = create(staff, **overrides)
    assert response.status_code == 201, response.json()
    return response.json()


def publish(staff: Staff, record_id: int) -> Any:
    return staff.client().post(f"/api/v1/records/{record_id}/publish/", {}, format="json")


def edit(staff: Staff, record: dict[str, Any], **values: Any) -> Any:
    return staff.client().patch(f"/api/v1/records/{record['id']}/", {"version": record["version"], **values},
                                format="json")


# -- the spec is consistent ----------------------------------------------------------------------------
def test_every_required_field_is_a_field_of_its_kind_or_a_column() -> None:
    columns = {f.name for f in Record._meta.get_fields()}
    for kind, rules in PUBLICATION_RULES.items():
        names = {f.name for f in (*SUBJECT_FIELDS, *KIND_FIELDS.get(kind, ()))}
        for rule in rules:
            assert rule.field in names or rule.field in columns, (kind, rule.field)
            assert rule.source, (kind, rule.field)


def test_every_code_field_has_its_standard_terms() -> None:
    from disclosure.kinds.codes import STANDARD_TERMS

    for fields in (SUBJECT_FIELDS, *KIND_FIELDS.values()):
        for field in fields:
            if field.type == FieldType.CODE:
                assert field.choices is not None
                assert set(STANDARD_TERMS[field.choices]) == set(field.choices.values), field.name


# -- validation, field by field -------------------------------------------------------------------------
BAD_VALUES: list[tuple[str, str, Any]] = [
    ("permit", "permit_category", "ordinary"),
    ("permit", "permit_status", "maybe"),
    ("permit", "decision_document_name", "文" * 65),
    ("permit", "valid_from", "2026-13-01"),
    ("permit", "valid_to", "forever"),
    ("penalty", "confiscated_amount", "-1"),
    ("penalty", "confiscated_amount", "12.345"),
    ("penalty", "confiscated_amount", "abc"),
    ("penalty", "confiscated_amount", "-0"),           # would be stored as "-0.00"
    ("penalty", "confiscated_amount", "-0.00"),
    ("permit", "valid_from", "2026-W40-1"),            # an ISO week date: not how the standard writes a day
    ("permit", "valid_from", "0001-01-01"),
    ("permit", "valid_from", "20260928"),
    ("permit", "valid_to", "2026-9-28"),
    ("penalty", "violation_type", "x" * 2001),
    ("penalty", "penalty_valid_to", "2026/09/28"),
    ("inspection_task", "inspection_form", "telepathy"),
    ("inspection_task", "inspection_category", "random-ish"),
    ("inspection_task", "region_code", "21140"),
    ("inspection_task", "region_code", "２１１４０２x"),
    ("inspection_task", "item_code", "1234"),
    ("inspection_task", "inspectors", [{"name": "李", "badge": ""}]),
    ("inspection_task", "inspectors", [{"name": "李"}]),
    ("inspection_task", "inspectors", "李（2114）"),
    ("inspection_result", "inspection_result", "fine"),
    ("inspection_result", "inspection_time", "yesterday"),
    ("coercive_measure", "coercion_kind", "seize"),
    ("coercive_measure", "measure_type", "measure"),
    ("coercive_measure", "start_date", "2026-02-30"),
    ("penalty", "organization_code", "1" * 10),
    ("penalty", "legal_representative_id_type", "driving_licence"),
]


@pytest.mark.parametrize(("kind", "field", "value"), BAD_VALUES)
def test_a_bad_value_is_refused_naming_its_field(clerk: Staff, kind: str, field: str, value: Any) -> None:
    details = {**standard_details(kind), field: value}
    response = create(clerk, kind=kind, details=details)
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert f"details.{field}" in errors or field in errors.get("details", {}), errors


@pytest.mark.parametrize("kind", ["permit", "penalty", "inspection_task", "inspection_result", "coercive_measure"])
def test_a_complete_record_of_each_kind_is_accepted_and_publishes(clerk: Staff, kind: str) -> None:
    record = created(clerk, kind=kind)
    assert record["details"] == {k: v for k, v in standard_details(kind).items()}
    assert record["standard_missing"] == []
    assert publish(clerk, record["id"]).status_code == 200


def test_a_field_of_another_kind_is_refused(clerk: Staff) -> None:
    response = create(clerk, kind="permit", details={**standard_details("permit"), "violation_type": "x"})
    assert response.status_code == 400
    assert "details.violation_type" in response.json()["errors"]


def test_an_unknown_key_is_refused(clerk: Staff) -> None:
    response = create(clerk, details={**standard_details("penalty"), "shoe_size": "42"})
    assert response.status_code == 400
    assert "shoe_size" in str(response.json()["errors"])


def test_the_derived_confirmation_flag_is_no_input(clerk: Staff) -> None:
    response = create(clerk, details={**standard_details("penalty"), "penalty_types_unconfirmed": True})
    assert response.status_code == 400


def test_amounts_are_kept_exactly_in_yuan(clerk: Staff) -> None:
    record = created(clerk, penalty_types=["fine", "confiscate_gains"],
                     details={**standard_details("penalty"), "confiscated_amount": "12345.5"})
    assert record["details"]["confiscated_amount"] == "12345.50"


# -- ID numbers -----------------------------------------------------------------------------------------
def test_resident_id_numbers_are_checked_by_their_check_character() -> None:
    assert resident_id_problem(PERSON_ID) is None
    wrong = PERSON_ID[:17] + ("0" if PERSON_ID[17] != "0" else "1")
    assert resident_id_problem(wrong)
    assert resident_id_problem("211402199002301234")  # 30 February
    assert resident_id_problem("211402900307123")  is None  # the old 15 digits


@pytest.mark.parametrize("written", [
    "２１１４０２１９９００３０７１２３" + PERSON_ID[-1:].replace("X", "Ｘ"),  # full-width digits
    PERSON_ID[:6] + " " + PERSON_ID[6:14] + "-" + PERSON_ID[14:],  # odd separators
    PERSON_ID[:17] + PERSON_ID[17].lower(),
])
def test_id_numbers_are_normalized_however_written(written: str) -> None:
    assert normalize_id_number(written) == PERSON_ID
    assert id_number_problem("id_card", normalize_id_number(written)) is None


@pytest.mark.parametrize(("id_type", "number", "ok"), [
    ("passport", "E12345678", True), ("passport", "E1", False),
    ("hk_macao_permit", "H12345678", True), ("hk_macao_permit", "X12345678", False),
    ("taiwan_permit", "12345678", True), ("taiwan_permit", "1234567", False),
    ("foreigner_permanent", "USA110012345678", True), ("foreigner_permanent", "US1", False),
    ("other", "ABC-123", True),
])
def test_other_id_types_have_their_own_forms(id_type: str, number: str, ok: bool) -> None:
    assert (id_number_problem(id_type, normalize_id_number(number)) is None) is ok


def test_a_natural_person_needs_a_valid_id_number_of_its_type(clerk: Staff) -> None:
    base = {"subject_type": "natural_person", "subject_code": "", "subject_name": "张三"}
    bad = create(clerk, **base, details={**standard_details("penalty", "natural_person"),
                                         "person_id_number": PERSON_ID[:17] + "0" if PERSON_ID[17] != "0" else "1"})
    assert bad.status_code == 400 and "details.person_id_number" in bad.json()["errors"]
    no_type = create(clerk, **base, details={"person_id_number": PERSON_ID})
    assert no_type.status_code == 400 and "details.person_id_number" in no_type.json()["errors"]
    good = created(clerk, **base)
    assert good["details"]["person_id_number"] == PERSON_ID


def test_subject_fields_follow_the_subject_type(clerk: Staff) -> None:
    person = create(clerk, subject_type="natural_person", subject_code="",
                    details={"legal_representative": "张某"})
    assert person.status_code == 400 and "details.legal_representative" in person.json()["errors"]
    organization = create(clerk, details={"person_id_type": "id_card", "person_id_number": PERSON_ID})
    assert organization.status_code == 400
    assert "details.person_id_type" in organization.json()["errors"]


# -- the individual business ----------------------------------------------------------------------------
PLACEHOLDER = "00000000000000000X"


def test_the_placeholder_code_is_only_for_an_individual_business(clerk: Staff) -> None:
    response = create(clerk, subject_code=PLACEHOLDER)
    assert response.status_code == 400 and "subject_code" in response.json()["errors"]


def test_an_individual_business_with_the_placeholder_needs_its_registration_number(clerk: Staff) -> None:
    details = standard_details("penalty", "individual_business")
    missing = create(clerk, subject_type="individual_business", subject_code=PLACEHOLDER, details=details)
    assert missing.status_code == 400
    assert "details.business_registration_number" in missing.json()["errors"]
    record = created(clerk, subject_type="individual_business", subject_code="０００００００００００００００００ｘ",
                     details={**details, "business_registration_number": "211402600123456"})
    assert record["subject_type"] == "individual_business" and record["subject_code"] == PLACEHOLDER
    assert publish(clerk, record["id"]).status_code == 200


def test_an_individual_business_may_have_a_real_code_and_needs_one(clerk: Staff) -> None:
    assert created(clerk, subject_type="individual_business")["subject_code"] == VALID_CODE
    response = create(clerk, subject_type="individual_business", subject_code="")
    assert response.status_code == 400 and "subject_code" in response.json()["errors"]


# -- publication -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["permit", "filing", "penalty", "inspection_task", "inspection_result",
                                  "coercive_measure"])
def test_publishing_an_empty_draft_names_every_missing_field(clerk: Staff, kind: str) -> None:
    record = created(clerk, kind=kind, details={}, penalty_types=[], fine_amount=None, content="", legal_basis="",
                     document_number="")
    response = publish(clerk, record["id"])
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    expected = {r.field for r in PUBLICATION_RULES[kind] if r.when is None and r.subject_types in (
        None, frozenset({"organization", "individual_business"}))}
    assert {k.removeprefix("details.") for k in errors} == expected
    assert all("（" in m or "(" in m for messages in errors.values() for m in messages)  # with its source
    assert Record.objects.get(pk=record["id"]).status == "draft"
    # The draft shows what it lacks, and so does the record's own list.
    assert {k.removeprefix("details.") for k in Record.objects.get(pk=record["id"]).standard_missing} == expected


@pytest.mark.parametrize(("kind", "field"), [
    (kind, rule.field) for kind, rules in PUBLICATION_RULES.items() for rule in rules
    if rule.when is None and rule.subject_types is None and not rule.unless])
def test_each_required_field_alone_blocks_publication(clerk: Staff, kind: str, field: str) -> None:
    details = standard_details(kind)
    columns: dict[str, Any] = {}
    if field in details:
        details.pop(field)
    else:
        columns = {field: [] if field == "penalty_types" else ""}
    record = created(clerk, kind=kind, details=details, **columns)
    response = publish(clerk, record["id"])
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {f"details.{field}" if field in standard_details(kind) else field}


def test_conditional_requirements(clerk: Staff) -> None:
    record = created(clerk, penalty_types=["fine", "revoke_licence"], fine_amount=None)
    errors = publish(clerk, record["id"]).json()["errors"]
    assert set(errors) == {"fine_amount", "details.licence_name_number"}
    permit = created(clerk, kind="permit", document_number="",
                     details={**standard_details("permit"), "permit_category": "other"})
    errors = publish(clerk, permit["id"]).json()["errors"]
    assert set(errors) == {"details.permit_category_other"}  # the permit number stands in for the document number
    person = created(clerk, subject_type="natural_person", subject_code="", subject_name="张三",
                     details=standard_details("penalty"
                                              ) | {"legal_representative": None} | {})
    assert set(publish(clerk, person["id"]).json()["errors"]) == {"details.person_id_type",
                                                                 "details.person_id_number"}


def test_a_draft_may_be_completed_by_edits(clerk: Staff) -> None:
    record = created(clerk, details={})
    edited = edit(clerk, record, details={**standard_details("penalty"), "violation_type": "  "})
    assert edited.status_code == 200, edited.json()
    assert publish(clerk, record["id"]).json()["errors"].keys() == {"details.violation_type"}
    again = edit(clerk, edited.json(), details={"violation_type": "虚假宣传"})
    assert again.status_code == 200
    assert again.json()["details"]["legal_representative"] == "张某某"  # merged, key by key
    assert publish(clerk, record["id"]).status_code == 200


def test_changing_a_drafts_kind_drops_the_old_kinds_fields(clerk: Staff) -> None:
    record = created(clerk)
    edited = edit(clerk, record, kind="coercive_measure", penalty_types=[], fine_amount=None,
                  details=standard_details("coercive_measure"))
    assert edited.status_code == 200, edited.json()
    assert edited.json()["details"] == {"legal_representative": "张某某", **standard_details("coercive_measure")}


def test_backfilled_and_older_records_publish_with_what_they_have(clerk: Staff) -> None:
    backfilled = created(clerk, details={}, backfill=True)
    assert publish(clerk, backfilled["id"]).status_code == 200
    older = created(clerk, details={})
    Record.objects.filter(pk=older["id"]).update(predates_standard=True)
    assert publish(clerk, older["id"]).status_code == 200
    for record_id in (backfilled["id"], older["id"]):
        assert "details.violation_type" in Record.objects.get(pk=record_id).standard_missing


# -- versions, audit -----------------------------------------------------------------------------------
def test_details_are_versioned_and_sealed(clerk: Staff) -> None:
    record = created(clerk)
    assert publish(clerk, record["id"]).status_code == 200
    change = clerk.client().post(f"/api/v1/records/{record['id']}/change/", {
        "reason": "复议变更", "legal_basis": "《行政复议法》", "document_number": "葫复〔2026〕1号",
        "changes": {"details": {"violation_facts": "经复议查明的事实。"}}}, format="json")
    assert change.status_code == 200, change.json()
    versions = clerk.client().get(f"/api/v1/records/{record['id']}/versions/").json()
    assert versions[0]["data"]["details"]["violation_facts"] == "经抽检，当事人销售的产品不合格。"
    assert versions[-1]["data"]["details"]["violation_facts"] == "经复议查明的事实。"
    assert verify_everything().ok
    # A details value changed behind the system's back is caught.
    Record.objects.filter(pk=record["id"]).update(details={"violation_facts": "篡改"})
    report = verify_everything()
    assert not report.ok and "details" in report.problems[0].message


# -- the public side --------------------------------------------------------------------------------
def test_never_public_fields_never_reach_the_public(clerk: Staff, anonymous: Any) -> None:
    record = created(clerk, subject_type="natural_person", subject_code="", subject_name="张三", details={
        **standard_details("penalty", "natural_person"),
        "violation_facts": ("当事人（身份证号２１１４０２ １９９００３０７ １２３" + PERSON_ID[-1]
                            + "，电话138-1234-5678）无证经营。")})
    assert publish(clerk, record["id"]).status_code == 200
    public = PublicRecord.objects.get(pk=record["id"])
    assert "person_id_number" not in public.details and "person_id_type" not in public.details
    assert "1234-5678" not in public.details["violation_facts"] and "无证经营" in public.details["violation_facts"]
    # The history holds each public version's payload: what the feed sends.
    assert "details" in public.history[-1]["payload"]
    texts = [str(public.details), str(public.history), public.search_body, public.search_head,
             anonymous.get(f"/api/v1/public/records/{record['id']}/").content.decode(),
             anonymous.get(f"/records/{record['id']}/").content.decode()]
    for text in texts:
        assert PERSON_ID not in text and PERSON_ID[6:14] not in text
    page = anonymous.get(f"/records/{record['id']}/").content.decode()
    assert "无证经营" in page and "销售不合格产品" in page  # the public details, shown


# -- the penalty types' migration --------------------------------------------------------------------
def test_old_penalty_types_migrate_and_ambiguous_ones_go_on_the_completeness_list(clerk: Staff) -> None:
    ids = {}
    for name, old in (("fine", ["fine"]), ("licence", ["licence", "fine"]), ("conf", ["confiscation"])):
        record = created(clerk, title=name, penalty_types=["fine"], fine_amount="20000.00")
        assert publish(clerk, record["id"]).status_code == 200
        ids[name] = record["id"]
        # What a record written before migration 0015 held, row and sealed versions alike.
        Record.objects.filter(pk=record["id"]).update(penalty_types=old)
    migration = importlib.import_module("disclosure.migrations.0018_national_standard_fields")
    migration.migrate_penalty_types(apps, connection.schema_editor())
    assert Record.objects.get(pk=ids["fine"]).penalty_types == ["fine"]
    licence = Record.objects.get(pk=ids["licence"])
    assert licence.penalty_types == ["suspend_licence", "fine"]
    assert licence.details["penalty_types_unconfirmed"] is True
    assert "penalty_types_unconfirmed" in licence.standard_missing
    assert Record.objects.get(pk=ids["conf"]).penalty_types == ["confiscate_gains"]
    # Confirming the types (a change naming them) takes the record off the list.
    record = clerk.client().get(f"/api/v1/records/{ids['licence']}/").json()
    change = clerk.client().post(f"/api/v1/records/{ids['licence']}/change/", {
        "reason": "确认处罚类别", "legal_basis": "《行政处罚法》第九条", "document_number": "连市监罚〔2026〕12号",
        "changes": {"penalty_types": ["revoke_licence", "fine"],
                    "details": {"licence_name_number": "食品经营许可证 JY121140200"}}}, format="json")
    assert change.status_code == 200, change.json()
    confirmed = Record.objects.get(pk=record["id"])
    assert "penalty_types_unconfirmed" not in confirmed.details and confirmed.standard_missing == []


def test_display_periods_do_not_change_with_the_new_codes(clerk: Staff) -> None:
    warning = created(clerk, penalty_types=["warning"], fine_amount=None, event_date="2026-09-28")
    assert publish(clerk, warning["id"]).json()  # 3 months: warning only
    assert str(Record.objects.get(pk=warning["id"]).expires_on) == "2026-12-29"
    revoked = created(clerk, penalty_types=["revoke_licence"], fine_amount=None, event_date="2026-09-28",
                      details={**standard_details("penalty"), "licence_name_number": "许可证 1号"})
    assert publish(clerk, revoked["id"]).status_code == 200
    assert str(Record.objects.get(pk=revoked["id"]).expires_on) == "2029-09-29"


# -- the completeness list ---------------------------------------------------------------------------
def test_the_completeness_list_names_the_missing_standard_fields(clerk: Staff, auditor: Staff) -> None:
    record = created(clerk, details={}, backfill=True, event_date="2026-09-01")
    assert publish(clerk, record["id"]).status_code == 200
    client = auditor.client()
    client.force_login(auditor.user)
    with CaptureQueriesContext(connection):
        page = client.get("/audit/incomplete/", {"from": "2026-01-01", "to": "2026-12-31"}).content.decode()
    row = page.split(f"#{record['id']} ")[1].split("</tr>")[0]
    assert "违法事实" in row or "Facts of the violation" in row
    assert 'id="agencies-without-code"' in page and "葫芦岛市连山区市场监督管理局" in page


# -- the API documents the fields ---------------------------------------------------------------------
def test_the_schema_documents_every_field_and_code_list(anonymous: Any) -> None:
    call_command_en  # noqa: B018 (the schema is served by the app)
    schema = anonymous.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    details = schema["components"]["schemas"]["RecordDetailsInput"]["properties"]
    for fields in (SUBJECT_FIELDS, *KIND_FIELDS.values()):
        for field in fields:
            if field.exchange_only:
                continue
            assert field.name in details, field.name
            if field.heading:
                assert field.heading in details[field.name].get("description", ""), field.name
    assert "individual_business" in str(schema["components"]["schemas"])
    assert "bar_from_practice" in str(schema["components"]["schemas"])


def test_a_change_may_not_take_away_what_the_standard_requires(clerk: Staff, clock: Any) -> None:
    """Review finding: a change emptied 违法事实 and 法定代表人 of a published penalty and was accepted."""
    clock("2026-09-29")
    pk = publish_record(clerk)
    client = clerk.client()
    grounds = {"reason": "更正", "legal_basis": "《行政处罚法》", "document_number": "更〔2026〕1号"}
    stripped = client.post(f"/api/v1/records/{pk}/change/", {**grounds, "changes": {
        "details": {"violation_facts": "", "violation_type": "", "legal_representative": ""}}}, format="json")
    assert stripped.status_code == 400, stripped.json()
    assert {"changes.details.violation_facts", "changes.details.violation_type",
            "changes.details.legal_representative"} <= set(stripped.json()["errors"])
    no_fine = client.post(f"/api/v1/records/{pk}/change/", {**grounds, "changes": {"fine_amount": None}},
                          format="json")
    assert no_fine.status_code == 400 and "changes.fine_amount" in no_fine.json()["errors"], no_fine.json()
    # A change that keeps the record complete goes through.
    fine = client.post(f"/api/v1/records/{pk}/change/", {**grounds, "changes": {
        "details": {"violation_facts": "经复查，当事人销售的产品不合格。"}}}, format="json")
    assert fine.status_code == 200, fine.json()


def test_a_new_code_is_checked_against_the_subjects_stored_fields(clerk: Staff, clock: Any) -> None:
    """Review finding: changing the code to 17 zeros and X was accepted for an individual business
    without its 工商注册号, because only the errors of the changed keys were kept."""
    clock("2026-09-29")
    pk = publish_record(clerk, subject_type="individual_business", subject_code=VALID_CODE,
                        details=standard_details("penalty", "individual_business"))
    changed = clerk.client().post(f"/api/v1/records/{pk}/change/", {
        "reason": "更正", "legal_basis": "《行政处罚法》", "document_number": "更〔2026〕2号",
        "changes": {"subject_code": "00000000000000000X"}}, format="json")
    assert changed.status_code == 400, changed.json()
    assert any("business_registration_number" in key for key in changed.json()["errors"]), changed.json()
