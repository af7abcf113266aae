"""The exchange files of the national standard: which records each dataset holds, and its columns.

Plain data. Each column is the standard's Chinese heading (``shared/STANDARD.md``, in the
standard's order) and where its value comes from: ``col:<Record column>``, ``det:<details key>``
or a derived value named ``fn:<name>`` (``disclosure.exchange`` computes those). README.md
"National standard mapping" is this table in prose, with the sources.
"""
from __future__ import annotations

from disclosure.kinds import RecordKind

DATASET_KINDS: dict[str, tuple[str, ...]] = {
    "permits": (RecordKind.PERMIT, RecordKind.FILING),
    "penalties": (RecordKind.PENALTY,),
    "inspections": (RecordKind.INSPECTION_TASK, RecordKind.INSPECTION_RESULT),
    "coercive_measures": (RecordKind.COERCIVE_MEASURE,),
}

# 行政相对人 (every dataset but the inspections, which name the 监管对象 their own way).
SUBJECT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("行政相对人名称", "col:subject_name"),
    ("行政相对人类别", "fn:subject_type"),
    ("统一社会信用代码", "fn:credit_code"),
    ("工商注册号", "det:business_registration_number"),
    ("组织机构代码", "det:organization_code"),
    ("税务登记号", "det:tax_registration_number"),
    ("事业单位证书号", "det:institution_certificate_number"),
    ("社会组织登记证号", "det:social_organization_number"),
    ("法定代表人", "det:legal_representative"),
    ("法定代表人证件类型", "det:legal_representative_id_type"),
    ("法定代表人证件号码", "id:legal_representative_id_number"),
    ("证件类型", "det:person_id_type"),
    ("证件号码", "id:person_id_number"),
)

COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "permits": (
        *SUBJECT_COLUMNS,
        ("行政许可决定文书名称", "det:decision_document_name"),
        ("行政许可决定文书号", "fn:permit_document_number"),
        ("许可类别", "fn:permit_category"),
        ("许可证书名称", "det:certificate_name"),
        ("许可编号", "det:certificate_number"),
        ("许可内容", "col:content"),
        ("许可决定日期", "date:event_date"),
        ("有效期自", "date:valid_from"),
        ("有效期至", "date:valid_to"),
        ("许可机关", "fn:agency_name"),
        ("许可机关统一社会信用代码", "fn:agency_credit_code"),
        ("当前状态", "fn:permit_status"),
        ("数据来源单位", "fn:agency_name"),
        ("数据来源单位统一社会信用代码", "fn:agency_credit_code"),
        ("备注", "fn:remark"),
    ),
    "penalties": (
        *SUBJECT_COLUMNS,
        ("行政处罚决定书文号", "col:document_number"),
        ("违法行为类型", "det:violation_type"),
        ("违法事实", "det:violation_facts"),
        ("处罚依据", "col:legal_basis"),
        ("处罚类别", "fn:penalty_types"),
        ("处罚内容", "col:content"),
        ("罚款金额（万元）", "wan:fine_amount"),
        ("没收违法所得、没收非法财物的金额（万元）", "wan:confiscated_amount"),
        ("暂扣或吊销证照名称及编号", "det:licence_name_number"),
        ("处罚决定日期", "date:event_date"),
        ("处罚有效期", "date:penalty_valid_to"),
        ("公示截止期", "fn:shown_until"),
        ("处罚机关", "fn:agency_name"),
        ("处罚机关统一社会信用代码", "fn:agency_credit_code"),
        ("数据来源单位", "fn:agency_name"),
        ("数据来源单位统一社会信用代码", "fn:agency_credit_code"),
        ("备注", "fn:remark"),
    ),
    "inspections": (
        ("监管事项目录编码", "det:item_code"),
        ("检查行为名称", "col:title"),
        ("检查行为编号", "fn:record_number"),
        ("检查行为类型", "fn:kind"),
        ("监管对象名称", "col:subject_name"),
        ("监管对象性质", "fn:subject_type"),
        ("监管对象证件类型", "fn:subject_id_type"),
        ("监管对象编码", "fn:subject_id_number"),
        ("行政区划代码", "fn:region_code"),
        ("检查形式", "det:inspection_form"),
        ("检查类别", "det:inspection_category"),
        ("检查结果", "det:inspection_result"),
        ("检查时间", "date:inspection_time"),
        ("检查人员及执法证号", "fn:inspectors"),
        ("双随机计划编号", "det:random_plan"),
        ("实施机关", "fn:agency_name"),
        ("实施机关统一社会信用代码", "fn:agency_credit_code"),
        ("报送时间", "fn:published_at"),
        ("备注", "fn:remark"),
    ),
    "coercive_measures": (
        *SUBJECT_COLUMNS,
        ("强制决定书号", "col:document_number"),
        ("行政强制种类", "det:coercion_kind"),
        ("强制措施类型", "det:measure_type"),
        ("强制执行类型", "det:enforcement_type"),
        ("强制依据", "col:legal_basis"),
        ("违法事实", "det:violation_facts"),
        ("强制决定日期", "date:event_date"),
        ("起始时间", "date:start_date"),
        ("截止时间", "date:end_date"),
        ("延长期限", "det:extension"),
        ("实施机关", "fn:agency_name"),
        ("实施机关统一社会信用代码", "fn:agency_credit_code"),
        ("数据来源单位", "fn:agency_name"),
        ("数据来源单位统一社会信用代码", "fn:agency_credit_code"),
        ("备注", "fn:remark"),
    ),
}

# How the standard writes a date, and long-term validity.
STANDARD_DATE_FORMAT = "%Y/%m/%d"
LONG_TERM_DATE = "2099/12/31"
