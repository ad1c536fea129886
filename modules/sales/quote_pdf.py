"""A quote as a PDF (fpdf2): seller, customer, lines, totals, amounts in the quote's currency.

Text in Romanian, Polish, Serbian or Russian needs a Unicode font: DejaVu Sans, which `make install`
copies from npm (dejavu-fonts-ttf) into ``static/vendor/fonts/``. Should it be missing (a checkout whose
assets were not built) the PDF falls back to the core Helvetica font (Latin-1 only) and transliterates
what it cannot show, so a quote always renders.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from modules.sales.models import Quote, QuoteLine
from modules.sales.services.quotes import compute_totals

FONT_DIRS = (Path(settings.BASE_DIR) / "static" / "vendor" / "fonts",)
UNICODE_FAMILY = "DejaVuSans"

# Letters NFKD cannot take apart into a base letter and an accent.
LATIN_EXTRAS = str.maketrans(
    {"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "ø": "o", "Ø": "O", "ı": "i", "–": "-", "—": "-",
     "„": '"', "”": '"', "“": '"', "‘": "'", "’": "'", "…": "...", "€": "EUR"}
)  # fmt: skip
CYRILLIC = dict(
    zip(
        "абвгдежзийклмнопрстуфхцчшщъыьэюяёђјљњћџ",
        ["a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
         "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "yo", "dj", "j", "lj", "nj", "c", "dz"],
        strict=True,
    )
)  # fmt: skip


def unicode_font_path(directories: Sequence[Path] = FONT_DIRS) -> tuple[Path, Path | None] | None:
    """(regular, bold or None) of the first DejaVu Sans found, or None."""
    for directory in directories:
        regular = directory / "DejaVuSans.ttf"
        if regular.is_file():
            bold = directory / "DejaVuSans-Bold.ttf"
            return regular, bold if bold.is_file() else None
    return None


def transliterate(text: str) -> str:
    """Text the Latin-1 core fonts can show: accents dropped where Latin-1 lacks the letter, Cyrillic
    written in Latin letters."""
    out = []
    for char in text.translate(LATIN_EXTRAS):
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            lower = char.lower()
            if lower in CYRILLIC:
                latin = CYRILLIC[lower]
                out.append(latin.capitalize() if char != lower else latin)
                continue
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            out.append(base if base.isascii() else "?")
        else:
            out.append(char)
    return "".join(out)


def money(amount: Decimal, currency: str) -> str:
    return f"{formats.number_format(amount, 2, use_l10n=True, force_grouping=True)} {currency}"


class QuoteDocument(FPDF):
    def __init__(self, font_dirs: Sequence[Path] = FONT_DIRS) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_auto_page_break(auto=True, margin=18)
        font = unicode_font_path(font_dirs)
        if font is None:
            self.body_font, self.has_unicode = "Helvetica", False
        else:
            regular, bold = font
            self.add_font(UNICODE_FAMILY, "", str(regular))
            self.add_font(UNICODE_FAMILY, "B", str(bold or regular))
            self.body_font, self.has_unicode = UNICODE_FAMILY, True

    def text_for(self, text: object) -> str:
        value = str(text)
        return value if self.has_unicode else transliterate(value)

    def put(self, width: float, text: object, *, bold: bool = False, size: float = 10, align: str = "L",
            border: Literal[0, 1] | str = 0, height: float = 6, last: bool = False) -> None:  # fmt: skip
        self.set_font(self.body_font, "B" if bold else "", size)
        self.cell(
            width, height, self.text_for(text), border=border, align=align,
            new_x=XPos.LMARGIN if last else XPos.RIGHT, new_y=YPos.NEXT if last else YPos.TOP,
        )  # fmt: skip

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.body_font, "", 8)
        self.cell(0, 6, self.text_for(_("Page %(page)s") % {"page": self.page_no()}), align="C")


def render_quote_pdf(
    quote: Quote, lines: Sequence[QuoteLine], *, seller: str, font_dirs: Sequence[Path] = FONT_DIRS
) -> bytes:
    pdf = QuoteDocument(font_dirs)
    pdf.set_title(pdf.text_for(f"{_('Quote')} {quote.number}"))
    pdf.add_page()
    pdf.put(120, seller, bold=True, size=14)
    pdf.put(0, f"{_('Quote')} {quote.number}", bold=True, size=14, align="R", last=True)
    pdf.put(120, "")
    pdf.put(0, _("Status: %(status)s") % {"status": quote.get_status_display()}, size=9, align="R", last=True)
    if quote.issued_on:
        pdf.put(120, "")
        pdf.put(0, _("Issued: %(date)s") % {"date": formats.date_format(quote.issued_on, "SHORT_DATE_FORMAT")},
                size=9, align="R", last=True)  # fmt: skip
    if quote.valid_until:
        pdf.put(120, "")
        pdf.put(0, _("Valid until: %(date)s") % {"date": formats.date_format(quote.valid_until, "SHORT_DATE_FORMAT")},
                size=9, align="R", last=True)  # fmt: skip
    pdf.ln(4)
    pdf.put(0, _("Customer"), bold=True, size=11, last=True)
    customer = [str(quote.company) if quote.company else "", str(quote.contact) if quote.contact else ""]
    if quote.deal:
        customer.append(_("Deal: %(deal)s") % {"deal": quote.deal.name})
    for text in filter(None, customer):
        pdf.put(0, text, last=True)
    pdf.ln(4)

    widths = (72, 18, 26, 16, 14, 34)
    headers = (_("Description"), _("Qty"), _("Unit price"), _("Disc."), _("Tax"), _("Net"))
    for index, (width, header) in enumerate(zip(widths, headers, strict=True)):
        pdf.put(width, header, bold=True, size=9, border="B", align="L" if index == 0 else "R",
                last=index == len(widths) - 1)  # fmt: skip
    totals = compute_totals(lines, quote.discount_percent)
    for line, amounts in zip(lines, totals.lines, strict=True):
        description = pdf.text_for(line.description)
        pdf.set_font(pdf.body_font, "", 9)
        while pdf.get_string_width(description) > widths[0] - 2 and len(description) > 1:
            description = description[:-2] + "…" if pdf.has_unicode else description[:-4] + "..."
        cells = (
            description,
            formats.number_format(line.quantity.normalize(), None, use_l10n=True),
            formats.number_format(line.unit_price, 2, use_l10n=True, force_grouping=True),
            f"{formats.number_format(line.discount_percent.normalize(), None, use_l10n=True)}%",
            f"{formats.number_format(line.tax_rate.normalize(), None, use_l10n=True)}%",
            formats.number_format(amounts.net, 2, use_l10n=True, force_grouping=True),
        )
        for index, (width, text) in enumerate(zip(widths, cells, strict=True)):
            pdf.put(width, text, size=9, align="L" if index == 0 else "R", last=index == len(widths) - 1)
    pdf.ln(3)
    rows = [(_("Subtotal"), totals.subtotal, False)]
    if totals.discount_total:
        percent = formats.number_format(quote.discount_percent.normalize(), None, use_l10n=True)
        rows.append((_("Discount %(percent)s%%") % {"percent": percent}, -totals.discount_total, False))
    rows += [(_("Tax"), totals.tax_total, False), (_("Total"), totals.total, True)]
    for label, amount, bold in rows:
        pdf.put(126, "")
        pdf.put(30, label, bold=bold, align="R")
        pdf.put(0, money(amount, quote.currency), bold=bold, align="R", last=True)
    if quote.notes:
        pdf.ln(6)
        pdf.set_font(pdf.body_font, "", 9)
        pdf.multi_cell(0, 5, pdf.text_for(quote.notes))
    return bytes(pdf.output())
