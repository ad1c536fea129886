"""What the notes, files and followers endpoints of a record share: the record's collaboration
link, people as small objects, and the write scope that following needs."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, serializers
from rest_framework.request import Request

from api.auth.credentials import credential_of, missing_scope_message, scope_allows
from identity.models import User
from modules.collaboration.targets import TARGETS

# The routed actions that exist only for record types carrying notes, files and followers.
COLLABORATION_ACTIONS = ("notes", "files", "file_download", "file_delete", "follow", "followers")
# Removing a file needs the change permission (and to be its uploader or an administrator), not
# the record's delete; following needs only to see the record (and a write scope, checked there).
COLLABORATION_PERMISSIONS = {"file_delete": "change", "follow": "view"}


def person(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "email": user.email, "full_name": user.full_name}


class PersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    email = serializers.CharField()
    full_name = serializers.CharField()


def subject_of_view(view: Any) -> str:
    """The collaboration target of the viewset's records (``company``, ``order``…), else a 404."""
    subject: str | None = getattr(view, "timeline_link", None)
    if subject not in TARGETS:
        raise exceptions.NotFound()
    return subject


def require_write_scope(request: Request, module: str) -> None:
    """Following changes nothing of the record (its view permission is enough) but is a write:
    a read-only credential may not do it."""
    if not scope_allows(credential_of(request), module, write=True):
        raise exceptions.PermissionDenied(missing_scope_message(module, write=True))
