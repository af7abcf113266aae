"""The backfill ledger (``BackfillBatch``, ``BackfillItem``) belongs with the records it imported of
every kind (issue 12); it was first written in ``inspections``. The tables keep their names
(``db_table``): only Django's state moves, and the content types follow (``inspections`` 0002
removes the models from its own state)."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_types(apps, schema_editor, old="inspections", new="disclosure"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in ("backfillbatch", "backfillitem"):
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def _move_back(apps, schema_editor):
    _move_content_types(apps, schema_editor, old="disclosure", new="inspections")


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0013_citizen_request"),
        ("inspections", "0001_initial"),  # which made the tables
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="BackfillBatch",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("file_name", models.CharField(max_length=255, verbose_name="file name")),
                        ("file_sha256", models.CharField(max_length=64, verbose_name="SHA-256 of the file")),
                        ("imported_at", models.DateTimeField(verbose_name="imported at")),
                        ("rows", models.PositiveIntegerField(verbose_name="rows")),
                        ("created", models.PositiveIntegerField(verbose_name="records created")),
                        ("published", models.PositiveIntegerField(verbose_name="records published")),
                        ("skipped", models.PositiveIntegerField(verbose_name="rows skipped (already imported)")),
                        ("imported_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                          related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "backfill import",
                        "verbose_name_plural": "backfill imports",
                        "db_table": "inspections_backfillbatch",
                        "ordering": ["-id"],
                    },
                ),
                migrations.CreateModel(
                    name="BackfillItem",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("external_id", models.CharField(max_length=100, unique=True, verbose_name="external id")),
                        ("batch", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                    related_name="items", to="disclosure.backfillbatch")),
                        ("record", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT,
                                                        related_name="backfill_item", to="disclosure.record")),
                    ],
                    options={
                        "verbose_name": "backfilled record",
                        "verbose_name_plural": "backfilled records",
                        "db_table": "inspections_backfillitem",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_move_content_types, _move_back),
    ]
