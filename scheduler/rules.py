"""The rule table of Art. 7, Art. 8 and Art. 11: one place to read and change the statutory periods.

Keys are plain strings: the values of the record kinds (``disclosure.kinds.RecordKind``) and the
reply deadlines of citizens' requests (queries, corrections, statements, credit-repair applications). These are
the defaults the database is seeded with (``scheduler.DeadlineRule``); an administrator may change
a row in the admin when a rule changes, and new deadlines follow it. Deadlines already computed
keep the rule they were computed with (records store their due date).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


# Rule keys that are not record kinds: deadlines of citizens' requests.
QUERY_REPLY = "query_reply"  # Art. 11: written reply within 20 working days
CORRECTION_REPLY = "correction_reply"  # Art. 10 says "promptly"; the bureau's practice is 15 working days
# The check of a subject's statement (当事人陈述) before it is shown: no rule sets a period; the
# bureau's practice is 5 working days.
STATEMENT_REPLY = "statement_reply"
# A credit-repair application (NDRC Order 2025 No. 36): the order leaves the time to the agency that
# decides; 信用中国 applies a result within 3 working days. The default here is 5 working days.
REPAIR_REPLY = "repair_reply"


@dataclass(frozen=True)
class Rule:
    key: str
    period: int
    unit: str
    display_months: int | None  # None: not a publishable record (request deadlines)
    article: str
    description: str


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("inspection_task", 10, PeriodUnit.WORKING_DAYS, 36, "第七条（一）",
         "检查任务批准后10个工作日内公示"),
    Rule("inspection_result", 10, PeriodUnit.WORKING_DAYS, 36, "第七条（二）",
         "检查结果形成后10个工作日内公示"),
    Rule("permit", 7, PeriodUnit.WORKING_DAYS, 36, "第七条（三）",
         "作出准予行政许可决定后7个工作日内公示"),
    # Art. 7(3) names permit decisions only; a filing is no decision, so it falls under (4).
    Rule("filing", 20, PeriodUnit.CALENDAR_DAYS, 36, "第七条（四）",
         "备案信息属其他监管信息，自产生之日起20日内公示"),
    Rule("penalty", 7, PeriodUnit.WORKING_DAYS, 36, "第七条（三）",
         "作出行政处罚决定后7个工作日内公示"),
    Rule("coercive_measure", 7, PeriodUnit.WORKING_DAYS, 36, "第七条（三）",
         "采取行政强制措施决定后7个工作日内公示"),
    Rule("administrative_order", 7, PeriodUnit.WORKING_DAYS, 36, "第七条（三）",
         "采取行政命令决定后7个工作日内公示"),
    Rule("dishonest_list", 20, PeriodUnit.CALENDAR_DAYS, 60, "第七条（四）",
         "其他监管信息自产生之日起20日内公示"),
    Rule("other", 20, PeriodUnit.CALENDAR_DAYS, 36, "第七条（四）",
         "其他监管信息自产生之日起20日内公示"),
    Rule(QUERY_REPLY, 20, PeriodUnit.WORKING_DAYS, None, "第十一条",
         "自收到查询申请之日起20个工作日内书面答复"),
    Rule(CORRECTION_REPLY, 15, PeriodUnit.WORKING_DAYS, None, "第十条",
         "及时更正；本系统以15个工作日为办理时限"),
    Rule(STATEMENT_REPLY, 5, PeriodUnit.WORKING_DAYS, None, "无（市场监管局惯例）",
         "当事人陈述审核：无法定时限，按市场监管局惯例5个工作日内审核（非法律规定）"),
    Rule(REPAIR_REPLY, 5, PeriodUnit.WORKING_DAYS, None, "国家发展改革委令2025年第36号",
         "《信用修复管理办法》由认定单位确定办理时限（“信用中国”网站在3个工作日内处理修复结果）；"
         "本系统以5个工作日为信用修复申请的办理时限"),
)
