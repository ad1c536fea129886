from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0005_erased_records"),
    ]

    operations = [
        migrations.CreateModel(
            name="SpareSchema",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("schema_name", models.CharField(max_length=63, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["created_at", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("schema_name__regex", "^spare__[a-z0-9_]{1,56}$")),
                        name="spare_schema_name_valid",
                    )
                ],
            },
        ),
    ]
