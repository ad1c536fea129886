"""The migration the fleet benchmark times: a nullable ADD COLUMN (a catalog-only change)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("benchapp", "0001_initial")]

    operations = [
        migrations.AddField(model_name="benchnote", name="score", field=models.IntegerField(blank=True, null=True)),
    ]
