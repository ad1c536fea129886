import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="IdempotencyRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("credential_id", models.CharField(max_length=200, verbose_name="credential")),
                ("key", models.CharField(max_length=255, verbose_name="key")),
                ("method", models.CharField(max_length=10, verbose_name="method")),
                ("path", models.TextField(verbose_name="path")),
                ("fingerprint", models.CharField(max_length=64, verbose_name="request fingerprint")),
                ("response_status", models.PositiveSmallIntegerField(null=True, verbose_name="response status")),
                ("response_body", models.BinaryField(default=b"", verbose_name="response body")),
                (
                    "response_content_type",
                    models.CharField(blank=True, max_length=200, verbose_name="response content type"),
                ),
                (
                    "created_at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="created at"),
                ),
            ],
            options={
                "verbose_name": "idempotency record",
                "verbose_name_plural": "idempotency records",
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(fields=("credential_id", "key"), name="idempotency_credential_key_unique")
                ],
            },
        ),
    ]
