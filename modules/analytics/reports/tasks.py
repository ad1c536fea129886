"""The report builder's Celery tasks, where Celery's autodiscovery looks for them."""

from modules.analytics.reports.delivery.tasks import (
    dispatch_report_deliveries,
    run_due_report_deliveries,
    send_report_delivery,
)

__all__ = ["dispatch_report_deliveries", "run_due_report_deliveries", "send_report_delivery"]
