"""Seed the CYP tables' categories with the names DfE's DSG management plan template uses.

The lists live in tables, not code: a site administrator can correct a name; a council cannot
add a category DfE does not have (the admin is for site administrators only)."""

from django.db import migrations

from metrics.cyp_lists import AGE_GROUPS, NEEDS, PLACEMENTS


def seed(apps, schema_editor):
    for model, rows in (
        ("CypPlacement", PLACEMENTS),
        ("CypAgeGroup", AGE_GROUPS),
        ("CypNeed", NEEDS),
    ):
        Model = apps.get_model("metrics", model)
        for order, (code, name) in enumerate(rows, start=1):
            Model.objects.update_or_create(code=code, defaults={"name": name, "order": order})


def unseed(apps, schema_editor):
    for model in ("CypPlacement", "CypAgeGroup", "CypNeed"):
        apps.get_model("metrics", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0006_cyp_tables_and_sen2")]

    operations = [migrations.RunPython(seed, unseed)]
