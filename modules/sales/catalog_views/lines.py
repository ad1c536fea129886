"""The line views of priced documents (quotes and orders): add, edit and remove a line, and the
add form's fields filled from a chosen product. One set of views, made per document by
``line_views``; the document says how it is fetched, shown, priced and which services write it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors
from modules.sales.catalog_forms import PricedLineForm
from modules.sales.catalog_views import View, sales_page
from modules.sales.models import PricedLine, Product

FIELDS_TEMPLATE = "sales/lines/_fields.html"


@dataclass(frozen=True)
class LineDocument:
    """A document whose lines the pages edit.

    ``fetch`` returns the document the user may open (else 404); ``detail`` renders its page again
    with a refused ``line_form`` or an ``edited=(line_pk, form)``; ``add``/``update``/``remove`` are
    its services; ``price`` is a product's unit price in the document, a ValidationError saying why
    there is none; ``hint`` explains what choosing a product fills."""

    name: str
    line_model: type[PricedLine]
    fetch: Callable[[HttpRequest, int], Any]
    detail: Callable[..., HttpResponse]
    add: Callable[..., PricedLine]
    update: Callable[..., PricedLine]
    remove: Callable[..., None]
    price: Callable[[Any, Product], Decimal]
    hint: str | Promise

    def url(self, action: str, *args: int) -> str:
        return reverse(f"sales:{self.name}-{action}", args=args)

    def page_context(self, document: Any) -> dict[str, Any]:
        """What the document's page passes to the line templates."""
        return {"line_prefill_url": self.url("line-prefill", document.pk), "line_hint": self.hint}

    def lines_with_forms(self, document: Any, edited: tuple[int, PricedLineForm] | None) -> list[PricedLine]:
        """The document's lines in order, each with its edit form (the refused one kept)."""
        lines = list(document.lines.select_related("product").order_by("position", "id"))
        for line in lines:
            line.edit_form = edited[1] if edited and edited[0] == line.pk else PricedLineForm.for_line(line)  # type: ignore[attr-defined]
        return lines

    def _line(self, document: Any, line_pk: int) -> PricedLine:
        lines = self.line_model.objects.select_related(self.name)  # type: ignore[attr-defined]
        return get_object_or_404(lines, pk=line_pk, **{self.name: document})  # type: ignore[no-any-return]


class LineViews(NamedTuple):
    add: View
    edit: View
    delete: View
    prefill: View


def _named(view: View, document: LineDocument, action: str) -> View:
    view.__name__ = view.__qualname__ = f"{document.name}_line_{action}"
    return view


def line_views(document: LineDocument) -> LineViews:
    """The four line views of ``document``, with the sales module's page guard."""

    def add(request: HttpRequest, pk: int) -> HttpResponse:
        parent = document.fetch(request, pk)
        form = PricedLineForm(request.POST)
        if form.is_valid():
            try:
                document.add(parent, by=signed_in_user(request), **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                return redirect(document.url("detail", parent.pk))
        return document.detail(request, parent, line_form=form)

    def edit(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
        parent = document.fetch(request, pk)
        line = document._line(parent, line_pk)
        form = PricedLineForm.for_line(line, request.POST)
        if form.is_valid():
            try:
                document.update(line, by=signed_in_user(request), **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                return redirect(document.url("detail", parent.pk))
        line.refresh_from_db()
        return document.detail(request, parent, edited=(line.pk, form))

    def delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
        parent = document.fetch(request, pk)
        line = document._line(parent, line_pk)
        try:
            document.remove(line, by=signed_in_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(document.url("detail", parent.pk))

    def prefill(request: HttpRequest, pk: int) -> HttpResponse:
        """The line form's fields filled from the chosen product (htmx swaps them in)."""
        parent = document.fetch(request, pk)
        product_id = request.GET.get("product", "")
        initial: dict[str, object] = {"quantity": request.GET.get("quantity") or 1}
        error = ""
        if product_id.isdigit():
            product = Product.objects.filter(pk=int(product_id), is_active=True).first()
            if product is None:
                raise Http404(_("No such product."))
            initial.update(product=product.pk, description=product.name, tax_rate=product.tax_rate)
            try:
                initial["unit_price"] = document.price(parent, product)
            except ValidationError as failure:
                error = " ".join(failure.messages)
        context = {"line_form": PricedLineForm(initial=initial), "prefill_error": error}
        return render(request, FIELDS_TEMPLATE, context | document.page_context(parent))

    change = sales_page("sales.view", "sales.change")
    return LineViews(
        add=change(require_POST(_named(add, document, "add"))),
        edit=change(require_POST(_named(edit, document, "edit"))),
        delete=change(require_POST(_named(delete, document, "delete"))),
        prefill=sales_page("sales.view")(_named(prefill, document, "prefill")),
    )
