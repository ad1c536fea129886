from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0002_deal_custom_lead_custom"),
    ]

    operations = [
        migrations.AddField(
            model_name="deal",
            name="board_position",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
