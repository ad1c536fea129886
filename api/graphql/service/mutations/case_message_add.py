from __future__ import annotations

from typing import Any

import graphene

from api.entities import CASE
from api.graphql.core import RecordMutation, enum_value, error_type, reloaded, resolve_reference
from api.graphql.service.types import CaseMessageType, CaseType, MessageKindEnum
from identity.models import User
from modules.service.choices import MessageAuthor, MessageKind
from modules.service.services.cases import add_message


class CaseMessageAdd(RecordMutation):
    """Add a message by you as the agent to a case you can see: a public reply (the customer sees it;
    the first one is the case's first response) or an internal note. ``bodyHtml`` is sanitised and
    gives the text when ``bodyText`` is not sent."""

    class Arguments:
        case = graphene.ID(required=True)
        kind = MessageKindEnum(default_value=MessageKind.REPLY.value)
        body_text = graphene.String()
        body_html = graphene.String()

    message = graphene.Field(CaseMessageType)
    case = graphene.Field(CaseType, description="The case after the message (its first response, status).")
    errors = graphene.List(graphene.NonNull(error_type("CaseMessageAdd")), required=True)

    module = CASE.module
    permission = CASE.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        case = resolve_reference(info, data["case"], CaseType, "case")
        message = add_message(
            case, by=user, author_kind=MessageAuthor.AGENT, kind=enum_value(data.get("kind")) or MessageKind.REPLY,
            body_text=data.get("body_text") or "", body_html=data.get("body_html") or "",
        )  # fmt: skip
        return {"message": reloaded(CaseMessageType, info, message), "case": reloaded(CaseType, info, case)}
