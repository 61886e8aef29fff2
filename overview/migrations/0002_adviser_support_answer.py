"""The adviser-support request becomes Yes / No / not answered (""), like the on-track answers.

A yes/no box defaulting to "no" could not tell "No" from a question nobody answered, so a
stored "requested" becomes Yes and, in a draft, a stored "not requested" becomes not answered.
A return already marked ready keeps "No": that is what was frozen, signed and sent (its payload
says No), and the live row must agree with it (a re-imported export compares the two).
"""

from django.db import migrations, models


def _forward(apps, schema_editor):
    RoundOverview = apps.get_model("overview", "RoundOverview")
    RoundOverview.objects.filter(adviser_support_old=True).update(adviser_support_requested="yes")
    RoundOverview.objects.filter(adviser_support_old=False).exclude(round__status="draft").update(
        adviser_support_requested="no"
    )


def _backward(apps, schema_editor):
    RoundOverview = apps.get_model("overview", "RoundOverview")
    RoundOverview.objects.filter(adviser_support_requested="yes").update(adviser_support_old=True)


class Migration(migrations.Migration):
    dependencies = [
        ("overview", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="roundoverview",
            name="overview_roundoverview_answers_valid",
        ),
        migrations.RenameField(
            model_name="roundoverview",
            old_name="adviser_support_requested",
            new_name="adviser_support_old",
        ),
        migrations.AddField(
            model_name="roundoverview",
            name="adviser_support_requested",
            field=models.CharField(
                blank=True, choices=[("yes", "Yes"), ("no", "No")], default="", max_length=3
            ),
        ),
        migrations.RunPython(_forward, _backward),
        migrations.RemoveField(model_name="roundoverview", name="adviser_support_old"),
        migrations.AddConstraint(
            model_name="roundoverview",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("deficit_this_year_on_track__in", ["", "yes", "no"]),
                    ("zero_deficit_on_track__in", ["", "yes", "no"]),
                    ("capital_project_on_track__in", ["", "yes", "no"]),
                    ("adviser_support_requested__in", ["", "yes", "no"]),
                ),
                name="overview_roundoverview_answers_valid",
            ),
        ),
    ]
