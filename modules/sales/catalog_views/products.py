"""Products and price lists: everyone with sales.view reads them; sales.manage_catalog changes them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import require_permission
from identity.forms import apply_service_errors, form_status
from modules.lists import views as lists
from modules.sales.catalog_forms import PriceListForm, PriceListItemForm, ProductForm
from modules.sales.catalog_lists import PRODUCTS
from modules.sales.catalog_views import sales_page
from modules.sales.models import PriceList, PriceListItem, Product
from modules.sales.services.catalog import (
    create_price_list,
    create_product,
    remove_price,
    set_price,
    set_product_active,
    update_price_list,
    update_product,
)


@sales_page("sales.view")
def product_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, PRODUCTS, extra_context={"active_tab": "products"})


@sales_page("sales.view", "sales.manage_catalog")
@require_POST
def product_bulk(request: HttpRequest) -> HttpResponse:
    return lists.bulk(request, PRODUCTS)


@sales_page("sales.view")
@require_POST
def product_view_save(request: HttpRequest) -> HttpResponse:
    return lists.save_saved_view(request, PRODUCTS)


@sales_page("sales.view")
@require_POST
def product_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, PRODUCTS)


def _product_initial(product: Product) -> dict[str, object]:
    return {name: getattr(product, name) for name in ProductForm.base_fields}


@sales_page("sales.view", "sales.manage_catalog")
def product_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk) if pk else None
    initial = _product_initial(product) if product else {"currency": getattr(request.tenant, "currency", "EUR")}  # type: ignore[attr-defined]
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = update_product(product, **form.cleaned_data) if product else create_product(**form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(product)s is saved.") % {"product": saved.name})
            return redirect("sales:product-list")
    return render(
        request, "sales/products/product_form.html", {"form": form, "product": product}, status=form_status(form)
    )


@sales_page("sales.view", "sales.manage_catalog")
@require_POST
def product_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    active = request.POST.get("active") == "1"
    set_product_active(product, active=active)
    if active:
        messages.success(request, _("%(product)s is offered again.") % {"product": product.name})
    else:
        messages.success(request, _("%(product)s is deactivated.") % {"product": product.name})
    return redirect("sales:product-list")


@sales_page("sales.view")
def price_list_list(request: HttpRequest) -> HttpResponse:
    price_lists = PriceList.objects.annotate(item_count=Count("items")).order_by("name")
    return render(request, "sales/products/price_list_list.html", {"price_lists": price_lists})


@sales_page("sales.view", "sales.manage_catalog")
def price_list_create(request: HttpRequest) -> HttpResponse:
    form = PriceListForm(request.POST or None, initial={"currency": getattr(request.tenant, "currency", "EUR")})  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            price_list = create_price_list(**form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Price list %(name)s is saved.") % {"name": price_list.name})
            return redirect("sales:price-list-detail", pk=price_list.pk)
    return render(
        request, "sales/products/price_list_form.html", {"form": form, "price_list": None}, status=form_status(form)
    )


@sales_page("sales.view")
def price_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The price list's prices; with sales.manage_catalog also its settings (POST saves them)."""
    price_list = get_object_or_404(PriceList, pk=pk)
    initial = {name: getattr(price_list, name) for name in PriceListForm.base_fields}
    form = PriceListForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require_permission(request, "sales.manage_catalog")
        if form.is_valid():
            try:
                update_price_list(price_list, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Price list %(name)s is saved.") % {"name": price_list.name})
                return redirect("sales:price-list-detail", pk=price_list.pk)
    return _price_list_page(request, price_list, form=form, item_form=PriceListItemForm())


def _price_list_page(
    request: HttpRequest, price_list: PriceList, *, form: PriceListForm, item_form: PriceListItemForm
) -> HttpResponse:
    items = price_list.items.select_related("product").order_by("product__name", "product_id")
    status = 400 if form.errors or item_form.errors else 200
    return render(
        request,
        "sales/products/price_list_detail.html",
        {"price_list": price_list, "form": form, "item_form": item_form, "items": items},
        status=status,
    )


@sales_page("sales.view", "sales.manage_catalog")
@require_POST
def price_list_item_save(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = get_object_or_404(PriceList, pk=pk)
    item_form = PriceListItemForm(request.POST)
    if item_form.is_valid():
        try:
            set_price(price_list, item_form.cleaned_data["product"], item_form.cleaned_data["unit_price"])
        except ValidationError as error:
            apply_service_errors(item_form, error)
        else:
            messages.success(request, _("The price is saved."))
            return redirect("sales:price-list-detail", pk=price_list.pk)
    initial = {name: getattr(price_list, name) for name in PriceListForm.base_fields}
    return _price_list_page(request, price_list, form=PriceListForm(initial=initial), item_form=item_form)


@sales_page("sales.view", "sales.manage_catalog")
@require_POST
def price_list_item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = get_object_or_404(PriceListItem, pk=item_pk, price_list_id=pk)
    remove_price(item)
    messages.success(request, _("The price is removed; the product's list price applies again."))
    return redirect("sales:price-list-detail", pk=pk)
