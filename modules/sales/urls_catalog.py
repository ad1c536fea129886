"""Catalogue and reporting pages: products, price lists, quotes, orders, forecast with quotas."""

from django.urls import path
from django.views.generic import RedirectView

from modules.sales.catalog_views import forecast, history, orders, products, quote_sharing, quotes

urlpatterns = [
    path("products/", products.product_list, name="product-list"),
    path("products/new/", products.product_edit, name="product-create"),
    path("products/bulk/", products.product_bulk, name="product-bulk"),
    path("products/views/", products.product_view_save, name="product-view-save"),
    path("products/views/<int:pk>/delete/", products.product_view_delete, name="product-view-delete"),
    path("products/<int:pk>/", products.product_edit, name="product-edit"),
    path("products/<int:pk>/active/", products.product_set_active, name="product-set-active"),
    path("products/price-lists/", products.price_list_list, name="price-list-list"),
    path("products/price-lists/new/", products.price_list_create, name="price-list-create"),
    path("products/price-lists/<int:pk>/", products.price_list_detail, name="price-list-detail"),
    path("products/price-lists/<int:pk>/prices/", products.price_list_item_save, name="price-list-item-save"),
    path(
        "products/price-lists/<int:pk>/prices/<int:item_pk>/delete/",
        products.price_list_item_delete,
        name="price-list-item-delete",
    ),
    path("quotes/", quotes.quote_list, name="quote-list"),
    path("quotes/new/", quotes.quote_create, name="quote-create"),
    path("quotes/bulk/", quotes.quote_bulk, name="quote-bulk"),
    path("quotes/views/", quotes.quote_view_save, name="quote-view-save"),
    path("quotes/views/<int:pk>/delete/", quotes.quote_view_delete, name="quote-view-delete"),
    path("quotes/<int:pk>/", quotes.quote_detail, name="quote-detail"),
    path("quotes/<int:pk>/edit/", quotes.quote_edit, name="quote-edit"),
    path("quotes/<int:pk>/lines/", quotes.quote_line_add, name="quote-line-add"),
    path("quotes/<int:pk>/lines/prefill/", quotes.quote_line_prefill, name="quote-line-prefill"),
    path("quotes/<int:pk>/lines/<int:line_pk>/", quotes.quote_line_edit, name="quote-line-edit"),
    path("quotes/<int:pk>/lines/<int:line_pk>/delete/", quotes.quote_line_delete, name="quote-line-delete"),
    path("quotes/<int:pk>/status/", quotes.quote_status, name="quote-status"),
    path("quotes/<int:pk>/pdf/", quotes.quote_pdf, name="quote-pdf"),
    path("quotes/<int:pk>/order/", orders.order_from_quote, name="quote-order"),
    path("orders/", orders.order_list, name="order-list"),
    path("orders/new/", orders.order_create, name="order-create"),
    path("orders/bulk/", orders.order_bulk, name="order-bulk"),
    path("orders/views/", orders.order_view_save, name="order-view-save"),
    path("orders/views/<int:pk>/delete/", orders.order_view_delete, name="order-view-delete"),
    path("orders/<int:pk>/", orders.order_detail, name="order-detail"),
    path("orders/<int:pk>/edit/", orders.order_edit, name="order-edit"),
    path("orders/<int:pk>/delete/", orders.order_delete, name="order-delete"),
    path("orders/<int:pk>/status/", orders.order_status, name="order-status"),
    path("orders/<int:pk>/lines/", orders.order_line_add, name="order-line-add"),
    path("orders/<int:pk>/lines/prefill/", orders.order_line_prefill, name="order-line-prefill"),
    path("orders/<int:pk>/lines/<int:line_pk>/", orders.order_line_edit, name="order-line-edit"),
    path("orders/<int:pk>/lines/<int:line_pk>/delete/", orders.order_line_delete, name="order-line-delete"),
    path(
        "purchases/company/<int:pk>/",
        history.purchase_history_card,
        {"subject": "company"},
        name="purchase-history-company",
    ),
    path(
        "purchases/contact/<int:pk>/",
        history.purchase_history_card,
        {"subject": "contact"},
        name="purchase-history-contact",
    ),
    path("quotes/<int:pk>/share/", quote_sharing.quote_share, name="quote-share"),
    path("quotes/<int:pk>/share/<int:share_pk>/revoke/", quote_sharing.quote_share_revoke, name="quote-share-revoke"),
    path("forecast/", forecast.forecast, name="forecast"),
    path("forecast/quotas/", forecast.quota_edit, name="quota-edit"),
    # Team activity moved into analytics; old bookmarks and links follow it, their dates kept.
    path(
        "team-activity/",
        RedirectView.as_view(pattern_name="analytics:team-activity", query_string=True, permanent=True),
        name="team-activity",
    ),
]
