"""The onboarding step imports contribute: bring your contacts (or companies) in from a file."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from modules.dataio.imports.choices import ImportStatus
from modules.dataio.imports.models import ImportJob
from modules.home.registry import ChecklistItem, register_checklist_item


def _imported() -> bool:
    """An import of people or companies finished (an undone one counts: the step was tried)."""
    return ImportJob.objects.filter(status__in=(ImportStatus.DONE, ImportStatus.UNDONE)).exists()


def register() -> None:
    register_checklist_item(
        ChecklistItem(
            key="import-contacts",
            title=_("Import your contacts"),
            description=_("Bring companies and contacts in from a CSV or Excel file."),
            url_name="imports:upload",
            done=_imported,
            module="contacts",
            order=20,
        )
    )
