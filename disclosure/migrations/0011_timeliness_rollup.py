"""The timeliness rollup (disclosure.services.rollup), filled from the records already stored.

The fill is one INSERT ... SELECT ... GROUP BY per span, run by the database (no rows pass
through Python): nothing to do on an empty database, a few seconds per million records on a big
one. Its SQL is frozen here as it stood at this migration; ``manage.py rebuild_timeliness_rollup``
recomputes the rollup with the current code at any time.
"""

import django.db.models.deletion
from django.db import migrations, models

STATE = """CASE WHEN r.backfill THEN 5
    WHEN r.published_on IS NOT NULL AND r.on_time THEN 1
    WHEN r.published_on IS NOT NULL AND NOT r.on_time THEN 2
    WHEN r.status = 'draft' THEN 3
    ELSE 4 END"""
LATENCY = "CASE WHEN r.backfill THEN -1 ELSE COALESCE(r.latency_working_days, -1) END"
LATE = ("CASE WHEN NOT r.backfill AND r.published_on IS NOT NULL AND NOT r.on_time "
        "THEN COALESCE(r.late_working_days, 0) ELSE 0 END")


def fill(apps, schema_editor):
    connection = schema_editor.connection
    postgresql = connection.vendor == "postgresql"
    month = "CAST(date_trunc('month', r.due_date) AS date)" if postgresql else "date(r.due_date, 'start of month')"
    year = "CAST(date_trunc('year', r.due_date) AS date)" if postgresql else "date(r.due_date, 'start of year')"
    with connection.cursor() as cursor:
        for span, due in (("d", "r.due_date"), ("m", month), ("y", year)):
            cursor.execute(
                "INSERT INTO disclosure_timelinessrollup (span, due, agency_id, kind, state, latency, late_days, n) "
                f"SELECT '{span}', {due}, r.agency_id, r.kind, {STATE}, {LATENCY}, {LATE}, COUNT(*) "
                "FROM disclosure_record r WHERE r.due_date IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7")


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0010_recompute_version'),
    ]

    operations = [
        migrations.CreateModel(
            name='TimelinessRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('span', models.CharField(choices=[('d', 'due day'), ('m', 'due month'), ('y', 'due year')], max_length=1)),
                ('due', models.DateField()),
                ('kind', models.CharField(choices=[('permit', 'Administrative permit'), ('filing', 'Filing'), ('inspection_task', 'Inspection task'), ('inspection_result', 'Inspection result'), ('penalty', 'Administrative penalty'), ('coercive_measure', 'Administrative coercive measure'), ('administrative_order', 'Administrative order'), ('dishonest_list', 'List of dishonest entities'), ('other', 'Other supervision information')], max_length=32)),
                ('state', models.PositiveSmallIntegerField(choices=[(1, 'on time'), (2, 'late'), (3, 'draft'), (4, 'other'), (5, 'backfill')])),
                ('latency', models.IntegerField()),
                ('late_days', models.IntegerField()),
                ('n', models.BigIntegerField(default=0)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='disclosure.agency')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('span', 'due', 'agency', 'kind', 'state', 'latency', 'late_days'), name='timeliness_rollup_key')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
