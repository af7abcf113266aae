"""Seed the rule row of the check of a subject's statement (当事人陈述, issue 15): 5 working days,
the bureau's practice (no law sets a period). The values are written here, not read from
``scheduler.rules``: a migration does not follow later edits of the code. An administrator's
row, if one exists already, is left as it is."""
from django.db import migrations

ROW = {
    "period": 5,
    "unit": "working_days",
    "display_months": None,
    "article": "无（市场监管局惯例）",
    "description": "当事人陈述审核：无法定时限，按市场监管局惯例5个工作日内审核（非法律规定）",
}


def seed(apps, schema_editor):
    apps.get_model("scheduler", "DeadlineRule").objects.get_or_create(key="statement_reply", defaults=ROW)


def unseed(apps, schema_editor):
    apps.get_model("scheduler", "DeadlineRule").objects.filter(key="statement_reply").delete()


class Migration(migrations.Migration):
    dependencies = [("scheduler", "0003_notices")]
    operations = [migrations.RunPython(seed, unseed)]
