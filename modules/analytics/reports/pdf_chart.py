"""A report's bar or line chart drawn with fpdf2's own primitives (rectangles, lines, text), from the
same data the page's Chart.js chart reads (``presentation.chart_data``): no image, no browser."""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from core.pdf_documents import UnicodeDocument

MAX_POINTS = 40  # beyond this, bars are too thin to read on A4: the chart says how many it shows
HEIGHT = 70.0
PALETTE = ((32, 107, 196), (214, 57, 57), (47, 179, 68), (247, 103, 7), (174, 62, 201), (23, 162, 184))


def _tick(value: float) -> str:
    return formats.number_format(round(value, 2), 2 if abs(value) < 10 else 0, use_l10n=True, force_grouping=True)


def _short(text: str, length: int = 14) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def draw_chart(pdf: UnicodeDocument, chart: dict[str, Any]) -> None:
    """Draw ``chart`` (type bar or line) at the current position, full width, with its axis, labels
    and a legend of its datasets."""
    labels: list[str] = [str(label) for label in chart["labels"]][:MAX_POINTS]
    datasets = chart["datasets"]
    values = [value for dataset in datasets for value in dataset["data"][:MAX_POINTS] if value is not None]
    if not labels or not values:
        return
    low, high = min(0.0, *values), max(0.0, *values)
    if high == low:
        high = low + 1
    if pdf.get_y() + HEIGHT + 40 > pdf.h - pdf.b_margin:
        pdf.add_page()
    left, top = pdf.l_margin + 16, pdf.get_y() + 2
    width = pdf.w - pdf.r_margin - left
    bottom = top + HEIGHT

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * HEIGHT

    pdf.set_draw_color(200)
    pdf.set_line_width(0.1)
    pdf.set_font(pdf.body_font, "", 7)
    for step in range(5):
        value = low + (high - low) * step / 4
        pdf.line(left, y_of(value), left + width, y_of(value))
        pdf.set_xy(pdf.l_margin, y_of(value) - 2)
        pdf.cell(15, 4, _tick(value), align="R")
    pdf.set_draw_color(0)
    pdf.line(left, y_of(0), left + width, y_of(0))

    slot = width / len(labels)
    if chart["type"] == "line":
        for number, dataset in enumerate(datasets):
            colour = PALETTE[number % len(PALETTE)]
            pdf.set_draw_color(*colour)
            pdf.set_fill_color(*colour)
            pdf.set_line_width(0.5)
            points = [
                (left + slot * (index + 0.5), y_of(float(value)))
                for index, value in enumerate(dataset["data"][:MAX_POINTS])
                if value is not None
            ]
            for start, end in itertools.pairwise(points):
                pdf.line(*start, *end)
            for x, y in points:
                pdf.rect(x - 0.8, y - 0.8, 1.6, 1.6, style="F")
    else:
        bar = slot * 0.8 / len(datasets)
        for number, dataset in enumerate(datasets):
            pdf.set_fill_color(*PALETTE[number % len(PALETTE)])
            for index, value in enumerate(dataset["data"][:MAX_POINTS]):
                if value is None:
                    continue
                x = left + slot * index + slot * 0.1 + bar * number
                y0, y1 = sorted((y_of(0), y_of(float(value))))
                pdf.rect(x, y0, bar, max(y1 - y0, 0.2), style="F")
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    pdf.set_fill_color(255)  # tables after the chart fill their cells with the current colour

    # Group names under the axis, turned so that long names do not run into each other.
    pdf.set_font(pdf.body_font, "", 6.5)
    for index, label in enumerate(labels):
        x = left + slot * (index + 0.5)
        with pdf.rotation(45, x, bottom + 2):
            pdf.set_xy(x - 26, bottom + 0.5)
            pdf.cell(26, 3, pdf.text_for(_short(label)), align="R")
    pdf.set_y(bottom + 20)
    if len(chart["labels"]) > MAX_POINTS:
        pdf.put(0, _("The chart shows the first %(count)d groups; the table has them all.") % {"count": MAX_POINTS},
                size=8, last=True)  # fmt: skip
    pdf.set_x(pdf.l_margin)
    for number, dataset in enumerate(datasets[: len(PALETTE) * 3]):
        pdf.set_fill_color(*PALETTE[number % len(PALETTE)])
        if pdf.get_x() + 50 > pdf.w - pdf.r_margin:
            pdf.ln(5)
        x, y = pdf.get_x(), pdf.get_y()
        pdf.rect(x, y + 1, 3, 3, style="F")
        pdf.set_x(x + 4)
        pdf.put(46, _short(str(dataset["label"]), 30), size=8, height=5)
    pdf.set_fill_color(255)
    pdf.ln(8)
