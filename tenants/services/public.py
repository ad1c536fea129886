"""The public tenant: django-tenants routes BASE_DOMAIN through a Tenant row for schema 'public'."""

from django.conf import settings

from tenants.choices import ProvisioningState, TenantStatus
from tenants.models import Domain, Tenant


def ensure_public_tenant() -> Tenant:
    public, _created = Tenant.objects.get_or_create(
        schema_name="public",
        defaults={
            "name": "Relata",
            "slug": "public",
            "status": TenantStatus.ACTIVE,
            "provisioning_state": ProvisioningState.ACTIVE,
            "provisioning_progress": 100,
        },
    )
    Domain.objects.get_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": public, "is_primary": True})
    return public
