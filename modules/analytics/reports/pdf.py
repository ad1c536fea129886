"""A report run as a PDF (fpdf2): its name, the filters in words, when it was run and over what, the
chart (bars or lines, drawn in the PDF) and the table of groups — the pivot of two dimensions, or a
list's first records. Wide tables are cut into column blocks that fit the page, each repeating the
row names, so nothing is clipped; long names wrap inside their cell.

Text in any of the platform's languages renders (``core.pdf_documents``: DejaVu Sans)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

from core.pdf_documents import FONT_DIRS, UnicodeDocument
from modules.analytics.reports.execution import LIST_PREVIEW, MAX_GROUPS, ReportResult
from modules.analytics.reports.filters_text import filters_in_words
from modules.analytics.reports.models import Report
from modules.analytics.reports.pdf_chart import draw_chart
from modules.analytics.reports.presentation import chart_data, pivot, shown_rows

LABEL_WIDTH = 55.0
VALUE_WIDTH = 27.0
CONTENT_TYPE = "application/pdf"


class ReportDocument(UnicodeDocument):
    def __init__(self, title: str, font_dirs: Sequence[Path] = FONT_DIRS) -> None:
        super().__init__(font_dirs)
        self.set_auto_page_break(auto=True, margin=18)
        self.running_header = title

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.put(0, self.running_header, size=8, height=5, last=True)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-14)
        self.put(0, _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}, size=8, align="C")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal | float):
        return formats.number_format(value, 2, use_l10n=True, force_grouping=True)
    if isinstance(value, int):
        return formats.number_format(value, 0, use_l10n=True, force_grouping=True)
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if hasattr(value, "isoformat"):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _blocks(count: int, fixed: int, page_width: float) -> list[range]:
    """The value columns (after ``fixed`` name columns) cut into blocks that fit the page."""
    room = page_width - LABEL_WIDTH * fixed
    per_block = max(1, int(room // VALUE_WIDTH))
    return [range(start, min(start + per_block, count)) for start in range(fixed, count, per_block)] or [
        range(fixed, fixed)
    ]


def _table(pdf: ReportDocument, headers: list[str], lines: list[list[str]], *, fixed: int) -> None:
    """``headers`` and ``lines``, the first ``fixed`` columns names, the rest numbers on the right."""
    page_width = pdf.w - pdf.l_margin - pdf.r_margin
    fixed = min(fixed, len(headers))
    for block in _blocks(len(headers), fixed, page_width):
        columns = [*range(fixed), *block]
        widths = [LABEL_WIDTH] * fixed + [VALUE_WIDTH] * len(block)
        if not block and fixed:
            widths = [page_width / fixed] * fixed
        pdf.set_font(pdf.body_font, "", 8)
        with pdf.table(
            col_widths=widths,
            width=sum(widths),
            align="LEFT",
            text_align=["LEFT"] * fixed + ["RIGHT"] * len(block),
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            headings_style=FontFace(emphasis="BOLD"),
            line_height=4.5,
            padding=(1, 1, 1, 1),
            repeat_headings=1,
        ) as table:
            table.row([pdf.text_for(headers[index]) for index in columns])
            for line in lines:
                table.row([pdf.text_for(line[index]) for index in columns])
        pdf.ln(4)


def _heading(pdf: ReportDocument, report: Report, result: ReportResult, run_at: datetime) -> None:
    pdf.set_font(pdf.body_font, "B", 15)
    pdf.multi_cell(0, 7, pdf.text_for(report.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if report.description:
        pdf.set_font(pdf.body_font, "", 9)
        pdf.multi_cell(0, 4.5, pdf.text_for(report.description), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    zone = zoneinfo.ZoneInfo(result.context.zone)
    moment = formats.date_format(run_at.astimezone(zone), "DATETIME_FORMAT")
    lines = [
        _("Run on %(moment)s (%(zone)s), over the records as they stood then.")
        % {"moment": moment, "zone": result.context.zone},
        _("Amounts in %(currency)s.") % {"currency": result.context.base_currency},
    ]
    filters = filters_in_words(result.spec)
    lines.append(_("Filters: %(filters)s.") % {"filters": "; ".join(filters)} if filters else _("No filters."))
    pdf.set_font(pdf.body_font, "", 9)
    for text in lines:
        pdf.multi_cell(0, 4.5, pdf.text_for(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _result_tables(pdf: ReportDocument, result: ReportResult) -> None:
    rows = shown_rows(result)
    spec = result.spec
    if spec.columns:
        _table(pdf, result.headers, [[_cell(value) for value in row.values] for row in rows], fixed=1)
        if result.truncated:
            pdf.put(0, _("The first %(count)d records are shown; the CSV and XLSX exports have them all.")
                    % {"count": LIST_PREVIEW}, size=8, last=True)  # fmt: skip
        return
    crossed = pivot(result, rows)
    if crossed is not None:
        pdf.put(0, spec.measures[0].label, bold=True, size=10, last=True)
        headers = [spec.dimensions[0].label, *crossed.column_labels]
        lines = [[label, *(_cell(cell[0]) if cell else "" for cell in cells)] for label, cells in crossed.lines]
        _table(pdf, headers, lines, fixed=1)
    lines = [[*row.labels, *(_cell(value) for value in row.values)] for row in rows]
    _table(pdf, result.headers, lines, fixed=len(spec.dimensions))
    if result.truncated:
        pdf.put(0, ngettext("Only the first %(count)d group is shown.", "Only the first %(count)d groups are shown.",
                            MAX_GROUPS) % {"count": MAX_GROUPS}, size=8, last=True)  # fmt: skip


def render_report_pdf(
    report: Report, result: ReportResult, *, run_at: datetime, font_dirs: Sequence[Path] = FONT_DIRS
) -> bytes:
    """``result`` (``report`` run for one reader) as a PDF, in the active language."""
    pdf = ReportDocument(report.name, font_dirs)
    pdf.set_title(pdf.text_for(report.name))
    pdf.alias_nb_pages()
    pdf.add_page()
    _heading(pdf, report, result, run_at)
    if report.chart in ("bar", "line"):
        chart = chart_data(result, shown_rows(result), report.chart)
        if chart is not None:
            draw_chart(pdf, chart)
    _result_tables(pdf, result)
    return bytes(pdf.output())
