"""The Celery app. Tasks run in the schema of the tenant that sent them (tenant-schemas-celery)."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_platform.settings.local")

app = CeleryApp("relata")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _init_sentry(**_kwargs: object) -> None:
    from crm_platform.sentry import init_sentry

    init_sentry()
