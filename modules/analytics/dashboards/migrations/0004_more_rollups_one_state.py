"""The rollups of open activities by due day and of cases by day opened and solved, and the closed
deals' rollup state folded into ``RollupState`` (its row becomes the ``deal-rollup`` one, so a
tenant's built rollup stays usable without a rebuild)."""

from typing import Any

from django.db import migrations, models

CLOSED_DEALS_KEY = "deal-rollup"


def fold_deal_rollup_state(apps: Any, schema_editor: Any) -> None:
    """The closed deals' one state row, as the generic state of key ``deal-rollup``. Its rates
    signature covers every dated rate (it converts at each close day's rate): ``rates_day`` stays
    empty."""
    old = apps.get_model("analytics_dashboards", "DealRollupState")
    state = apps.get_model("analytics_dashboards", "RollupState")
    for row in old.objects.using(schema_editor.connection.alias).all():
        state.objects.using(schema_editor.connection.alias).update_or_create(
            key=CLOSED_DEALS_KEY,
            defaults={
                "zone": row.zone,
                "currency": row.currency,
                "rates_day": None,
                "rates": row.rates,
                "built_at": row.built_at,
                "synced_at": row.synced_at,
            },
        )


def unfold_deal_rollup_state(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("analytics_dashboards", "DealRollupState")
    state = apps.get_model("analytics_dashboards", "RollupState")
    alias = schema_editor.connection.alias
    row = state.objects.using(alias).filter(key=CLOSED_DEALS_KEY).first()
    if row is not None:
        old.objects.using(alias).update_or_create(
            id=1,
            defaults={"zone": row.zone, "currency": row.currency, "rates": row.rates,
                      "built_at": row.built_at, "synced_at": row.synced_at},
        )  # fmt: skip
        row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics_dashboards", "0003_open_deal_activity_case_rollups"),
    ]

    operations = [
        migrations.RunPython(fold_deal_rollup_state, unfold_deal_rollup_state),
        migrations.DeleteModel(name="DealRollupState"),
        migrations.CreateModel(
            name="OpenActivityFact",
            fields=[
                ("activity_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("day", models.DateField()),
                ("assignee_id", models.BigIntegerField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name="OpenActivitiesDaily",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("assignee_id", models.BigIntegerField(null=True)),
                ("records", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "assignee_id"), name="analytics_open_activities_key", nulls_distinct=False
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CaseOpenedFact",
            fields=[
                ("case_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("day", models.DateField()),
                ("owner_id", models.BigIntegerField(null=True)),
                ("team_id", models.BigIntegerField(null=True)),
                ("channel", models.CharField(max_length=10)),
            ],
        ),
        migrations.CreateModel(
            name="CasesOpenedDaily",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("owner_id", models.BigIntegerField(null=True)),
                ("team_id", models.BigIntegerField(null=True)),
                ("channel", models.CharField(max_length=10)),
                ("records", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "owner_id", "team_id", "channel"),
                        name="analytics_cases_opened_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CaseSolvedFact",
            fields=[
                ("case_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("day", models.DateField()),
                ("owner_id", models.BigIntegerField(null=True)),
                ("team_id", models.BigIntegerField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name="CasesSolvedDaily",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("owner_id", models.BigIntegerField(null=True)),
                ("team_id", models.BigIntegerField(null=True)),
                ("records", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "owner_id", "team_id"), name="analytics_cases_solved_key", nulls_distinct=False
                    )
                ],
            },
        ),
    ]
