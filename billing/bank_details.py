"""The account customers pay bank transfer invoices into.

The operator sets it in the console (``PlatformSettings``, public schema); ``BILLING_BANK_DETAILS``
from the environment is used only while the console has none and only when it is set (it has no
default). With neither, pages and e-mails say that payment details will be sent instead of showing
an account, and the console warns the operator."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from billing.models import PlatformSettings
from billing.services.invoices import record_billing_audit
from core.input_bounds import check_value

SETTINGS_ID = 1


def platform_bank_details() -> str:
    """The account to pay into, or "" when the operator has set none. From any schema: a tenant's
    search path ends in the public schema, which alone has the table."""
    stored = PlatformSettings.objects.filter(pk=SETTINGS_ID).values_list("bank_details", flat=True).first()
    return (stored or "").strip() or str(getattr(settings, "BILLING_BANK_DETAILS", "") or "").strip()


def missing_bank_details_text() -> str:
    """What a customer reads instead of an account when none is set."""
    return _("Your account manager will send you the payment details for this invoice.")


def save_bank_details(text: str, *, actor: str) -> PlatformSettings:
    """Store the operator's bank details (empty falls back to the environment's, if any); audited."""
    value = text.strip()
    check_value(value, field="bank_details")
    if len(value) > PlatformSettings._meta.get_field("bank_details").max_length:  # type: ignore[operator]
        raise ValidationError({"bank_details": [_("At most 2,000 characters.")]})
    with schema_context(get_public_schema_name()), transaction.atomic():
        row, _created = PlatformSettings.objects.select_for_update().get_or_create(pk=SETTINGS_ID)
        if row.bank_details == value:
            return row
        row.bank_details = value
        row.save()
        record_billing_audit(
            "billing.bank_details_changed",
            "Bank details for transfers changed" if value else "Bank details for transfers removed",
            actor=actor,
            target="platform",
        )
    return row
