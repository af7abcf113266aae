"""Change tracking for the incremental deadline sweep; feed events append-only (db_guards)."""
import django.utils.timezone
from django.db import migrations, models


def guards(apps, schema_editor):
    from disclosure.db_guards import install_guards

    install_guards(schema_editor.connection)  # idempotent; now covers disclosure_feedevent


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0005_public_side_guards_and_search")]

    operations = [
        migrations.AddField(
            model_name="request",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now, verbose_name="updated at"),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(condition=models.Q(("status", "draft")), fields=["updated_at"],
                               name="record_draft_updated"),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(condition=models.Q(("status", "open")), fields=["updated_at"],
                               name="request_open_updated"),
        ),
        migrations.RunPython(guards, migrations.RunPython.noop),
    ]
