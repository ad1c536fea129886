"""Workflow triggers on consent: a contact subscribed to a topic, or unsubscribed from it (an
unsubscribe from everything or a suppression counts for every topic). Both read the
``consent.changed`` outbox event, whose ``data["id"]`` is the topic (null: every topic)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from customization.workflows.registry import Choices, WorkflowTrigger, register_trigger
from modules.marketing.consent.choices import ConsentStatus
from modules.marketing.consent.services.records import EVENT_TYPE


def topic_options() -> Choices:
    from modules.marketing.models import Topic

    return tuple((str(pk), name) for pk, name in Topic.objects.order_by("name", "id").values_list("pk", "name"))


def _chosen(config: Mapping[str, Any]) -> int | None:
    try:
        return int(config.get("id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def subscribed(config: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    return (
        data.get("status") == ConsentStatus.GRANTED and data.get("id") is not None and data.get("id") == _chosen(config)
    )


def unsubscribed(config: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    if data.get("status") != ConsentStatus.WITHDRAWN or data.get("action") == "unsuppressed":
        return False
    return data.get("id") is None or data.get("id") == _chosen(config)


def register() -> None:
    for key, label, matches in (
        ("consent_granted", _("Subscribed to a topic"), subscribed),
        ("consent_withdrawn", _("Unsubscribed from a topic"), unsubscribed),
    ):
        register_trigger(
            WorkflowTrigger(
                key=key, label=label, event=EVENT_TYPE, entities=("contact",), option=topic_options,
                option_label=_("Topic"), matches=matches,
            )
        )  # fmt: skip
