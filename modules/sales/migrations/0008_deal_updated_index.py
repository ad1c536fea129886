"""An index for the deals list's default order (recently updated first). Built CONCURRENTLY, so
writing deals goes on while it builds; hence ``atomic = False`` and a migration of its own."""

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("contacts", "0011_timeline_kind_indexes"),
        ("sales", "0007_stage_change_lost_reason"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="deal",
            index=models.Index(fields=["updated_at", "id"], name="sales_deal_updated_idx"),
        ),
    ]
