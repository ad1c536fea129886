import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collaboration", "0001_initial"),
        ("contacts", "0010_timeline_order"),
        ("sales", "0006_quoteshare"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="attachment",
            name="collaboration_attachment_one_record",
        ),
        migrations.RemoveConstraint(
            model_name="follow",
            name="collaboration_follow_one_record",
        ),
        migrations.RemoveConstraint(
            model_name="note",
            name="collaboration_note_one_record",
        ),
        migrations.AddField(
            model_name="attachment",
            name="order",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attachments",
                to="sales.order",
            ),
        ),
        migrations.AddField(
            model_name="follow",
            name="order",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="sales.order"
            ),
        ),
        migrations.AddField(
            model_name="note",
            name="order",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="record_notes",
                to="sales.order",
            ),
        ),
        migrations.AddIndex(
            model_name="attachment",
            index=models.Index(
                condition=models.Q(("order__isnull", False)),
                fields=["order", "-created_at"],
                name="collab_file_order_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="note",
            index=models.Index(
                condition=models.Q(("order__isnull", False)),
                fields=["order", "-created_at"],
                name="collab_note_order_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="attachment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("company__isnull", False),
                        ("contact__isnull", True),
                        ("deal__isnull", True),
                        ("lead__isnull", True),
                        ("order__isnull", True),
                    ),
                    models.Q(
                        ("company__isnull", True),
                        ("contact__isnull", False),
                        ("deal__isnull", True),
                        ("lead__isnull", True),
                        ("order__isnull", True),
                    ),
                    models.Q(
                        ("company__isnull", True),
                        ("contact__isnull", True),
                        ("deal__isnull", True),
                        ("lead__isnull", False),
                        ("order__isnull", True),
                    ),
                    models.Q(
                        ("company__isnull", True),
                        ("contact__isnull", True),
                        ("deal__isnull", False),
                        ("lead__isnull", True),
                        ("order__isnull", True),
                    ),
                    models.Q(
                        ("company__isnull", True),
                        ("contact__isnull", True),
                        ("deal__isnull", True),
                        ("lead__isnull", True),
                        ("order__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="collaboration_attachment_one_record",
            ),
        ),
        migrations.AddConstraint(
            model_name="follow",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("company__isnull", False),
                        ("contact__isnull", True),
                        ("deal__isnull", True),
                        ("lead__isnull", True),
                        ("order__isnull", True),
                    ),
                    models.Q(
                        ("company__isnull", True),
                        ("contact__isnull", False),
                        ("deal__isnull", True),
                        ("lead__isnull", True),
                        ("order__isnull", True),
                    ),
                    models.Q(
                        ("company__isnull", True),
                        ("contact__isnull", True),
                        ("deal__isnull", True),
                        ("lead__isnull", False),
                        ("order__isnull", True),
                    ),
                    models.Q(
                        ("company__isnull", True),
                        ("contact__isnull", True),
                        ("deal__isnull", False),
                        ("lead__isnull", True),
                        ("order__isnull", True),
                    ),
                    models.Q(
                        ("company__isnull", True),
                        ("contact__isnull", True),
                        ("deal__isnull", True),
                        ("lead__isnull", True),
                        ("order__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="collaboration_follow_one_record",
            ),
        ),
        migrations.AddConstraint(
            model_name="follow",
            constraint=models.UniqueConstraint(
                condition=models.Q(("order__isnull", False)), fields=("order", "user"), name="collab_follow_order_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="note",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("company__isnull", False),
                        ("contact__isnull", True),
                        ("deal__isnull", True),
                        ("lead__isnull", True),
                        ("order__isnull", True),
                    ),
                    models.Q(
                        ("company__isnull", True),
                        ("contact__isnull", False),
                        ("deal__isnull", True),
                        ("lead__isnull", True),
                        ("order__isnull", True),
                    ),
                    models.Q(
                        ("company__isnull", True),
                        ("contact__isnull", True),
                        ("deal__isnull", True),
                        ("lead__isnull", False),
                        ("order__isnull", True),
                    ),
                    models.Q(
                        ("company__isnull", True),
                        ("contact__isnull", True),
                        ("deal__isnull", False),
                        ("lead__isnull", True),
                        ("order__isnull", True),
                    ),
                    models.Q(
                        ("company__isnull", True),
                        ("contact__isnull", True),
                        ("deal__isnull", True),
                        ("lead__isnull", True),
                        ("order__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="collaboration_note_one_record",
            ),
        ),
    ]
