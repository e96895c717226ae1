import django.core.validators
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_submitted_at(apps, schema_editor):  # type: ignore[no-untyped-def]
    Answer = apps.get_model("surveys", "Answer")
    Response = apps.get_model("surveys", "Response")
    Answer.objects.update(
        submitted_at=Subquery(
            Response.objects.filter(pk=OuterRef("response_id")).values("submitted_at")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_public_links_agreement_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="instrument",
            name="low_scores",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="instrumentversion",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="surveysettings",
            name="after_encounter_days",
            field=models.PositiveSmallIntegerField(
                default=1,
                help_text="Days after an imported visit or discharge before its invitation is sent.",
                validators=[django.core.validators.MaxValueValidator(60)],
            ),
        ),
        migrations.AddField(
            model_name="surveysettings",
            name="minimum_n",
            field=models.PositiveSmallIntegerField(
                default=5,
                help_text="No score from fewer responses is shown, whatever an instrument allows.",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(1000),
                ],
            ),
        ),
        migrations.AddField(
            model_name="surveysettings",
            name="anonymous_default",
            field=models.BooleanField(
                default=False,
                help_text="Invitations from imports and after resolutions are anonymous: answers "
                "are never joined to the person or the case.",
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="mobile",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="invitation",
            name="encounter_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="invitation",
            name="client_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="invitation",
            name="send_after",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(
                condition=models.Q(("sent_at__isnull", True), ("used", False)),
                fields=["send_after"],
                name="survey_inv_send_due",
            ),
        ),
        migrations.AddField(
            model_name="answer",
            name="submitted_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(copy_submitted_at, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="answer",
            name="submitted_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(
                fields=["item", "submitted_at"], name="survey_answer_item_at"
            ),
        ),
    ]
