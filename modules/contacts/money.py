"""Currencies the platform prices and reports in (ISO 4217 codes)."""

from django.utils.translation import gettext_lazy as _

CURRENCIES = {
    "EUR": _("Euro"),
    "RON": _("Romanian leu"),
    "PLN": _("Polish złoty"),
    "RSD": _("Serbian dinar"),
    "USD": _("US dollar"),
    "GBP": _("Pound sterling"),
    "CHF": _("Swiss franc"),
    "CZK": _("Czech koruna"),
    "HUF": _("Hungarian forint"),
    "BGN": _("Bulgarian lev"),
    "SEK": _("Swedish krona"),
    "NOK": _("Norwegian krone"),
    "DKK": _("Danish krone"),
}
CURRENCY_CHOICES = [(code, f"{code} — {name}") for code, name in CURRENCIES.items()]
