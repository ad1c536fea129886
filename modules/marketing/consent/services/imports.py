"""Suppression lists in and out as CSV (``marketing.admin``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.input_bounds import without_control_characters
from core.spreadsheet_cells import safe_text
from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.services.suppression import suppress
from modules.marketing.models import Suppression

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from identity.models import User

MAX_ROWS = 10_000


def import_suppressions(upload: UploadedFile, *, by: User) -> tuple[int, list[str]]:
    """Suppress every address of a CSV file (header ``email``; ``reason``/``detail`` optional).
    Returns how many rows were read and the problems by line; a file that is no CSV is refused
    naming ``file``."""
    try:
        text = without_control_characters(upload.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError({"file": [_("The file is not UTF-8 text.")]}) from None
    reader = csv.DictReader(io.StringIO(text))
    fields = [name.strip().lower() for name in reader.fieldnames or []]
    if "email" not in fields:
        raise ValidationError({"file": [_("The file needs an “email” column.")]})
    reader.fieldnames = fields
    done, problems = 0, []
    for line, row in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            problems.append(_("Only the first %(max)d rows were read.") % {"max": MAX_ROWS})
            break
        reason = (row.get("reason") or "").strip() or SuppressionReason.MANUAL
        try:
            suppress(
                row.get("email") or "", reason=reason, source=_("Import by %(user)s") % {"user": by.email},
                detail=(row.get("detail") or "")[:2000], by=by,
            )  # fmt: skip
        except ValidationError as error:
            problems.append(_("Line %(line)d: %(problem)s") % {"line": line, "problem": " ".join(error.messages)})
        else:
            done += 1
    return done, problems


def suppression_rows() -> Iterator[list[str]]:
    yield ["email", "reason", "source", "detail", "created_at"]
    for row in Suppression.objects.order_by("email").iterator(chunk_size=2000):
        yield [
            safe_text(row.email),
            row.reason,
            safe_text(row.source),
            safe_text(row.detail),
            row.created_at.isoformat(),
        ]
