"""Following records: whoever follows one is told when it changes (``consumers.py``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Model

from identity.models import User
from modules.collaboration.models import Follow
from modules.collaboration.targets import record_links


def follow(record: Model, *, user: User) -> Follow:
    """``user`` follows ``record`` (following twice is one follow: a unique constraint decides)."""
    links = record_links(record)
    try:
        with transaction.atomic():
            return Follow.objects.create(user=user, **links)
    except IntegrityError:
        return Follow.objects.get(user=user, **links)


def unfollow(record: Model, *, user: User) -> None:
    Follow.objects.filter(user=user, **record_links(record)).delete()


def is_following(record: Model, *, user: User) -> bool:
    return Follow.objects.filter(user=user, **record_links(record)).exists()
