"""The subject's statement (当事人陈述, issue 15): a request kind, a sealed field pair on the record
and its public projection, the request's link to the version that shows it, and at most one
statement per record waiting for the agency's check."""
import importlib

import django.db.models.deletion
from django.db import migrations, models


def sqlite_search_triggers(apps, schema_editor):
    """SQLite remade the projection's table to add its columns, dropping the FTS5 triggers: made
    again (the function of migration 0018)."""
    importlib.import_module("disclosure.migrations.0018_national_standard_fields").sqlite_search_triggers(
        apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0021_recompute_publicity'),
    ]

    operations = [
        migrations.AddField(
            model_name='citizenrequest',
            name='statement_version',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='disclosure.recordversion', verbose_name='version showing the statement'),
        ),
        migrations.AddField(
            model_name='publicrecord',
            name='subject_statement',
            field=models.TextField(blank=True, db_default='', default='', verbose_name="subject's statement"),
        ),
        migrations.AddField(
            model_name='publicrecord',
            name='subject_statement_on',
            field=models.DateField(blank=True, null=True, verbose_name='statement made on'),
        ),
        migrations.AddField(
            model_name='record',
            name='subject_statement',
            field=models.TextField(blank=True, db_default='', default='', verbose_name="subject's statement"),
        ),
        migrations.AddField(
            model_name='record',
            name='subject_statement_on',
            field=models.DateField(blank=True, null=True, verbose_name='statement made on'),
        ),
        migrations.AlterField(
            model_name='citizenrequest',
            name='kind',
            field=models.CharField(choices=[('correction', 'Correction request'), ('query', 'Query'), ('statement', "Subject's statement")], max_length=16, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='feedevent',
            name='action',
            field=models.CharField(choices=[('create', 'Created'), ('edit', 'Draft edited'), ('publish', 'Published'), ('change', 'Changed'), ('correct', 'Corrected'), ('revoke', 'Revoked'), ('expire', 'Expired'), ('recompute', 'Deadline recomputed'), ('reclassify', 'Publicity period recomputed'), ('statement', "Subject's statement")], max_length=16, verbose_name='action'),
        ),
        migrations.AlterField(
            model_name='recordversion',
            name='action',
            field=models.CharField(choices=[('create', 'Created'), ('edit', 'Draft edited'), ('publish', 'Published'), ('change', 'Changed'), ('correct', 'Corrected'), ('revoke', 'Revoked'), ('expire', 'Expired'), ('recompute', 'Deadline recomputed'), ('reclassify', 'Publicity period recomputed'), ('statement', "Subject's statement")], max_length=16, verbose_name='action'),
        ),
        migrations.AddConstraint(
            model_name='citizenrequest',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'statement'), ('status', 'open')), fields=('record',), name='request_one_open_statement'),
        ),
        migrations.RunPython(sqlite_search_triggers, migrations.RunPython.noop),
    ]
