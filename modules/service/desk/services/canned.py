"""Canned responses: the writers, who sees which, and the text one gives for a case.

The text is filled by the workflows' merge-field renderer (``customization.workflows.engine.context``),
the same one e-mail templates use, with the case's own scopes added: ``{{ record.number }}``,
``{{ contact.first_name | "there" }}``, ``{{ company.name }}``, ``{{ owner.first_name }}`` (the
case's agent) and ``{{ agent.first_name }}`` (the agent replying). An empty or unknown field
becomes its fallback, or nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from customization.fields.choices import Entity
from customization.workflows.engine.context import MERGE_SCOPES, MergeValues, render
from identity.models import User
from modules.contacts.services.records import check_fields, validated
from modules.service import settings_events as events
from modules.service.desk.models import CannedResponse
from modules.service.models import Case

CANNED_FIELDS = ("title", "body")
EVENT_FIELDS = ("title", "body", "owner")
BODY_MAX_LENGTH = 20000
CASE_SCOPES = (*MERGE_SCOPES, "contact", "company", "agent")


def visible_canned_responses(user: User) -> QuerySet[CannedResponse]:
    """The shared responses and the user's own."""
    return CannedResponse.objects.filter(Q(owner__isnull=True) | Q(owner=user))


def create_canned_response(*, by: User, shared: bool, **values: Any) -> CannedResponse:
    check_fields(CannedResponse, values, CANNED_FIELDS)
    response = CannedResponse(owner=None if shared else by, created_by=by, **values)
    _check(response)
    with transaction.atomic():
        response.save()
        events.record_created(events.CANNED_RESPONSE, response, by=by)
    return response


def update_canned_response(
    response: CannedResponse, *, by: User | None = None, before: dict[str, Any] | None = None, **values: Any
) -> CannedResponse:
    """Change ``values``; ``before`` is the row's ``EVENT_FIELDS`` when the caller changed some already."""
    check_fields(CannedResponse, values, CANNED_FIELDS)
    before = before if before is not None else events.snapshot(response, EVENT_FIELDS)
    for name, value in values.items():
        setattr(response, name, value)
    _check(response)
    with transaction.atomic():
        response.save()
        fields = events.changed(before, events.snapshot(response, EVENT_FIELDS))
        events.record_updated(events.CANNED_RESPONSE, response, by=by, fields=fields)
    return response


def delete_canned_response(response: CannedResponse, *, by: User | None = None) -> None:
    with transaction.atomic():
        # A personal response's title is its owner's alone: the event names shared ones only.
        events.record_deleted(
            events.CANNED_RESPONSE, response, by=by, name=response.title if response.is_shared else ""
        )
        response.delete()


def _check(response: CannedResponse) -> None:
    response.title = " ".join(str(response.title or "").split())
    if not response.title:
        raise ValidationError({"title": [_("Enter a title.")]})
    if not str(response.body or "").strip():
        raise ValidationError({"body": [_("Write the response.")]})
    if len(response.body) > BODY_MAX_LENGTH:
        raise ValidationError({"body": [_("Keep the text under %(count)d characters.") % {"count": BODY_MAX_LENGTH}]})
    validated(response)


def _person(user: Any) -> dict[str, str]:
    full_name = str(getattr(user, "full_name", "") or "").strip() if user is not None else ""
    parts = full_name.split()
    return {
        "full_name": full_name or (str(user) if user is not None else ""),
        "first_name": parts[0] if parts else "",
        "last_name": " ".join(parts[1:]),
        "email": str(getattr(user, "email", "") or "") if user is not None else "",
    }


class CaseMergeValues(MergeValues):
    """A case's merge fields: the workflow ones (``record.*``, ``owner.*``) plus its contact, its
    company and the agent writing the reply."""

    def __init__(self, case: Case, agent: User | None) -> None:
        super().__init__(case, Entity.CASE)
        self.case = case
        self.agent = agent

    def get(self, path: str, default: str = "") -> str:
        scope, _dot, name = path.partition(".")
        if scope == "contact":
            contact = self.case.contact
            if contact is None:
                return default
            values = {
                "first_name": contact.first_name or "",
                "last_name": contact.last_name or "",
                "full_name": contact.full_name or "",
                "email": contact.email or "",
            }
            return values.get(name, default)
        if scope == "company":
            company = self.case.company
            return str(company.name) if company is not None and name == "name" else default
        if scope == "agent":
            return _person(self.agent).get(name, default)
        return super().get(path, default)


def render_for_case(response: CannedResponse, case: Case, *, agent: User | None) -> str:
    return render(response.body, CaseMergeValues(case, agent), scopes=CASE_SCOPES)


# The APIs' writers: ``shared`` True makes a response every agent sees (writing those is for
# service admins; the API layers check it), False one personal to ``by``.
def add_canned_response(*, by: User, shared: bool = False, **values: Any) -> CannedResponse:
    return create_canned_response(by=by, shared=shared, **values)


def change_canned_response(
    response: CannedResponse, *, by: User, shared: bool | None = None, **values: Any
) -> CannedResponse:
    before = events.snapshot(response, EVENT_FIELDS)
    if shared is not None and shared != response.is_shared:
        response.owner = None if shared else by
    return update_canned_response(response, by=by, before=before, **values)


def remove_canned_response(response: CannedResponse, *, by: User) -> None:
    delete_canned_response(response, by=by)
