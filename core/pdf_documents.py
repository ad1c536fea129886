"""PDF documents with text in any of the platform's languages (fpdf2).

Text in Romanian, Polish, Serbian or Russian needs a Unicode font: DejaVu Sans, which `make install`
copies from npm (dejavu-fonts-ttf) into ``static/vendor/fonts/``. Should it be missing (a checkout
whose assets were not built) a document falls back to the core Helvetica font (Latin-1 only) and
transliterates what it cannot show, so it always renders.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import XPos, YPos

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


class UnicodeDocument(FPDF):
    """An A4 document in DejaVu Sans (or Helvetica with transliteration when the font is missing)."""

    def __init__(self, font_dirs: Sequence[Path] = FONT_DIRS, *, orientation: Literal["P", "L"] = "P") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
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
