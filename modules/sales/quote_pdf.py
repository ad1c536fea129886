"""A quote as a PDF (fpdf2): the seller's name, logo, address, tax id and bank details (Settings →
Workspace), the customer, the lines with their totals, amounts in the quote's currency.

Lines are a table whose cells wrap, so a long description is printed whole; when the lines run
onto another page the table's heading row is printed again, under a running header naming the
seller and the quote.

Text in any of the platform's languages renders through ``core.pdf_documents`` (DejaVu Sans, or a
transliterating fallback), so a quote always renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from django.utils import formats
from django.utils.translation import gettext as _
from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

from core.pdf_documents import FONT_DIRS, UnicodeDocument
from modules.sales.models import Quote, QuoteLine
from modules.sales.services.quotes import Totals, compute_totals
from modules.workspace.logo import read_logo
from modules.workspace.services import current_tenant, workspace_profile


@dataclass(frozen=True)
class Seller:
    """Who the quote is from, as printed."""

    name: str
    address_lines: Sequence[str] = ()
    tax_id: str = ""
    bank_lines: Sequence[str] = ()
    logo_png: bytes | None = None
    # A Django date format; empty: the language's short date format.
    date_format: str = ""


def workspace_seller() -> Seller:
    """The current tenant as a seller: its name and its Settings → Workspace details."""
    tenant, profile = current_tenant(), workspace_profile()
    return Seller(
        name=tenant.name,
        address_lines=profile.address_lines,
        tax_id=profile.tax_id,
        bank_lines=profile.bank_lines,
        logo_png=read_logo(profile.logo),
        date_format=profile.date_format,
    )


def format_date(value: date, date_format: str = "") -> str:
    return formats.date_format(value, date_format or "SHORT_DATE_FORMAT")


def money(amount: Decimal, currency: str) -> str:
    return f"{formats.number_format(amount, 2, use_l10n=True, force_grouping=True)} {currency}"


class QuoteDocument(UnicodeDocument):
    def __init__(self, font_dirs: Sequence[Path] = FONT_DIRS, *, running_header: str = "") -> None:
        super().__init__(font_dirs)
        self.set_auto_page_break(auto=True, margin=18)
        self.running_header = running_header

    def header(self) -> None:
        # The first page opens with the full seller block; later pages say whose quote they belong to.
        if self.page_no() == 1 or not self.running_header:
            return
        self.set_font(self.body_font, "", 8)
        self.set_text_color(90)
        self.cell(0, 5, self.text_for(self.running_header), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.body_font, "", 8)
        self.cell(0, 6, self.text_for(_("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}),
                  align="C")  # fmt: skip


def _number(value: Decimal, places: int | None = None) -> str:
    if places is None:
        return formats.number_format(value.normalize(), None, use_l10n=True)
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _seller_block(pdf: QuoteDocument, quote: Quote, seller: Seller) -> None:
    top = pdf.get_y()
    if seller.logo_png:
        try:
            pdf.image(BytesIO(seller.logo_png), x=pdf.l_margin, y=top, h=16)
        except (ValueError, OSError, RuntimeError):
            pass  # a logo the PDF library cannot read is left out; the quote still renders
        else:
            pdf.set_y(top + 18)
    left = pdf.get_y()
    pdf.put(110, seller.name, bold=True, size=13, last=True)
    lines = [*seller.address_lines]
    if seller.tax_id:
        lines.append(_("Tax id: %(tax_id)s") % {"tax_id": seller.tax_id})
    pdf.set_font(pdf.body_font, "", 9)
    for text in lines:
        pdf.multi_cell(110, 4.5, pdf.text_for(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    below_seller = pdf.get_y()
    pdf.set_xy(120, left if not seller.logo_png else top)
    details = [(f"{_('Quote')} {quote.number}", True, 13)]
    details.append((_("Status: %(status)s") % {"status": quote.get_status_display()}, False, 9))
    if quote.issued_on:
        details.append((_("Issued: %(date)s") % {"date": format_date(quote.issued_on, seller.date_format)}, False, 9))
    if quote.valid_until:
        valid = format_date(quote.valid_until, seller.date_format)
        details.append((_("Valid until: %(date)s") % {"date": valid}, False, 9))
    for text, bold, size in details:
        pdf.set_x(120)
        pdf.put(0, text, bold=bold, size=size, align="R", last=True)
    pdf.set_y(max(below_seller, pdf.get_y()) + 4)


def _lines_table(pdf: QuoteDocument, quote: Quote, lines: Sequence[QuoteLine]) -> Totals:
    totals = compute_totals(lines, quote.discount_percent)
    headings = (_("Description"), _("Qty"), _("Unit price"), _("Disc."), _("Tax"), _("Net"), _("Total"))
    pdf.set_font(pdf.body_font, "", 9)
    with pdf.table(
        col_widths=(64, 15, 24, 14, 14, 28, 31),
        width=190,
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        headings_style=FontFace(emphasis="BOLD"),
        line_height=5,
        padding=(1, 1, 1, 1),
        repeat_headings=1,
    ) as table:
        table.row([pdf.text_for(text) for text in headings])
        for line, amounts in zip(lines, totals.lines, strict=True):
            table.row(
                [
                    pdf.text_for(line.description),
                    _number(line.quantity),
                    _number(line.unit_price, 2),
                    f"{_number(line.discount_percent)}%",
                    f"{_number(line.tax_rate)}%",
                    _number(amounts.net, 2),
                    _number(amounts.net + amounts.tax, 2),
                ]
            )
    return totals


def render_quote_pdf(
    quote: Quote, lines: Sequence[QuoteLine], *, seller: Seller, font_dirs: Sequence[Path] = FONT_DIRS
) -> bytes:
    pdf = QuoteDocument(font_dirs, running_header=f"{seller.name} · {_('Quote')} {quote.number}")
    pdf.set_title(pdf.text_for(f"{_('Quote')} {quote.number}"))
    pdf.set_author(pdf.text_for(seller.name))
    pdf.alias_nb_pages()
    pdf.add_page()
    _seller_block(pdf, quote, seller)
    pdf.put(0, _("Customer"), bold=True, size=11, last=True)
    customer = [str(quote.company) if quote.company else "", str(quote.contact) if quote.contact else ""]
    if quote.deal:
        customer.append(_("Deal: %(deal)s") % {"deal": quote.deal.name})
    for text in filter(None, customer):
        pdf.put(0, text, last=True)
    pdf.ln(4)

    totals = _lines_table(pdf, quote, lines)
    pdf.ln(3)
    rows = [(_("Subtotal"), totals.subtotal, False)]
    if totals.discount_total:
        percent = _number(quote.discount_percent)
        rows.append((_("Discount %(percent)s%%") % {"percent": percent}, -totals.discount_total, False))
    rows += [(_("Tax"), totals.tax_total, False), (_("Total"), totals.total, True)]
    for label, amount, bold in rows:
        pdf.put(116, "")
        pdf.put(34, label, bold=bold, align="R")
        pdf.put(0, money(amount, quote.currency), bold=bold, align="R", last=True)
    if quote.notes:
        pdf.ln(6)
        pdf.set_font(pdf.body_font, "", 9)
        pdf.multi_cell(0, 5, pdf.text_for(quote.notes), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if seller.bank_lines:
        pdf.ln(6)
        pdf.put(0, _("Payment details"), bold=True, size=10, last=True)
        pdf.set_font(pdf.body_font, "", 9)
        for text in seller.bank_lines:
            pdf.multi_cell(0, 4.5, pdf.text_for(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
