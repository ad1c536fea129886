"""Celery tasks of the tenants app (they run in the public schema)."""

from celery import shared_task

from tenants.services.provisioning import ProvisioningBusy, provision_tenant


@shared_task(
    bind=True,
    autoretry_for=(ProvisioningBusy, ConnectionError),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=10,
    acks_late=True,
)
def provision_tenant_task(self: object, tenant_id: int) -> str:
    """Provision (or resume provisioning) a tenant; the service is idempotent, so retries are safe."""
    return str(provision_tenant(tenant_id).provisioning_state)
