from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics_dashboards", "0002_closed_deal_rollup"),
    ]

    operations = [
        migrations.CreateModel(
            name="RollupState",
            fields=[
                ("key", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("zone", models.CharField(max_length=64)),
                ("currency", models.CharField(max_length=3)),
                ("rates_day", models.DateField(null=True)),
                ("rates", models.CharField(blank=True, max_length=32)),
                ("built_at", models.DateTimeField()),
                ("synced_at", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="OpenDealFact",
            fields=[
                ("deal_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("owner_id", models.BigIntegerField(null=True)),
                ("stage_id", models.BigIntegerField(null=True)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=30, null=True)),
            ],
        ),
        migrations.CreateModel(
            name="OpenDealsByStage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("owner_id", models.BigIntegerField(null=True)),
                ("stage_id", models.BigIntegerField(null=True)),
                ("records", models.BigIntegerField()),
                ("amount", models.DecimalField(decimal_places=2, max_digits=30)),
                ("amounts", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("owner_id", "stage_id"), name="analytics_open_deals_key", nulls_distinct=False
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DoneActivityFact",
            fields=[
                ("activity_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("day", models.DateField(null=True)),
                ("assignee_id", models.BigIntegerField(null=True)),
                ("kind", models.CharField(max_length=20)),
            ],
        ),
        migrations.CreateModel(
            name="DoneActivitiesDaily",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(null=True)),
                ("assignee_id", models.BigIntegerField(null=True)),
                ("kind", models.CharField(max_length=20)),
                ("records", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "assignee_id", "kind"),
                        name="analytics_done_activities_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CaseFact",
            fields=[
                ("case_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("owner_id", models.BigIntegerField(null=True)),
                ("team_id", models.BigIntegerField(null=True)),
                ("status_id", models.BigIntegerField()),
                ("priority", models.CharField(max_length=10)),
            ],
        ),
        migrations.CreateModel(
            name="CasesByStatus",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("owner_id", models.BigIntegerField(null=True)),
                ("team_id", models.BigIntegerField(null=True)),
                ("status_id", models.BigIntegerField()),
                ("priority", models.CharField(max_length=10)),
                ("records", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("owner_id", "team_id", "status_id", "priority"),
                        name="analytics_cases_by_status_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
    ]
