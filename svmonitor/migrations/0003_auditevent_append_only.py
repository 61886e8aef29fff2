"""The audit table refuses UPDATE and DELETE in the database itself (a trigger per engine), so
bulk ORM calls and raw SQL cannot rewrite history either. An event's user and council are
PROTECTed: with the trigger, SET_NULL could no longer run, and history must keep who and where.

On SQLite, an AlterField that remakes svmonitor_auditevent drops its triggers: recreate them in
the same migration (tests/svmonitor/test_audit_append_only.py fails if they are missing)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from svmonitor.audit_sql import append_only_sql


def _run(schema_editor, *, create: bool) -> None:
    for statement in append_only_sql(schema_editor.connection.vendor, create=create):
        schema_editor.execute(statement)


def create_triggers(apps, schema_editor):
    _run(schema_editor, create=True)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, create=False)


class Migration(migrations.Migration):

    dependencies = [
        ("svmonitor", "0002_audit_via"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="council",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="svmonitor.localauthority",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
