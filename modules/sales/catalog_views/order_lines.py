"""The order line list page and its saved views (``order_line_list.ORDER_LINES``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from modules.lists import views as lists
from modules.sales.catalog_views import sales_page
from modules.sales.order_line_list import ORDER_LINES


@sales_page("sales.view")
def order_line_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, ORDER_LINES)


@sales_page("sales.view")
@require_POST
def order_line_view_save(request: HttpRequest) -> HttpResponse:
    return lists.save_saved_view(request, ORDER_LINES)


@sales_page("sales.view")
@require_POST
def order_line_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, ORDER_LINES)
