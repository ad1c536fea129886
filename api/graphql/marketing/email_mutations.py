"""Marketing e-mail mutations: create, update and delete (drafts only, through the e-mail services),
and the send actions — test send, schedule, send now, cancel — which need ``marketing.send`` and,
for an API key, the ``marketing:write`` scope, under the send page's rules; sending the unconfirmed
messages again needs ``marketing.change`` and that scope."""

from __future__ import annotations

from typing import Any

import graphene
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from graphene.types.generic import GenericScalar

from api.entities import MARKETING_EMAIL
from api.graphql.contacts.types import ContactType
from api.graphql.core import MutationFailed, RecordMutation, error_type, input_values, reloaded, resolve_reference
from api.graphql.marketing.emails import MarketingEmailType
from api.graphql.marketing.types import CampaignType
from identity.models import User
from modules.marketing.delivery.services.sends import (
    cancel_send,
    schedule_send,
    send_unconfirmed_again,
    start_send,
    workspace_zone,
)
from modules.marketing.email.services.emails import create_email, delete_email, update_email
from modules.marketing.email.services.proofs import TooManyTests, send_test
from modules.marketing.models import Segment, Topic

TEXT_FIELDS = frozenset({"name", "subject", "preheader", "from_name", "from_address", "reply_to", "subject_b"})


class MarketingEmailInput(graphene.InputObjectType):
    name = graphene.String(description="Required on create.")
    campaign = graphene.ID(description="A Campaign id.")
    segment = graphene.Int(description="The segment the e-mail goes to (its id).")
    topic = graphene.Int(description="The subscription topic (its id).")
    subject = graphene.String()
    preheader = graphene.String()
    from_name = graphene.String()
    from_address = graphene.String(description="On a verified sending domain.")
    reply_to = graphene.String()
    content = GenericScalar(description="The blocks in order, checked as the editor checks them.")
    subject_b = graphene.String(description="The A/B test's second subject.")
    ab_percent = graphene.Int(description="Share of the recipients in the A/B test (0 to 50).")
    ab_wait_hours = graphene.Int(description="Hours before the winner is chosen (1 to 168).")
    track_opens = graphene.Boolean()
    track_clicks = graphene.Boolean()


