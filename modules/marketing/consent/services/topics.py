"""Subscription topics (``marketing.admin``): created, renamed, offered or retired, on the pages
and through the API. A topic with consents or history is never deleted — its history would lose
its subject — only retired."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from core.input_bounds import check_fields
from identity.services.audit import audit
from modules.marketing.models import Topic

if TYPE_CHECKING:
    from identity.models import User


def _validated(topic: Topic) -> Topic:
    check_fields(topic)
    topic.full_clean(validate_unique=False)
    if Topic.objects.filter(key=topic.key).exclude(pk=topic.pk).exists():
        raise ValidationError({"key": [_("Another topic has this key.")]})
    return topic


def save_topic(
    topic: Topic | None,
    *,
    by: User,
    key: str,
    name: str,
    description: str = "",
    position: int = 0,
    is_active: bool = True,
) -> Topic:
    """Create (``topic=None``) or change a topic; errors name the field."""
    creating = topic is None
    topic = topic or Topic()
    # An API input may leave a text out or send null: validation then names the field.
    topic.key, topic.name = (key or "").strip(), (name or "").strip()
    topic.description = (description or "").strip()
    topic.position, topic.is_active = position, is_active
    with transaction.atomic():
        _validated(topic).save()
        audit(
            "marketing.topic_created" if creating else "marketing.topic_changed",
            (_("Subscription topic %(name)s created") if creating else _("Subscription topic %(name)s changed"))
            % {"name": topic.name},
            by=by, target=f"topic:{topic.pk}",
        )  # fmt: skip
    return topic


def delete_topic(topic: Topic, *, by: User) -> bool:
    """Delete a topic nobody consented to; False (nothing changed) when it has history."""
    name, pk = topic.name, topic.pk
    try:
        with transaction.atomic():
            topic.delete()
            audit("marketing.topic_deleted", _("Subscription topic %(name)s deleted") % {"name": name},
                  by=by, target=f"topic:{pk}")  # fmt: skip
    except ProtectedError:
        return False
    return True


TOPIC_FIELDS = ("key", "name", "description", "position", "is_active")


def create_topic(*, by: User, **values: Any) -> Topic:
    """A new topic from named values (the API's writes); errors name the field."""
    defaults = {"key": "", "name": "", "description": "", "position": 0, "is_active": True}
    return save_topic(None, by=by, **{**defaults, **values})


def update_topic(topic: Topic, *, by: User, **values: Any) -> Topic:
    """Change the named values of ``topic``, keeping the others."""
    current = {field: getattr(topic, field) for field in TOPIC_FIELDS}
    return save_topic(topic, by=by, **{**current, **values})


def remove_topic(topic: Topic, *, by: User) -> None:
    """Delete a topic, refused (naming ``topic``) when it has consents or history."""
    if not delete_topic(topic, by=by):
        raise ValidationError(
            {"topic": [_("This topic has consents and history, so it is kept: stop offering it instead.")]}
        )
