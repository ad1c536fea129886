from django.db import migrations, models


class Migration(migrations.Migration):
    """A saved view's list key is no longer a fixed choice: modules register their lists' keys
    (``modules.lists.keys``); the timeline
    knows collateral sent to a contact. No column changes."""

    dependencies = [
        ("contacts", "0016_saved_view_campaign_entity"),
    ]

    operations = [
        migrations.AlterField(
            model_name="timelineentry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("updated", "Fields changed"),
                    ("activity", "Activity"),
                    ("stage_changed", "Stage changed"),
                    ("status_changed", "Status changed"),
                    ("lead_converted", "Lead converted"),
                    ("merged", "Records merged"),
                    ("deal_won", "Deal won"),
                    ("deal_lost", "Deal lost"),
                    ("quote", "Quote"),
                    ("order", "Order"),
                    ("case", "Case"),
                    ("note", "Note"),
                    ("attachment", "File attached"),
                    ("sms", "SMS"),
                    ("marketing_email", "Marketing e-mail"),
                    ("campaign", "Campaign"),
                    ("form_submitted", "Form submitted"),
                    ("survey_answered", "Survey answered"),
                    ("consent", "Consent changed"),
                    ("collateral_sent", "Collateral sent"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="savedview",
            name="entity",
            field=models.CharField(max_length=20),
        ),
    ]
