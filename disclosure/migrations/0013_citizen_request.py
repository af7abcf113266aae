"""``Request`` becomes ``CitizenRequest`` (issue 12: ``Request`` also names DRF's request).

The table keeps its name (``db_table``), so nothing in the database moves: the rename is in
Django's state only, plus the content type and the model permissions, which follow the name.
"""
from django.db import migrations


def _rename_content_type(apps, schema_editor, old="request", new="citizenrequest"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    kind = ContentType.objects.using(db).filter(app_label="disclosure", model=old).first()
    if kind is None:
        return  # a fresh database: post_migrate makes the new one
    ContentType.objects.using(db).filter(app_label="disclosure", model=new).delete()
    kind.model = new
    kind.save(update_fields=["model"])
    for permission in Permission.objects.using(db).filter(content_type=kind, codename__endswith=f"_{old}"):
        permission.codename = permission.codename[: -len(old)] + new
        permission.save(update_fields=["codename"])


def _rename_back(apps, schema_editor):
    _rename_content_type(apps, schema_editor, old="citizenrequest", new="request")


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0012_public_newest_covering"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameModel("Request", "CitizenRequest"),
                migrations.AlterModelTable("CitizenRequest", "disclosure_request"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_rename_content_type, _rename_back),
    ]
