"""Writing the workspace settings: the tenant row's name, currency and time zone (public schema)
and the schema's ``WorkspaceProfile``, in one transaction with an entry in the tenant's audit log."""

from __future__ import annotations

import re
import zoneinfo
from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.input_bounds import check_fields, check_value
from identity.models import User
from identity.services.audit import record_audit
from modules.contacts.money import CURRENCIES
from modules.workspace.choices import Weekday
from modules.workspace.logo import delete_logo, store_logo
from modules.workspace.models import PROFILE_ID, WorkspaceProfile
from tenants.models import Tenant

TENANT_FIELDS = ("name", "currency", "time_zone")
PROFILE_FIELDS = (
    "street", "city", "region", "postal_code", "country", "tax_id", "bank_account_holder", "bank_name", "iban",
    "bank_details_extra", "date_format", "fiscal_year_start_month", "working_days", "working_hours_start",
    "working_hours_end", "brand_color",
)  # fmt: skip
IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


def workspace_profile() -> WorkspaceProfile:
    """The current schema's profile (an unsaved default one until the settings are first saved)."""
    return WorkspaceProfile.objects.filter(pk=PROFILE_ID).first() or WorkspaceProfile()


def default_phone_region() -> str | None:
    """The region a phone number without a country code is read in: the workspace's country."""
    country = workspace_profile().country
    return country.upper() if len(country) == 2 else None


def current_tenant() -> Tenant:
    tenant = getattr(connection, "tenant", None)
    if not isinstance(tenant, Tenant):
        raise LookupError("workspace settings need a tenant schema")
    return tenant


def normalized_iban(value: str) -> str:
    """``value`` without spaces, upper-cased; a ValidationError on ``iban`` unless its check digits hold."""
    iban = re.sub(r"\s+", "", value).upper()
    if not iban:
        return ""
    if not IBAN_SHAPE.match(iban):
        raise ValidationError({"iban": [_("Enter an IBAN: two letters, two check digits, then the account.")]})
    digits = "".join(str(int(char, 36)) for char in iban[4:] + iban[:4])
    if int(digits) % 97 != 1:
        raise ValidationError({"iban": [_("This IBAN's check digits do not match: look for a typo.")]})
    return iban


def _check_tenant_values(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    name = values.get("name")
    if name is not None and not str(name).strip():
        errors["name"] = [_("Enter the company name.")]
    elif name is not None and len(str(name)) > Tenant._meta.get_field("name").max_length:  # type: ignore[operator]
        errors["name"] = [_("The company name may be at most 200 characters.")]
    if "currency" in values and values["currency"] not in CURRENCIES:
        errors["currency"] = [_("Choose one of the listed currencies.")]
    if "time_zone" in values:
        try:
            zoneinfo.ZoneInfo(str(values["time_zone"]))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = [_("Choose one of the listed time zones.")]
    for field in ("name",):
        if field in values:
            try:
                check_value(values[field], field=field)
            except ValidationError as error:
                errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def _check_profile(profile: WorkspaceProfile) -> None:
    check_fields(profile)
    profile.iban = normalized_iban(profile.iban)
    profile.country = profile.country.upper()
    days = sorted(set(profile.working_days or []))
    if any(day not in Weekday.values for day in days):
        raise ValidationError({"working_days": [_("Choose days of the week.")]})
    profile.working_days = days
    start, end = profile.working_hours_start, profile.working_hours_end
    if isinstance(start, time) and isinstance(end, time) and end <= start:
        raise ValidationError({"working_hours_end": [_("The working day must end after it starts.")]})
    profile.full_clean(exclude=["id"], validate_constraints=False)


def update_workspace(*, by: User, ip_address: str | None = None, **values: Any) -> WorkspaceProfile:
    """Save the workspace settings given in ``values`` (unknown names refused); the audit entry lists
    what changed. Nothing is written when any value is wrong."""
    unknown = sorted(set(values) - set(TENANT_FIELDS) - set(PROFILE_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    tenant_values = {name: values[name] for name in TENANT_FIELDS if name in values}
    if "name" in tenant_values:
        tenant_values["name"] = str(tenant_values["name"]).strip()
    _check_tenant_values(tenant_values)
    tenant = current_tenant()
    with transaction.atomic():
        profile = WorkspaceProfile.objects.select_for_update().filter(pk=PROFILE_ID).first() or WorkspaceProfile()
        before = {name: getattr(profile, name) for name in PROFILE_FIELDS}
        for name in PROFILE_FIELDS:
            if name in values:
                setattr(profile, name, values[name])
        _check_profile(profile)
        changed = [name for name in PROFILE_FIELDS if getattr(profile, name) != before[name]]
        row = Tenant.objects.select_for_update().get(pk=tenant.pk)
        changed += [name for name, value in tenant_values.items() if getattr(row, name) != value]
        if tenant_values:
            Tenant.objects.filter(pk=tenant.pk).update(**tenant_values)
            for name, value in tenant_values.items():
                setattr(tenant, name, value)
        profile.save()
        if changed:
            record_audit(
                "workspace.updated",
                _("Workspace settings changed: %(fields)s") % {"fields": ", ".join(_label(name) for name in changed)},
                actor=by.email,
                target="workspace",
                details={"fields": changed},
                ip_address=ip_address,
            )
    return profile


def _label(name: str) -> str:
    model = Tenant if name in TENANT_FIELDS else WorkspaceProfile
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def set_logo(png: bytes, *, by: User, ip_address: str | None = None) -> WorkspaceProfile:
    """Store ``png`` (from ``logo.logo_png``) as the logo; the previous file is removed after commit."""
    stored = store_logo(png)
    try:
        with transaction.atomic():
            profile = WorkspaceProfile.objects.select_for_update().filter(pk=PROFILE_ID).first() or WorkspaceProfile()
            previous, profile.logo = profile.logo, stored
            profile.save()
            record_audit(
                "workspace.logo_changed", _("Workspace logo changed"), actor=by.email, target="workspace",
                ip_address=ip_address,
            )  # fmt: skip
            transaction.on_commit(lambda: delete_logo(previous))
    except Exception:
        delete_logo(stored)
        raise
    return profile


def remove_logo(*, by: User, ip_address: str | None = None) -> WorkspaceProfile:
    with transaction.atomic():
        profile = WorkspaceProfile.objects.select_for_update().filter(pk=PROFILE_ID).first() or WorkspaceProfile()
        previous, profile.logo = profile.logo, ""
        if not previous:
            return profile
        profile.save()
        record_audit(
            "workspace.logo_removed", _("Workspace logo removed"), actor=by.email, target="workspace",
            ip_address=ip_address,
        )  # fmt: skip
        transaction.on_commit(lambda: delete_logo(previous))
    return profile
