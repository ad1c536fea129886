"""Settings → exchange rates: the dated rates reports use to convert amounts into the base currency."""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.localized_dates import LocalizedDateField
from identity.decorators import permission_required
from identity.forms import apply_service_errors, form_status
from modules.contacts.models import ExchangeRate
from modules.contacts.money import CURRENCY_CHOICES
from modules.contacts.services.money import base_currency, set_rate


class ExchangeRateForm(forms.Form):
    currency = forms.ChoiceField(label=gettext_lazy("Currency"))
    rate = forms.DecimalField(label=gettext_lazy("Rate"), max_digits=18, decimal_places=8, min_value=0)
    valid_from = LocalizedDateField(label=gettext_lazy("Valid from"))

    def __init__(self, *args: Any, base: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The base currency needs no rate: it is not offered.
        currency = cast(forms.ChoiceField, self.fields["currency"])
        currency.choices = [choice for choice in CURRENCY_CHOICES if choice[0] != base]


@permission_required("settings.manage_tenant")
def exchange_rate_list(request: HttpRequest) -> HttpResponse:
    base = base_currency()
    form = ExchangeRateForm(request.POST or None, base=base)
    if request.method == "POST" and form.is_valid():
        try:
            rate = set_rate(**form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Saved: %(rate)s.") % {"rate": rate})
            return redirect("exchange-rates:list")
    rates = ExchangeRate.objects.order_by("currency", "-valid_from", "-id")
    status = form_status(form)
    return render(
        request, "contacts/settings/exchange_rates.html", {"form": form, "rates": rates, "base": base}, status=status
    )


@permission_required("settings.manage_tenant")
@require_POST
def exchange_rate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rate = get_object_or_404(ExchangeRate, pk=pk)
    rate.delete()
    messages.success(request, _("Deleted: %(rate)s.") % {"rate": rate})
    return redirect("exchange-rates:list")
