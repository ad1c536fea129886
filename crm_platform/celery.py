"""The Celery app. Tasks run in the schema of the tenant that sent them (tenant-schemas-celery)."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_platform.settings.local")

app = CeleryApp("relata")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Periodic tasks. Beat sends them without a tenant; each queues its per-tenant work itself.
app.conf.beat_schedule = {
    "activities-send-reminders": {
        "task": "modules.activities.tasks.dispatch_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}


@app.on_after_finalize.connect
def _init_sentry(**_kwargs: object) -> None:
    from crm_platform.sentry import init_sentry

    init_sentry()
