"""Pages of the basket analysis: the rules, their thresholds, and the suggestion cards the product,
company and deal pages load."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.analytics.basket.filters import RuleFilterForm
from modules.analytics.basket.mining import current_settings
from modules.analytics.basket.models import BasketSettings
from modules.analytics.basket.selectors import also_bought, bought_together, cross_sell, rule_page
from modules.analytics.basket.services import update_basket_settings
from modules.analytics.views import sales_analysis_page
from modules.sales.models import Product
from modules.sales.selectors.deals import visible_companies, visible_deals


class BasketSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = BasketSettings
        fields = ["min_support_percent", "min_confidence_percent"]
        labels = {
            "min_support_percent": gettext_lazy("Minimum support (%)"),
            "min_confidence_percent": gettext_lazy("Minimum confidence (%)"),
        }


@require_safe
@sales_analysis_page("sales.view")
def rules(request: HttpRequest) -> HttpResponse:
    form = RuleFilterForm(request.GET)
    page = rule_page(form.filters()) if form.is_valid() else None
    context = {"form": form, "page": page, "settings": page.settings if page else current_settings()}
    return render(request, "analytics/basket/rules.html", context, status=form_status(form))


@require_http_methods(["GET", "HEAD", "POST"])
@sales_analysis_page("sales.view", "analytics.change")
def thresholds(request: HttpRequest) -> HttpResponse:
    current = current_settings()
    form = BasketSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            update_basket_settings(
                by=signed_in_user(request),
                min_support_percent=form.cleaned_data["min_support_percent"],
                min_confidence_percent=form.cleaned_data["min_confidence_percent"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)  # type: ignore[arg-type]  # a ModelForm is a form
        else:
            messages.success(request, _("The thresholds are saved; the rules are being mined again."))
            return redirect("analytics:basket")
    return render(request, "analytics/basket/settings.html", {"form": form}, status=form_status(form))


@require_safe
@sales_analysis_page("sales.view")
def product_card(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    context = {"suggestions": bought_together(product), "kind": "product", "settings": current_settings()}
    return render(request, "analytics/basket/_suggestions.html", context)


@require_safe
@sales_analysis_page("sales.view")
def company_card(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    company = get_object_or_404(visible_companies(user), pk=pk)
    context = {"suggestions": also_bought(company, user), "kind": "company", "settings": current_settings()}
    return render(request, "analytics/basket/_suggestions.html", context)


@require_safe
@sales_analysis_page("sales.view")
def deal_card(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(visible_deals(signed_in_user(request)), pk=pk)
    context = {"suggestions": cross_sell(deal), "kind": "deal", "deal": deal, "settings": current_settings()}
    return render(request, "analytics/basket/_suggestions.html", context)
