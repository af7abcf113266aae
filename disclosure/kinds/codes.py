"""The code lists of the national credit-information data standard (``shared/STANDARD.md``).

Each list is a ``TextChoices``: the stored value is a stable English code (the API's names, see
``shared/API.md``), the label is the standard's Chinese term (through the message catalogue), and
``STANDARD_TERMS`` gives the exact Chinese term each value is exported as, whatever the language
of the request.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectType(models.TextChoices):
    """行政相对人类别."""

    ORGANIZATION = "organization", _("Legal person or other organization")
    NATURAL_PERSON = "natural_person", _("Natural person")
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")


class PenaltyType(models.TextChoices):
    """处罚类别: the fourteen kinds of administrative penalty of the Administrative Penalty Law (2021),
    Art. 9; they decide a penalty's display period (``disclosure.services.display``)."""

    WARNING = "warning", _("Warning")
    CRITICISM = "criticism", _("Notice of criticism")
    FINE = "fine", _("Fine")
    CONFISCATE_GAINS = "confiscate_gains", _("Confiscation of illegal gains")
    CONFISCATE_PROPERTY = "confiscate_property", _("Confiscation of illegal property")
    SUSPEND_LICENCE = "suspend_licence", _("Temporary suspension of a permit")
    LOWER_QUALIFICATION = "lower_qualification", _("Lowered qualification grade")
    REVOKE_LICENCE = "revoke_licence", _("Revocation of a permit")
    RESTRICT_BUSINESS = "restrict_business", _("Restriction of production and business activities")
    SUSPEND_BUSINESS = "suspend_business", _("Order to suspend production or business")
    CLOSE_DOWN = "close_down", _("Order to close down")
    BAR_FROM_PRACTICE = "bar_from_practice", _("Bar from practice")
    DETENTION = "detention", _("Administrative detention")
    OTHER = "other", _("Other penalty prescribed by law or administrative regulation")


# The eight values ``penalty_types`` took before migration 0015, and the code each one became.
# ``confiscation``, ``licence`` and ``restriction`` each stood for several of the fourteen: they map
# to the first (lightest) of their group and the record is put on the auditor's completeness list
# (``details.penalty_types_unconfirmed``) for its agency to confirm or correct.
LEGACY_PENALTY_TYPES: dict[str, str] = {
    "warning": "warning", "criticism": "criticism", "fine": "fine", "detention": "detention", "other": "other",
    "confiscation": "confiscate_gains", "licence": "suspend_licence", "restriction": "restrict_business",
}
AMBIGUOUS_LEGACY_PENALTY_TYPES = frozenset({"confiscation", "licence", "restriction"})


class IdType(models.TextChoices):
    """证件类型 of a natural person or a legal representative."""

    ID_CARD = "id_card", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO_PERMIT = "hk_macao_permit", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")
    FOREIGNER_PERMANENT = "foreigner_permanent", _("Foreigner's permanent residence ID card")
    OTHER = "other", _("Other ID")


class PermitCategory(models.TextChoices):
    """许可类别."""

    GENERAL = "general", _("General permit")
    SPECIAL = "special", _("Franchise permit")
    RECOGNITION = "recognition", _("Recognition")
    APPROVAL = "approval", _("Approval")
    REGISTRATION = "registration", _("Registration")
    OTHER = "other", _("Other permit category")


class PermitStatus(models.TextChoices):
    """当前状态 of a permit."""

    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Invalid")


class InspectionForm(models.TextChoices):
    """检查形式."""

    ON_SITE = "on_site", _("On-site inspection")
    OFF_SITE = "off_site", _("Off-site inspection")
    DOCUMENTS = "documents", _("Document review")


class InspectionCategory(models.TextChoices):
    """检查类别."""

    RANDOM = "random", _("Random inspection (double random)")
    KEY = "key", _("Key inspection")
    SPECIAL = "special", _("Special inspection")
    ROUTINE = "routine", _("Routine inspection")
    COMPLAINT = "complaint", _("Inspection on a complaint or report")
    OTHER = "other", _("Other inspection")


class InspectionResult(models.TextChoices):
    """检查结果 (the same values as ``inspections.models.Outcome``)."""

    NO_PROBLEM = "no_problem", _("No problem found")
    RECTIFICATION_ORDERED = "rectification_ordered", _("Problem found, rectification ordered")
    CASE_FILED = "case_filed", _("Problem found, case filed")
    TRANSFERRED = "transferred", _("Problem found, transferred to the competent authority")
    NOT_FOUND = "not_found", _("Entity not found at its registered address")
    CLOSED = "closed", _("Entity has ceased operating")


class CoercionKind(models.TextChoices):
    """行政强制种类."""

    MEASURE = "measure", _("Coercive measure")
    ENFORCEMENT = "enforcement", _("Coercive enforcement")


class MeasureType(models.TextChoices):
    """强制措施类型 (Administrative Coercion Law Art. 9)."""

    SEAL_UP = "seal_up", _("Sealing up premises, facilities or property")
    SEIZE = "seize", _("Seizure of property")
    FREEZE = "freeze", _("Freezing of deposits or remittances")
    RESTRICT_PERSON = "restrict_person", _("Restriction of personal freedom")
    OTHER = "other", _("Other coercive measure")


# The exact Chinese term each code is written as in the exchange files (the standard's wording).
STANDARD_TERMS: dict[type[models.TextChoices], dict[str, str]] = {
    SubjectType: {"organization": "法人及非法人组织", "natural_person": "自然人", "individual_business": "个体工商户"},
    PenaltyType: {
        "warning": "警告", "criticism": "通报批评", "fine": "罚款", "confiscate_gains": "没收违法所得",
        "confiscate_property": "没收非法财物", "suspend_licence": "暂扣许可证件", "lower_qualification": "降低资质等级",
        "revoke_licence": "吊销许可证件", "restrict_business": "限制开展生产经营活动",
        "suspend_business": "责令停产停业",
        "close_down": "责令关闭", "bar_from_practice": "限制从业", "detention": "行政拘留",
        "other": "其他（法律、行政法规规定的其他行政处罚）",
    },
    IdType: {"id_card": "身份证", "passport": "护照号", "hk_macao_permit": "港澳居民来往内地通行证",
             "taiwan_permit": "台湾居民来往大陆通行证", "foreigner_permanent": "外国人永久居留身份证", "other": "其他"},
    PermitCategory: {"general": "普通", "special": "特许", "recognition": "认可", "approval": "核准",
                     "registration": "登记", "other": "其他"},
    PermitStatus: {"valid": "有效", "invalid": "无效"},
    InspectionForm: {"on_site": "现场检查", "off_site": "非现场检查", "documents": "书面检查"},
    InspectionCategory: {"random": "双随机抽查", "key": "重点检查", "special": "专项检查", "routine": "日常检查",
                         "complaint": "投诉举报检查", "other": "其他"},
    InspectionResult: {"no_problem": "未发现问题", "rectification_ordered": "发现问题已责令整改",
                       "case_filed": "发现问题已立案", "transferred": "发现问题已移送主管部门",
                       "not_found": "通过登记的住所（经营场所）无法联系", "closed": "已停业或歇业"},
    CoercionKind: {"measure": "行政强制措施", "enforcement": "行政强制执行"},
    MeasureType: {"seal_up": "查封场所、设施或者财物", "seize": "扣押财物", "freeze": "冻结存款、汇款",
                  "restrict_person": "限制公民人身自由", "other": "其他"},
}
