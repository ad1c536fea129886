"""Cases with messages and stored attachments for the API tests."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from modules.collaboration.models.attachment import attachment_storage
from modules.service.choices import MessageAuthor
from modules.service.models import Case, CaseAttachment
from modules.service.services.cases import add_message


def message_with_attachment(case: Case, *, by: Any, content: bytes = b"the invoice") -> CaseAttachment:
    """A customer's message on ``case`` with one text file in the private attachment storage."""
    key = attachment_storage().save(f"cases/{case.pk}/invoice.txt", ContentFile(content))
    attachment = CaseAttachment(storage_key=key, name="invoice.txt", content_type="text/plain", size=len(content))
    add_message(
        case, by=None, author_kind=MessageAuthor.CUSTOMER, body_text="See the invoice", attachments=[attachment]
    )
    return attachment


def service_agent(fixture: Any, email: str = "agent@example.test", *, team: Any = None) -> Any:
    """An agent seeing their own cases only (plus the unassigned ones of their queues)."""
    from identity.models import Role
    from identity.permissions import module_permission_codes
    from identity.services.accounts import ensure_user
    from tests.tenancy import PASSWORD

    with fixture.active():
        role, _created = Role.objects.get_or_create(
            key="own_agent",
            defaults={"name": "Own agent", "record_visibility": "own",
                      "permissions": module_permission_codes("contacts", "service")},
        )  # fmt: skip
        user = ensure_user(email=email, password=PASSWORD, role=role, full_name="Agent Ada")
        if team is not None:
            team.members.add(user)
        return user


def top_fields(response: Any) -> set[str]:
    """The request fields a 400 problem names, without their nested parts (``targets[0].x`` → ``targets``)."""
    from tests.api.rest_crm.helpers import field_names

    return {name.split(".")[0].split("[")[0] for name in field_names(response)}
