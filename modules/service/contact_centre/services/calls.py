"""Calls: click-to-dial, the inbound-call screen pop and the provider's status callbacks.

A call is placed by the provider (it rings the agent's phone, then the customer's); the provider
tells its progress to the status callback, and a call that has ended is logged once as a done
activity of kind call on its record (``activity``: direction, outcome, and its length as the span
from ``due_at`` to ``ends_at``). An inbound call rings the agents' phones and notifies the agents
with a link to the caller's record, or to the call's page where an unknown caller becomes a contact.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.phones import to_e164
from identity.models import User
from modules.activities.choices import ActivityKind, ActivityStatus, Direction, NotificationKind, Outcome
from modules.activities.services.activities import create_activity
from modules.activities.services.notifications import notify
from modules.registry import is_enabled
from modules.service.contact_centre.choices import FINAL_CALL_STATUSES, CallDirection, CallStatus
from modules.service.contact_centre.models import AgentPhone, Call, TelephonySettings
from modules.service.contact_centre.phones import find_callers
from modules.service.contact_centre.providers import provider_for
from modules.service.contact_centre.providers.base import ProviderError
from modules.workspace.services import default_phone_region

OUTCOMES = {
    CallStatus.BUSY: Outcome.NO_ANSWER,
    CallStatus.NO_ANSWER: Outcome.NO_ANSWER,
    CallStatus.FAILED: Outcome.UNSUCCESSFUL,
    CallStatus.CANCELED: Outcome.UNSUCCESSFUL,
}
# Twilio caps a call at 24 hours; a longer duration in a callback is nonsense.
MAX_DURATION_SECONDS = 24 * 3600
CALL_ENTITY = "call"


def _links(record: Any) -> dict[str, Any]:
    """The activity links of the record a call is about."""
    if record is None:
        return {}
    label = record._meta.label
    if label == "contacts.Contact":
        return {"contact": record}
    if label == "contacts.Company":
        return {"company": record}
    if label == "sales.Lead":
        return {"lead": record}
    raise ValueError(f"a call cannot be about a {label}")


def click_to_dial(*, by: User, number: str, record: Any, account: TelephonySettings, status_callback: str) -> Call:
    """Ring ``by``'s phone, then connect it to ``number``. Errors name the field: ``number`` for
    the customer's number, ``agent_phone`` when the user has none, ``provider`` when the provider
    refuses (nothing is written then)."""
    customer = to_e164(number, default_phone_region())
    if customer is None:
        raise ValidationError({"number": [_("This is not a phone number.")]})
    agent_phone = AgentPhone.objects.filter(user=by).first()
    if agent_phone is None:
        raise ValidationError({"agent_phone": [_("Your phone is not set up for calls yet; ask an administrator.")]})
    try:
        placed = provider_for(account).place_call(
            agent_number=agent_phone.number, customer_number=customer, caller_id=account.caller_id,
            status_callback=status_callback,
        )  # fmt: skip
    except ProviderError as error:
        raise ValidationError(
            {"provider": [_("The call could not be placed: %(reason)s") % {"reason": error}]}
        ) from error
    return Call.objects.create(
        provider_sid=placed.sid, direction=CallDirection.OUTBOUND, status=_status(placed.status),
        customer_number=customer, workspace_number=account.caller_id, agent=by, **_links(record),
    )  # fmt: skip


def _status(value: str) -> str:
    return value if value in CallStatus.values else CallStatus.QUEUED


def _duration(params: Mapping[str, str]) -> int | None:
    text = params.get("CallDuration", "")
    if not text.isdigit() or int(text) > MAX_DURATION_SECONDS:
        return None
    return int(text)


def record_status(params: Mapping[str, str]) -> Call | None:
    """Apply a status callback (``CallSid``, ``CallStatus``, ``CallDuration``). Callbacks may come
    twice or out of order: a final status is kept, and the activity is written once."""
    sid = params.get("CallSid", "")
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(provider_sid=sid).first()
        if call is None:
            return None
        status = params.get("CallStatus", "")
        if status not in CallStatus.values or call.status in FINAL_CALL_STATUSES:
            return call
        call.status = status
        if status in FINAL_CALL_STATUSES:
            call.duration = _duration(params) or 0
            call.ended_at = timezone.now()
            call.activity = _log(call)
        call.save()
    return call


def _outcome(call: Call) -> str:
    if call.status == CallStatus.COMPLETED:
        return Outcome.SUCCESSFUL if call.duration else Outcome.NO_ANSWER
    return OUTCOMES.get(CallStatus(call.status), Outcome.UNSUCCESSFUL)


def _log(call: Call) -> Any:
    """The call as a done activity on its record (its timeline shows it)."""
    ended = call.ended_at or timezone.now()
    started = ended - timedelta(seconds=call.duration or 0)
    minutes, seconds = divmod(call.duration or 0, 60)
    if call.direction == CallDirection.INBOUND:
        subject = _("Call from %(number)s") % {"number": call.customer_number}
    else:
        subject = _("Call to %(number)s") % {"number": call.customer_number}
    body = _("%(status)s after %(minutes)d min %(seconds)02d s.") % {
        "status": call.get_status_display(), "minutes": minutes, "seconds": seconds,
    }  # fmt: skip
    return create_activity(
        by=call.agent, kind=ActivityKind.CALL, subject=subject, body=body, status=ActivityStatus.DONE,
        direction=Direction.INBOUND if call.direction == CallDirection.INBOUND else Direction.OUTBOUND,
        outcome=_outcome(call), due_at=started, ends_at=ended, assignee=call.agent,
        contact=call.contact, company=call.company, lead=call.lead,
    )  # fmt: skip


def _agents() -> list[User]:
    """The agents whose phones ring for inbound calls: active users with a phone and service access."""
    users = User.objects.filter(is_active=True, agent_phone__isnull=False).select_related("agent_phone")
    return [user for user in users if user.has_perm("service.view")]


def receive_inbound(params: Mapping[str, str], *, tenant: object) -> tuple[Call | None, list[User]]:
    """An inbound call (``CallSid``, ``From``, ``To``): the call row (once, however often the
    provider asks), its caller matched to a contact, company or lead, the agents notified; returns
    the call and the agents whose phones to ring."""
    sid = params.get("CallSid", "")
    caller = to_e164(params.get("From", ""), None)
    agents = _agents()
    if not sid or len(sid) > 64:
        return None, agents
    with transaction.atomic():
        existing = Call.objects.filter(provider_sid=sid).first()
        if existing is not None:
            return existing, agents
        callers = find_callers(caller, with_leads=is_enabled(tenant, "sales")) if caller else None
        best = callers.best if callers else None
        call = Call.objects.create(
            provider_sid=sid, direction=CallDirection.INBOUND, status=CallStatus.RINGING,
            customer_number=caller or params.get("From", "")[:20], workspace_number=params.get("To", "")[:20],
            **_links(best),
        )  # fmt: skip
        _notify(call, best, agents)
    return call, agents


def record_answer(params: Mapping[str, str], *, agent_id: int) -> Call | None:
    """The provider says ``agent_id``'s phone answered the inbound call ``ParentCallSid`` (the
    agent's leg is a child call of the caller's): the first phone to answer is the call's agent,
    so its activity is theirs. Only an agent whose phone rings for inbound calls is taken."""
    sid = params.get("ParentCallSid", "")
    if not sid or len(sid) > 64 or not any(agent.pk == agent_id for agent in _agents()):
        return None
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(provider_sid=sid, direction=CallDirection.INBOUND).first()
        if call is None or call.agent_id is not None:
            return call
        call.agent_id = agent_id
        call.save(update_fields=["agent"])
    return call


def _notify(call: Call, record: Any, agents: list[User]) -> None:
    number = call.customer_number
    if record is None:
        entity, record_id = CALL_ENTITY, call.pk

        def title() -> str:
            return _("Incoming call from %(number)s (unknown caller)") % {"number": number}
    else:
        entity, record_id = record._meta.model_name, record.pk
        name = str(record)

        def title() -> str:
            return _("Incoming call from %(name)s (%(number)s)") % {"name": name, "number": number}

    notify(
        agents, kind=NotificationKind.INCOMING_CALL, entity=entity, record_id=record_id, title=title,
        dedupe_prefix=f"call:{call.pk}",
    )  # fmt: skip
