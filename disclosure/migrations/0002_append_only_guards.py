from django.db import migrations


def install(apps, schema_editor):
    from disclosure.db_guards import install_guards

    install_guards(schema_editor.connection)
    apps.get_model("disclosure", "AuditChainHead").objects.get_or_create(id=1)


def remove(apps, schema_editor):
    from disclosure.db_guards import remove_guards

    remove_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
