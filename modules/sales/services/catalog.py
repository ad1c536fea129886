"""Products and price lists: the catalogue quotes are priced from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from modules.contacts.services.records import check_fields, validated
from modules.sales.models import PriceList, PriceListItem, Product

PRODUCT_FIELDS = ("name", "sku", "description", "unit", "unit_price", "currency", "tax_rate", "is_active")
PRICE_LIST_FIELDS = ("name", "currency", "is_active", "valid_from", "valid_until")


def _check_sku(product: Product) -> None:
    product.sku = (product.sku or "").strip()
    if product.sku and Product.objects.filter(sku__iexact=product.sku).exclude(pk=product.pk).exists():
        raise ValidationError({"sku": [_("A product with the SKU %(sku)s already exists.") % {"sku": product.sku}]})


def _save_product(product: Product) -> Product:
    _check_sku(product)
    validated(product)
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as error:  # a concurrent writer took the SKU between the check and the insert
        raise ValidationError(
            {"sku": [_("A product with the SKU %(sku)s already exists.") % {"sku": product.sku}]}
        ) from error
    return product


def create_product(**values: Any) -> Product:
    check_fields(Product, values, PRODUCT_FIELDS)
    return _save_product(Product(**values))


def update_product(product: Product, **values: Any) -> Product:
    check_fields(Product, values, PRODUCT_FIELDS)
    for name, value in values.items():
        setattr(product, name, value)
    return _save_product(product)


def set_product_active(product: Product, *, active: bool) -> Product:
    """Deactivated products stay on existing quotes but are no longer offered for new lines."""
    if product.is_active != active:
        product.is_active = active
        product.save(update_fields=["is_active"])
    return product


def _check_validity(price_list: PriceList) -> None:
    if price_list.valid_from and price_list.valid_until and price_list.valid_until < price_list.valid_from:
        raise ValidationError({"valid_until": [_("The end of validity is before its start.")]})


def create_price_list(**values: Any) -> PriceList:
    check_fields(PriceList, values, PRICE_LIST_FIELDS)
    price_list = PriceList(**values)
    _check_validity(price_list)
    validated(price_list)
    price_list.save()
    return price_list


def update_price_list(price_list: PriceList, **values: Any) -> PriceList:
    """Change a price list; its currency is fixed once it holds prices (they are amounts in that currency)."""
    check_fields(PriceList, values, PRICE_LIST_FIELDS)
    if values.get("currency", price_list.currency) != price_list.currency and price_list.items.exists():
        raise ValidationError({"currency": [_("The currency of a price list with prices cannot change.")]})
    for name, value in values.items():
        setattr(price_list, name, value)
    _check_validity(price_list)
    validated(price_list)
    price_list.save()
    return price_list


def set_price(price_list: PriceList, product: Product, unit_price: Decimal) -> PriceListItem:
    """The product's price in this list (created or replaced)."""
    item = PriceListItem.objects.filter(price_list=price_list, product=product).first() or PriceListItem(
        price_list=price_list, product=product
    )
    item.unit_price = unit_price
    validated(item, exclude=["price_list", "product"])
    with transaction.atomic():
        item.save()
    return item


def remove_price(item: PriceListItem) -> None:
    item.delete()


def list_price(product: Product, *, currency: str, price_list: PriceList | None) -> Decimal:
    """The unit price of ``product`` on a quote in ``currency``: the price list's price when it has one,
    else the product's own price when it is in that currency; otherwise a field error on ``product``."""
    if price_list is not None:
        price = (
            PriceListItem.objects.filter(price_list=price_list, product=product)
            .values_list("unit_price", flat=True)
            .first()
        )
        if price is not None and price_list.currency == currency:
            return price
    if product.currency != currency:
        raise ValidationError(
            {
                "product": [
                    _("%(product)s is priced in %(product_currency)s; this quote is in %(currency)s.")
                    % {"product": product.name, "product_currency": product.currency, "currency": currency}
                ]
            }
        )
    return product.unit_price
