"""Seed the reply deadline of credit-repair applications (NDRC Order 2025 No. 36) in the rule table.

The values are written here as they were on the day of the migration (a migration is frozen
history); ``scheduler.rules.DEFAULT_RULES`` carries the same row for databases seeded afresh. An
administrator's edit of the row is never overwritten (get_or_create), and rolling back leaves it.
"""
from django.db import migrations

KEY = "repair_reply"
ROW = {
    "period": 5,
    "unit": "working_days",
    "display_months": None,
    "article": "国家发展改革委令2025年第36号",
    "description": "《信用修复管理办法》由认定单位确定办理时限（“信用中国”网站在3个工作日内处理修复结果）；"
                   "本系统以5个工作日为信用修复申请的办理时限",
}


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("scheduler", "DeadlineRule")
    DeadlineRule.objects.get_or_create(key=KEY, defaults=ROW)


class Migration(migrations.Migration):
    dependencies = [("scheduler", "0004_statement_reply_rule")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
