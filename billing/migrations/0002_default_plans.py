"""The plans a new installation starts with (the operator edits them in the console)."""

from django.db import migrations

# Price of one seat per month in each currency's minor unit; a year costs ten months.
PLANS = [
    {
        "key": "starter",
        "name": "Starter",
        "description": "Customers, activities and the sales pipeline for a small team.",
        "modules": ["sales"],
        "seat_limit": 5,
        "record_limit": 10_000,
        "api_requests_per_day": 10_000,
        "storage_limit_mb": 1_024,
        "workflow_runs_per_month": 1_000,
        "trial_days": 14,
        "trial_requires_card": False,
        "sort_order": 10,
        "monthly": {"EUR": 1_900, "RON": 9_500, "PLN": 8_200, "RSD": 223_000, "USD": 2_100},
    },
    {
        "key": "growth",
        "name": "Growth",
        "description": "Sales, marketing and service on one customer record.",
        "modules": ["sales", "marketing", "service"],
        "seat_limit": 25,
        "record_limit": 100_000,
        "api_requests_per_day": 100_000,
        "storage_limit_mb": 10_240,
        "workflow_runs_per_month": 10_000,
        "trial_days": 14,
        "trial_requires_card": False,
        "sort_order": 20,
        "monthly": {"EUR": 4_900, "RON": 24_500, "PLN": 21_000, "RSD": 575_000, "USD": 5_400},
    },
    {
        "key": "enterprise",
        "name": "Enterprise",
        "description": "Every module, analytics included, without limits on records or automation.",
        "modules": ["sales", "marketing", "service", "analytics"],
        "seat_limit": None,
        "record_limit": None,
        "api_requests_per_day": 1_000_000,
        "storage_limit_mb": 102_400,
        "workflow_runs_per_month": None,
        "trial_days": 30,
        "trial_requires_card": True,
        "sort_order": 30,
        "monthly": {"EUR": 9_900, "RON": 49_500, "PLN": 42_500, "RSD": 1_160_000, "USD": 10_900},
    },
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    PlanPrice = apps.get_model("billing", "PlanPrice")
    for spec in PLANS:
        spec = dict(spec)
        monthly = spec.pop("monthly")
        plan, created = Plan.objects.get_or_create(key=spec["key"], defaults=spec)
        if not created:
            continue
        for currency, amount in monthly.items():
            PlanPrice.objects.create(plan=plan, currency=currency, interval="month", seat_amount=amount)
            PlanPrice.objects.create(plan=plan, currency=currency, interval="year", seat_amount=amount * 10)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_plans, migrations.RunPython.noop)]
