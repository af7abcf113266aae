"""The publicity-period rule table's defaults: how long penalty information and the dishonest
list are shown, and which class each penalty category falls in, with the source of every row.

Plain data, seeded into ``PublicityProfile``, ``PublicityPeriod`` and ``PenaltyClassRule`` by
migration 0020; an administrator edits the rows, or switches the profile in force, in the admin
(then runs ``manage.py recompute_publicity``). ``shared/STANDARD.md`` has the research.

NDRC Order 2025 No. 36 (《信用修复管理办法》, in force 2026-04-01, repealing Order 58 of 2023) classes
失信信息 as 轻微 / 一般 / 严重, each with a minimum period (credit repair possible after it) and a
maximum (the publication ends by itself), counted from the date of the decision. The article
numbers could not be checked against the final text here, so the sources quote the rule itself.
Which penalty category falls in which class follows the 2025 consultation draft's examples; the
final text leaves the classing to the sector authorities, so these rows are the bureau's to edit.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ORDER_36 = "ndrc-2025-36"
SAMR_45 = "samr-2021-45"

_O36 = "国家发展改革委令2025年第36号《信用修复管理办法》"
_O36_DRAFT = _O36 + "（分类按2025年征求意见稿所列情形）"
_S45 = "国家市场监督管理总局令第45号《市场监督管理行政处罚信息公示规定》"


@dataclass(frozen=True)
class Profile:
    code: str
    name: str
    active: bool
    low_fine_person_yuan: Decimal | None
    low_fine_organization_yuan: Decimal | None
    simple_procedure_shown: bool
    source: str


@dataclass(frozen=True)
class Period:
    profile: str
    publicity_class: str  # ``PublicityClass``
    min_months: int
    max_months: int
    counted_from: str  # ``CountedFrom``
    shown: bool
    source: str


@dataclass(frozen=True)
class PenaltyClass:
    profile: str
    penalty_type: str  # ``PenaltyType``
    severity: str  # ``Severity``
    source: str


# "较低数额罚款" is set by each province; Liaoning's was not found. These are the amounts several
# provinces use (5,000 元 for a person, 50,000 元 for an organisation; "以下" includes the amount).
_LOW_PERSON, _LOW_ORGANIZATION = Decimal("5000.00"), Decimal("50000.00")

PROFILES: tuple[Profile, ...] = (
    Profile(ORDER_36, _O36, True, _LOW_PERSON, _LOW_ORGANIZATION, True,
            _O36 + "：失信信息按严重程度分为轻微、一般、严重三类，公示期限自行政公务文书认定之日起计算"),
    Profile(SAMR_45, _S45, False, _LOW_PERSON, _LOW_ORGANIZATION, False,
            _S45 + "：适用普通程序作出的行政处罚决定予以公示，公示期自公示之日起计算"),
)

PERIODS: tuple[Period, ...] = (
    # 轻微: "原则上不予公示；行业主管部门认为确有必要公示的，公示期最长不超过3个月". The city's rule
    # (葫政办发〔2020〕80号 Art. 7(3)) requires every penalty decision to be published, so it is shown.
    Period(ORDER_36, "minor", 0, 3, "decision", True,
           _O36 + "：轻微失信信息确有必要公示的，公示期最长不超过3个月，法定责任履行完毕即可申请修复；"
                  "葫政办发〔2020〕80号第七条（三）要求公示行政处罚决定"),
    Period(ORDER_36, "general", 3, 12, "decision", True, _O36 + "：一般失信信息最短公示期3个月，最长1年"),
    Period(ORDER_36, "serious", 12, 36, "decision", True, _O36 + "：严重失信信息最短公示期1年，最长3年"),
    Period(ORDER_36, "dishonest_list", 12, 36, "decision", True,
           _O36 + "：严重失信主体名单信息属严重失信信息，最短公示期1年，最长3年"),
    # SAMR Order 45 sets when publication stops; the minimum before repair is Order 36's, the
    # national repair rule for every field since 2026-04-01.
    Period(SAMR_45, "minor", 0, 3, "publication", True,
           _S45 + "：仅受到通报批评或者较低数额罚款的，公示满3个月停止公示"),
    Period(SAMR_45, "general", 3, 36, "publication", True,
           _S45 + "：其他行政处罚信息公示满3年停止公示；最短公示期按" + _O36),
    Period(SAMR_45, "serious", 12, 36, "publication", True,
           _S45 + "：其他行政处罚信息公示满3年停止公示；最短公示期按" + _O36),
    Period(SAMR_45, "dishonest_list", 12, 36, "decision", True, _O36 + "：严重失信主体名单信息最短公示期1年，最长3年"),
)

_O36_CLASSES = {
    "warning": ("minor", "警告"), "criticism": ("minor", "通报批评"), "fine": ("general", "罚款（较低数额为轻微）"),
    "confiscate_gains": ("general", "没收违法所得"), "confiscate_property": ("general", "没收非法财物"),
    "suspend_licence": ("general", "暂扣许可证件"), "lower_qualification": ("general", "降低资质等级"),
    "revoke_licence": ("serious", "吊销许可证件"), "restrict_business": ("serious", "限制开展生产经营活动"),
    "suspend_business": ("serious", "责令停产停业"), "close_down": ("serious", "责令关闭"),
    "bar_from_practice": ("serious", "限制从业"),
    # Not named by the draft: 行政拘留 is the heaviest penalty of Art. 9, "other" the middle class.
    "detention": ("serious", "行政拘留（未列举，按严重）"), "other": ("general", "其他行政处罚（未列举，按一般）"),
}
# SAMR Order 45: only criticism and a low fine are short; every other decision is shown 3 years.
_S45_MINOR = {"criticism"}

PENALTY_CLASSES: tuple[PenaltyClass, ...] = (
    *(PenaltyClass(ORDER_36, t, severity, f"{_O36_DRAFT}：{what}") for t, (severity, what) in _O36_CLASSES.items()),
    *(PenaltyClass(SAMR_45, t, "minor" if t in _S45_MINOR else ("serious" if severity == "serious" else "general"),
                   f"{_S45}：{what}") for t, (severity, what) in _O36_CLASSES.items()),
)


def seed(profile_model: Any, period_model: Any, class_model: Any) -> int:
    """Insert the default profiles and rows that are missing, never overwriting an administrator's
    edit; a profile comes in force only where none is. The models are passed in so that migration
    0020 (historical models) and ``display.publicity_seed_defaults`` (live ones) run this one
    function. Returns how many rows it inserted."""
    created = 0
    for profile in PROFILES:
        active = profile.active and not profile_model.objects.filter(active=True).exists()
        created += profile_model.objects.get_or_create(code=profile.code, defaults={
            "name": profile.name, "active": active, "low_fine_person_yuan": profile.low_fine_person_yuan,
            "low_fine_organization_yuan": profile.low_fine_organization_yuan,
            "simple_procedure_shown": profile.simple_procedure_shown, "source": profile.source})[1]
    for period in PERIODS:
        created += period_model.objects.get_or_create(
            profile_id=period.profile, publicity_class=period.publicity_class,
            defaults={"min_months": period.min_months, "max_months": period.max_months,
                      "counted_from": period.counted_from, "shown": period.shown, "source": period.source})[1]
    for rule in PENALTY_CLASSES:
        created += class_model.objects.get_or_create(profile_id=rule.profile, penalty_type=rule.penalty_type,
                                                     defaults={"severity": rule.severity, "source": rule.source})[1]
    return created
