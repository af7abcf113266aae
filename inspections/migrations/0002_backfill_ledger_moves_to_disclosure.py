"""The backfill ledger now lives in ``disclosure`` (its 0014, same tables): removed from this app's
state only; nothing in the database changes."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_initial"),
        ("disclosure", "0014_backfill_ledger"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="BackfillItem"),
                migrations.DeleteModel(name="BackfillBatch"),
            ],
            database_operations=[],
        ),
    ]
