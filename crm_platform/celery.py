"""The Celery app. Tasks run in the schema of the tenant that sent them (tenant-schemas-celery)."""

import os

from celery.schedules import crontab
from celery.signals import worker_process_init
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_platform.settings.local")

app = CeleryApp("relata")


@worker_process_init.connect
def _start_tracing(**_kwargs: object) -> None:
    """OpenTelemetry in each worker child, when configured (crm_platform.tracing)."""
    from crm_platform.tracing import init_tracing

    init_tracing("relata-worker")


app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# E-mail written in the CRM is sent by its own task module beside the mailbox sync tasks.
app.autodiscover_tasks(["modules.mailboxes"], related_name="compose_tasks")
# Periodic tasks. Beat sends them without a tenant; each queues its per-tenant work itself.
app.conf.beat_schedule = {
    # The fleet's outbox and migration figures for Prometheus (a pass over every schema).
    "metrics-snapshot-fleet": {
        "task": "crm_platform.tasks.snapshot_fleet_metrics",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Marketing sends: scheduled e-mails start, A/B winners are chosen, dead workers' rows resume.
    "marketing-resume-sends": {
        "task": "modules.marketing.delivery.tasks.resume_all_sends",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "activities-send-reminders": {
        "task": "modules.activities.tasks.dispatch_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Scheduled report e-mails: due occurrences become deliveries, due deliveries are sent.
    "analytics-report-deliveries": {
        "task": "modules.analytics.reports.delivery.tasks.dispatch_report_deliveries",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # The outbox's safety net: events whose after-commit dispatch was lost (broker down, crash).
    "events-dispatch": {
        "task": "customization.events.tasks.dispatch_all_events",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Workflow runs whose worker died, whose wait is over, or that the broker lost.
    "workflows-resume-runs": {
        "task": "customization.workflows.tasks.resume_all_workflow_runs",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Idempotency-Key records are kept 24 hours.
    "idempotency-purge-records": {
        "task": "api.idempotency.tasks.purge_all_idempotency_records",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Support addresses' mailboxes read for new e-mail (each tenant queues its own addresses).
    "service-mail-poll": {
        "task": "modules.service.mail.tasks.poll_all_support_addresses",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Connected calendars synced both ways (each tenant queues its connections that are due).
    "calendar-sync": {
        "task": "modules.activities.calendar_sync.tasks.sync_all_calendars",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Connected mailboxes: each tenant's due mailboxes are synced (backoff and pauses respected).
    "sync-connected-mailboxes": {
        "task": "modules.mailboxes.tasks.sync_all_mailboxes",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # The logging address's mailbox, read over IMAP where a workspace has one.
    "mailboxes-poll-logging-address": {
        "task": "modules.mailboxes.tasks.poll_all_logging_mailboxes",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # E-mail written in the CRM whose send task was lost before its first attempt.
    "mailboxes-send-lost-composed": {
        "task": "modules.mailboxes.compose_tasks.send_all_lost_composed_mail",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Webhook deliveries whose retry is due, whose message was lost or whose worker died.
    "webhooks-send-due": {
        "task": "api.webhooks.tasks.sweep_all_webhook_deliveries",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Finished deliveries are kept WEBHOOK_DELIVERY_RETENTION_DAYS for the delivery log.
    "webhooks-purge-deliveries": {
        "task": "api.webhooks.tasks.purge_all_webhook_deliveries",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Daily: dynamic segments whose rules are relative to today ("in the last 30 days"); every
    # other change reaches segments through the outbox, without a sweep.
    "marketing-segments-time-relative": {
        "task": "modules.marketing.segments.tasks.reevaluate_all_time_relative_segments",
        "schedule": crontab(hour=2, minute=41),
        "options": {"expires": 6 * 3600},
    },
    "workflows-date-rules": {
        "task": "customization.workflows.tasks.fire_all_date_rules",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Spare tenant schemas cloned ahead of signups (after each signup too; this catches up after
    # a failed refill, a fleet migration that discarded stale spares, or a change of pool size).
    "tenants-refill-spare-schemas": {
        "task": "tenants.tasks.refill_spare_schemas_task",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    # Billing lifecycle by time: trials ending, grace periods running out, manual invoices due,
    # cancelled tenants past their retention period deleted (public schema).
    "billing-advance-lifecycle": {
        "task": "billing.tasks.advance_billing_lifecycle",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Stripe events stored but not handled (worker lost, broker down) are handled again.
    "billing-retry-stripe-events": {
        "task": "billing.webhooks.tasks.retry_pending_stripe_events",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    # Nightly: every Stripe subscription re-read, in case a webhook never arrived.
    "billing-reconcile-stripe": {
        "task": "billing.webhooks.tasks.reconcile_with_stripe",
        "schedule": crontab(hour=3, minute=17),
        "options": {"expires": 3600},
    },
    # Customer values (RFM stays live; CLV predictions are fitted) of every tenant with analytics;
    # order changes also ask for a refresh of their tenant.
    "customer-value-refresh": {
        "task": "modules.analytics.customer_value.tasks.refresh_all_customer_values",
        "schedule": crontab(hour=2, minute=41),
        "options": {"expires": 3600},
    },
    # Exports and imports whose worker died mid-run (or whose message was lost) are queued again.
    "dataio-resume-unfinished": {
        "task": "modules.dataio.exports.tasks.dispatch_dataio_resume",
        "schedule": 300.0,
        "options": {"expires": 250},
    },
    # Export files past their expiry (7 days by default) are deleted.
    "exports-purge-expired": {
        "task": "modules.dataio.exports.tasks.dispatch_export_purge",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Records past the tenants' retention periods (modules.privacy), deleted in bounded batches.
    "privacy-retention": {
        "task": "modules.privacy.tasks.sweep_retention",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # SLA warnings and breaches of every tenant with the service module, announced once each.
    "service-sla-sweep": {
        "task": "modules.service.sla.tasks.sweep_sla_clocks",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Analyses that changes asked to run again (modules.analytics.refresh), across the fleet.
    "analytics-run-due": {
        "task": "modules.analytics.refresh.tasks.sweep_due_analyses",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Nightly: every tenant's basket rules mined again (order changes also refresh them, debounced).
    "analytics-refresh-baskets": {
        "task": "modules.analytics.basket.tasks.refresh_all_baskets",
        "schedule": crontab(hour=2, minute=41),
        "options": {"expires": 3600},
    },
    # Nightly: the closed deals' dashboard rollup rebuilt (deal events keep it current meanwhile).
    "analytics-rebuild-deal-rollups": {
        "task": "modules.analytics.dashboards.tasks.rebuild_all_deal_rollups",
        "schedule": crontab(hour=2, minute=53),
        "options": {"expires": 3600},
    },
    # Daily: lead scores whose behaviour points decay with time (time passing is no event, so the
    # outbox consumer that keeps scores current cannot do it); only records holding such points.
    "marketing-score-decay": {
        "task": "modules.marketing.scoring.tasks.sweep_score_decay",
        "schedule": crontab(hour=3, minute=7),
        "options": {"expires": 3600},
    },
}


@app.on_after_finalize.connect
def _init_sentry(**_kwargs: object) -> None:
    from crm_platform.sentry import init_sentry

    init_sentry()
