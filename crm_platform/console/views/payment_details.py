"""Console → Billing → Payment details: the account customers pay bank transfer invoices into."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.bank_details import platform_bank_details, save_bank_details
from billing.models import PlatformSettings
from crm_platform.console.access import operator_actor, operator_required
from identity.forms import form_status


class BankDetailsForm(forms.Form):
    bank_details = forms.CharField(
        label=gettext_lazy("Bank details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
        help_text=gettext_lazy(
            "Account holder, bank, IBAN and SWIFT/BIC, one a line. "
            "Shown on open bank transfer invoices and in their e-mails."
        ),
    )


@operator_required
def payment_details(request: HttpRequest) -> HttpResponse:
    stored = PlatformSettings.objects.filter(pk=1).values_list("bank_details", flat=True).first() or ""
    form = BankDetailsForm(request.POST if request.method == "POST" else None, initial={"bank_details": stored})
    if request.method == "POST" and form.is_valid():
        try:
            save_bank_details(form.cleaned_data["bank_details"], actor=operator_actor(request))
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("The bank details are saved."))
            return redirect("console:payment-details")
    context = {"form": form, "effective": platform_bank_details(), "from_environment": not stored.strip()}
    return render(request, "console/billing/payment_details.html", context, status=form_status(form))
