"""Public intake codes for facilities and units, and the after-hours phone on posters.

Added in three steps so existing rows each get their own code before the column turns unique."""

from django.db import migrations, models

import careloop.orgs.models


def fill_codes(apps, schema_editor):  # type: ignore[no-untyped-def]
    used: set[str] = set()
    for model_name in ("Facility", "Unit"):
        model = apps.get_model("orgs", model_name)
        for row in model.objects.all().only("pk"):
            code = careloop.orgs.models.new_intake_code()
            while code in used:
                code = careloop.orgs.models.new_intake_code()
            used.add(code)
            model.objects.filter(pk=row.pk).update(intake_code=code)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_signin_protection")]

    operations = [
        migrations.AddField(
            model_name="facility",
            name="after_hours_phone",
            field=models.CharField(
                blank=True,
                help_text="Printed on intake posters for help out of hours.",
                max_length=40,
            ),
        ),
        migrations.AddField(
            model_name="facility",
            name="intake_code",
            field=models.CharField(max_length=12, null=True),
        ),
        migrations.AddField(
            model_name="unit",
            name="intake_code",
            field=models.CharField(max_length=12, null=True),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="facility",
            name="intake_code",
            field=models.CharField(
                default=careloop.orgs.models.new_intake_code,
                help_text="Public code in the facility's intake and kiosk links.",
                max_length=12,
                unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="unit",
            name="intake_code",
            field=models.CharField(
                default=careloop.orgs.models.new_intake_code,
                help_text="Public code in the unit's QR intake link.",
                max_length=12,
                unique=True,
            ),
        ),
    ]
