"""Checkpoints of verify_audit and the record of its runs (/health/ shows the newest)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("disclosure", "0006_sweep_change_tracking"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("entry_id", models.BigIntegerField(unique=True)),
                ("hash", models.CharField(max_length=64)),
                ("versions", models.BigIntegerField()),
                ("at", models.DateTimeField()),
            ],
            options={
                "ordering": ["-entry_id"],
            },
        ),
        migrations.CreateModel(
            name="AuditCheck",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("started_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField()),
                ("ok", models.BooleanField()),
                ("resumed_from", models.BigIntegerField(blank=True, null=True)),
                ("entries", models.BigIntegerField(default=0)),
                ("versions", models.BigIntegerField(default=0)),
                ("records", models.BigIntegerField(default=0)),
                ("head_entry_id", models.BigIntegerField(blank=True, null=True)),
                ("head_hash", models.CharField(blank=True, max_length=64)),
                ("problems", models.PositiveIntegerField(default=0)),
                ("first_broken", models.CharField(blank=True, max_length=200)),
                ("first_problem", models.TextField(blank=True)),
            ],
            options={
                "ordering": ["-finished_at", "-id"],
                "indexes": [models.Index(fields=["-finished_at"], name="audit_check_newest")],
            },
        ),
    ]
