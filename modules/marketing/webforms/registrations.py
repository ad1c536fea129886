"""What web forms add to the lower layers: the forms the workflow builder's "form submitted"
trigger chooses among, and how a contact's erasure reaches its submissions."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

from customization.events.catalogue import EventGroup, register_event_types
from customization.workflows.registry import register_builder_option
from modules.registry import is_enabled


def forms_for_builder() -> list[dict[str, Any]]:
    """The workspace's forms as ``{"value": key, "label": name}`` (none without marketing)."""
    from modules.marketing.webforms.models import WebForm

    if not is_enabled(getattr(connection, "tenant", None), "marketing"):
        return []
    return [{"value": key, "label": f"{name} ({key})"} for key, name in WebForm.objects.values_list("key", "name")]


def _campaigns_of_forms(ids: set[int]) -> dict[int, int]:
    from modules.marketing.webforms.models import WebForm

    return dict(WebForm.objects.filter(pk__in=ids, campaign__isnull=False).values_list("pk", "campaign_id"))


def register() -> None:
    from modules.marketing.choices import MemberStatus
    from modules.marketing.services.member_progress import register_progress
    from modules.marketing.webforms import data_subject

    # A submission of a campaign's form (the event's data["id"]) is a response of its lead or contact.
    register_progress("form.submitted", MemberStatus.RESPONDED, _campaigns_of_forms)

    register_builder_option("webForms", forms_for_builder)
    # The submission's lead or contact is the event's record.
    register_event_types(EventGroup("form", _("Web form"), (("form.submitted", _("submitted")),), "form_id"))
    data_subject.register()
