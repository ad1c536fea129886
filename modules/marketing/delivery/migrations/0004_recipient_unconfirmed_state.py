from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("marketing_delivery", "0003_webhook_credentials_for_every_provider"),
    ]

    operations = [
        migrations.AlterField(
            model_name="recipient",
            name="state",
            field=models.CharField(
                choices=[
                    ("held", "Waiting for the A/B winner"),
                    ("queued", "Queued"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("delivered", "Delivered"),
                    ("failed", "Failed"),
                    ("skipped", "Skipped"),
                    ("bounced", "Bounced"),
                    ("complained", "Complained"),
                    ("cancelled", "Cancelled"),
                    ("unconfirmed", "Unconfirmed"),
                ],
                default="queued",
                max_length=20,
                verbose_name="state",
            ),
        ),
    ]
