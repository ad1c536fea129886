from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0006_campaign_entity"),
    ]

    operations = [
        migrations.AddField(
            model_name="selectionrun",
            name="resumes_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="selectionrun",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("starting", "Starting runs"),
                    ("waiting", "Waiting for the rate limit"),
                    ("started", "All runs started"),
                ],
                default="queued",
                max_length=10,
            ),
        ),
    ]