def _row(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    row = model.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if row is None:
        raise MutationFailed(field, _("No such record, or not one you can see."), "NOT_FOUND")
    return row


def email_values(info: Any, data: Any) -> dict[str, Any]:
    """E-mail service keyword arguments: ids become records, null text is empty text."""
    values = input_values(data, references={"campaign": CampaignType}, info=info)
    for name, model in (("segment", Segment), ("topic", Topic)):
        if name in values:
            values[name] = _row(model, values[name], name)
    for name in TEXT_FIELDS & set(values):
        if values[name] is None:
            values[name] = ""
    if "content" in values and values["content"] is None:
        values["content"] = []
    for name in ("ab_percent", "ab_wait_hours", "track_opens", "track_clicks"):
        if name in values and values[name] is None:
            values.pop(name)
    return values


def _email(info: Any, global_id: str) -> Any:
    return resolve_reference(info, global_id, MarketingEmailType, "id")


class MarketingEmailCreate(RecordMutation):
    """Create a draft marketing e-mail."""

    class Arguments:
        input = MarketingEmailInput(required=True)

    marketing_email = graphene.Field(MarketingEmailType)
    errors = graphene.List(graphene.NonNull(error_type("MarketingEmailCreate")), required=True)

    module = MARKETING_EMAIL.module
    permission = MARKETING_EMAIL.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        email = create_email(by=user, **email_values(info, data["input"]))
        return {"marketing_email": reloaded(MarketingEmailType, info, email)}

    @classmethod
    def required_fields(cls, data: dict[str, Any]) -> frozenset[str]:
        return frozenset({"name"})


class MarketingEmailUpdate(RecordMutation):
    """Change the fields sent in ``input`` of a draft."""

    class Arguments:
        id = graphene.ID(required=True)
        input = MarketingEmailInput(required=True)

    marketing_email = graphene.Field(MarketingEmailType)
    errors = graphene.List(graphene.NonNull(error_type("MarketingEmailUpdate")), required=True)

    module = MARKETING_EMAIL.module
    permission = MARKETING_EMAIL.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        email = update_email(_email(info, data["id"]), by=user, **email_values(info, data["input"]))
        return {"marketing_email": reloaded(MarketingEmailType, info, email)}


class MarketingEmailDelete(RecordMutation):
    """Delete a draft."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the e-mail had.")
    errors = graphene.List(graphene.NonNull(error_type("MarketingEmailDelete")), required=True)

    module = MARKETING_EMAIL.module
    permission = MARKETING_EMAIL.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_email(_email(info, data["id"]), by=user)
        return {"deleted_id": data["id"]}


class MarketingEmailTestSend(RecordMutation):
    """Send the e-mail, subject marked [Test], to up to five addresses, rendered as a contact you
    choose (fallbacks otherwise); a user sends at most 20 tests an hour."""

    class Arguments:
        id = graphene.ID(required=True)
        addresses = graphene.List(graphene.NonNull(graphene.String), required=True)
        contact = graphene.ID(description="A Contact id you may see.")

    sent = graphene.Int(description="How many addresses the test went to.")
    errors = graphene.List(graphene.NonNull(error_type("MarketingEmailTestSend")), required=True)

    module = MARKETING_EMAIL.module
    permission = MARKETING_EMAIL.permission("send")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        email = _email(info, data["id"])
        contact = resolve_reference(info, data.get("contact"), ContactType, "contact")
        addresses = [str(address)[:300] for address in data["addresses"][:50]]
        try:
            return {"sent": send_test(email, addresses, by=user, contact=contact)}
        except TooManyTests:
            raise MutationFailed(None, _("Too many tests were sent in the last hour. Try again later.")) from None
        except OSError as error:
            message = _("The test could not be sent: %(error)s") % {"error": str(error)[:300]}
            raise MutationFailed("addresses", message) from error


class MarketingEmailSchedule(RecordMutation):
    """Start the send at ``at`` (read in the workspace's time zone when it has no offset)."""

    class Arguments:
        id = graphene.ID(required=True)
        # Optional in the schema so that a refusal (the plan, the role) is the mutation's own answer;
        # a call without it is refused on the argument.
        at = graphene.DateTime(description="When to send; required. Without an offset: the workspace's time zone.")

    marketing_email = graphene.Field(MarketingEmailType)
    errors = graphene.List(graphene.NonNull(error_type("MarketingEmailSchedule")), required=True)

    module = MARKETING_EMAIL.module
    permission = MARKETING_EMAIL.permission("send")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        at = data.get("at")
        if at is None:
            raise MutationFailed("at", _("This field is required."), "REQUIRED")
        if timezone.is_naive(at):
            at = timezone.make_aware(at, workspace_zone())
        try:
            email = schedule_send(_email(info, data["id"]), at=at, by=user)
        except ValidationError as error:  # the moment is the argument ``at``
            if hasattr(error, "error_dict") and "scheduled_at" in error.error_dict:
                raise MutationFailed("at", " ".join(error.message_dict["scheduled_at"])) from error
            raise
        return {"marketing_email": reloaded(MarketingEmailType, info, email)}


class MarketingEmailSend(RecordMutation):
    """Send now: refused (nothing written) when the e-mail has no segment or subject, reaches nobody,
    was sent already or would pass the plan's monthly marketing e-mails."""

    class Arguments:
        id = graphene.ID(required=True)

    marketing_email = graphene.Field(MarketingEmailType)
    errors = graphene.List(graphene.NonNull(error_type("MarketingEmailSend")), required=True)

    module = MARKETING_EMAIL.module
    permission = MARKETING_EMAIL.permission("send")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        email = _email(info, data["id"])
        start_send(email, by=user)
        return {"marketing_email": reloaded(MarketingEmailType, info, email)}


class MarketingEmailCancel(RecordMutation):
    """Cancel a scheduled or running send (messages already in a worker's hands go out)."""

    class Arguments:
        id = graphene.ID(required=True)

    marketing_email = graphene.Field(MarketingEmailType)
    errors = graphene.List(graphene.NonNull(error_type("MarketingEmailCancel")), required=True)

    module = MARKETING_EMAIL.module
    permission = MARKETING_EMAIL.permission("send")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        email = cancel_send(_email(info, data["id"]), by=user)
        return {"marketing_email": reloaded(MarketingEmailType, info, email)}


class MarketingEmailSendUnconfirmed(RecordMutation):
    """Send the unconfirmed messages again (a worker stopped while handing them over, so the server
    may have them), each with its own Message-ID; addresses suppressed or unsubscribed since are
    skipped. Refused for a cancelled send or when none is unconfirmed."""

    class Arguments:
        id = graphene.ID(required=True)

    marketing_email = graphene.Field(MarketingEmailType)
    errors = graphene.List(graphene.NonNull(error_type("MarketingEmailSendUnconfirmed")), required=True)

    module = MARKETING_EMAIL.module
    permission = MARKETING_EMAIL.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        email = _email(info, data["id"])
        send_unconfirmed_again(email, by=user)
        return {"marketing_email": reloaded(MarketingEmailType, info, email)}


class MarketingEmailMutations(graphene.ObjectType):
    marketing_email_create = MarketingEmailCreate.Field()
    marketing_email_update = MarketingEmailUpdate.Field()
    marketing_email_delete = MarketingEmailDelete.Field()
    marketing_email_test_send = MarketingEmailTestSend.Field()
    marketing_email_schedule = MarketingEmailSchedule.Field()
    marketing_email_send = MarketingEmailSend.Field()
    marketing_email_cancel = MarketingEmailCancel.Field()
    marketing_email_send_unconfirmed = MarketingEmailSendUnconfirmed.Field()
