"""Celery tasks of the tenants app (they run in the public schema)."""

from celery import shared_task

from core.mail_retry import mail_task_options
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


@shared_task(acks_late=True, ignore_result=True)
def refill_spare_schemas_task() -> int:
    """Keep ``TENANT_SPARE_SCHEMAS`` spare schemas cloned for the next signups (beat, and after each
    signup that took one); a run that finds another running does nothing."""
    from tenants.services.spare_schemas import refill

    return refill()


@shared_task(**mail_task_options())
def send_workspace_list(email: str, *, scheme: str, port_suffix: str, language: str) -> int:
    """E-mail ``email`` the sign-in links of its workspaces; nothing when it has none (the page
    said the same either way, and a stranger's address gets no mail it did not ask for)."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.translation import gettext as _

    from tenants.services.workspace_finder import workspaces_of

    workspaces = workspaces_of(email)
    if not workspaces:
        return 0
    links = [(tenant.name, f"{scheme}://{tenant.primary_host}{port_suffix}/login/") for tenant in workspaces]
    with translation.override(language):
        send_mail(
            subject=_("Your Relata workspaces"),
            message=render_to_string("public/email/workspaces.txt", {"links": links, "email": email}),
            from_email=None,
            recipient_list=[email],
        )
    return len(links)


@shared_task(acks_late=True)
def migrate_tenant_task(tenant_id: int) -> str:
    """Migrate one tenant's schema (the console's "Retry"); its state and error stay on its row."""
    from tenants.models import Tenant
    from tenants.services.fleet_migrations import migrate_one_tenant

    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return "gone"
    return migrate_one_tenant(tenant).result
