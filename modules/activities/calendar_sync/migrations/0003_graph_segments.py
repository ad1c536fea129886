from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calendar_sync", "0002_provider_calendars"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendarconnection",
            name="window_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="syncedevent",
            name="written_pattern",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
