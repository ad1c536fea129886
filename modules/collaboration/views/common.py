"""What the notes, attachments and follow pages share: the record behind a URL, the way back."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

from identity.decorators import signed_in_user
from identity.models import User
from identity.time_zones import user_time_zone
from modules.collaboration.access import open_record
from modules.collaboration.targets import TARGETS, subject_of


def collaboration_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed in; times in the user's zone. Each view checks the record's own permissions."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with timezone.override(user_time_zone(request)):
            return view(request, *args, **kwargs)

    return wrapped


def user_of(request: HttpRequest) -> User:
    return signed_in_user(request)


def record_for(request: HttpRequest, subject: str, pk: int, *, change: bool = False) -> Model:
    return open_record(user_of(request), getattr(request, "tenant", None), subject, pk, change=change)


def record_of_row(request: HttpRequest, row: Any, *, change: bool = False) -> Model:
    """The record a note or attachment belongs to, if the user may open it (404 otherwise)."""
    subject, pk = subject_of(row)
    return record_for(request, subject, pk, change=change)


def record_url(record: Model, anchor: str = "") -> str:
    for target in TARGETS.values():
        if target.model == record._meta.label:
            return target.url(record.pk) + anchor
    raise LookupError(record._meta.label)
