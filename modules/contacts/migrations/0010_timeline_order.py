import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_alter_notification_kind"),
        ("contacts", "0009_saved_view_catalog_entities"),
        ("sales", "0006_quoteshare"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="timelineentry",
            name="order",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="timeline", to="sales.order"
            ),
        ),
        # Order entries written before the key named their order only in ``data``: link the ones
        # whose order still exists (a deleted order's entries keep only their data, as a deleted
        # record's do). Nothing to do on an empty schema.
        migrations.RunSQL(
            """
            UPDATE contacts_timelineentry AS entry SET order_id = sales_order.id
            FROM sales_order
            WHERE entry.kind = 'order' AND entry.order_id IS NULL
              AND jsonb_typeof(entry.data -> 'order') = 'number'
              AND sales_order.id = (entry.data ->> 'order')::bigint
            """,
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="timelineentry",
            index=models.Index(
                condition=models.Q(("order__isnull", False)),
                fields=["order", "-occurred_at", "-id"],
                name="contacts_timeline_order_idx",
            ),
        ),
    ]
