"""Console URLs at /console/fleet/: the fleet's migrations, outbox backlogs and queues."""

from django.urls import path

from crm_platform.console.views import fleet

urlpatterns = [
    path("", fleet.fleet, name="fleet"),
    path("<int:pk>/migrate/", fleet.retry_migration, name="fleet-migrate"),
]
