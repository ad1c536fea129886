from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0004_line_descriptions_longer"),
    ]

    operations = [
        migrations.AddField(
            model_name="deal",
            name="board_position",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
