"""The workspace's own details as a seller: who it is, where, how it is paid, how it works.

One row per tenant schema (``id`` is always 1). The tenant's name, currency and time zone stay on
``tenants.Tenant`` in the public schema, where routing, billing and the scheduled tasks read them
without entering the schema; everything else here lives with the tenant's data, so it is exported
with it, removed with its schema and never read across tenants."""

from __future__ import annotations

from datetime import time

from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.workspace.choices import DateFormat, Month, Weekday

PROFILE_ID = 1
WORKING_DAYS = [Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY]


def default_working_days() -> list[int]:
    return [int(day) for day in WORKING_DAYS]


class WorkspaceProfile(models.Model):
    """The seller's details quotes carry, and the workspace's calendar conventions."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=PROFILE_ID, editable=False)
    street = models.CharField(_("street"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. RO."))
    tax_id = models.CharField(
        _("tax id"), max_length=50, blank=True, help_text=_("VAT or company registration number.")
    )
    bank_account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bank_details_extra = models.TextField(
        _("other payment details"),
        max_length=1000,
        blank=True,
        help_text=_("SWIFT/BIC, account number, notes: one a line."),
    )
    logo = models.CharField(
        _("logo"), max_length=255, blank=True, help_text=_("The logo's name in the workspace storage.")
    )
    date_format = models.CharField(_("date format"), max_length=10, choices=DateFormat.choices, blank=True)
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in"), choices=Month.choices, default=Month.JANUARY
    )
    working_days = ArrayField(
        models.PositiveSmallIntegerField(choices=Weekday.choices), verbose_name=_("working days"),
        default=default_working_days, blank=True,
    )  # fmt: skip
    working_hours_start = models.TimeField(_("working hours start"), default=time(9, 0))
    working_hours_end = models.TimeField(_("working hours end"), default=time(17, 0))
    # The customer portal's accent colour (#rrggbb); empty: the platform's own.
    brand_color = models.CharField(
        _("brand colour"), max_length=7, blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #rrggbb, e.g. #1d4ed8."))],
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(id=PROFILE_ID), name="workspace_profile_single_row"),
            models.CheckConstraint(
                condition=models.Q(working_hours_end__gt=models.F("working_hours_start")),
                name="workspace_working_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Workspace profile"))

    @property
    def address_lines(self) -> list[str]:
        """The postal address as printed: street, postal code and city, region, country."""
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        return [line for line in (self.street, town, self.region, self.country) if line]

    @property
    def bank_lines(self) -> list[str]:
        """Bank details as printed, one fact a line."""
        lines = []
        if self.bank_account_holder:
            lines.append(str(_("Account holder: %(name)s")) % {"name": self.bank_account_holder})
        if self.bank_name:
            lines.append(str(_("Bank: %(name)s")) % {"name": self.bank_name})
        if self.iban:
            grouped = " ".join(self.iban[index : index + 4] for index in range(0, len(self.iban), 4))
            lines.append(str(_("IBAN: %(iban)s")) % {"iban": grouped})
        lines += [line.strip() for line in self.bank_details_extra.splitlines() if line.strip()]
        return lines
