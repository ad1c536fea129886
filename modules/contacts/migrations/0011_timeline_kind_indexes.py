"""Indexes for a timeline filtered by kind (``?kind=notes``), one per record type. Built
CONCURRENTLY, so a tenant with a long history keeps writing its timeline while they build; that
cannot run inside a transaction, hence ``atomic = False`` and a migration of their own."""

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("activities", "0005_alter_notification_kind"),
        ("contacts", "0010_timeline_order"),
        ("sales", "0007_stage_change_lost_reason"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="timelineentry",
            index=models.Index(
                condition=models.Q(("company__isnull", False)),
                fields=["company", "kind", "-occurred_at", "-id"],
                name="contacts_tl_company_kind_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="timelineentry",
            index=models.Index(
                condition=models.Q(("contact__isnull", False)),
                fields=["contact", "kind", "-occurred_at", "-id"],
                name="contacts_tl_contact_kind_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="timelineentry",
            index=models.Index(
                condition=models.Q(("lead__isnull", False)),
                fields=["lead", "kind", "-occurred_at", "-id"],
                name="contacts_tl_lead_kind_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="timelineentry",
            index=models.Index(
                condition=models.Q(("deal__isnull", False)),
                fields=["deal", "kind", "-occurred_at", "-id"],
                name="contacts_tl_deal_kind_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="timelineentry",
            index=models.Index(
                condition=models.Q(("order__isnull", False)),
                fields=["order", "kind", "-occurred_at", "-id"],
                name="contacts_tl_order_kind_idx",
            ),
        ),
    ]
