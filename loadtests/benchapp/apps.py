"""App config of the bench-only tenant app (installed by crm_platform.settings.bench alone)."""

from django.apps import AppConfig


class BenchAppConfig(AppConfig):
    name = "loadtests.benchapp"
    label = "benchapp"
    verbose_name = "Benchmark fixtures"
    default_auto_field = "django.db.models.BigAutoField"
