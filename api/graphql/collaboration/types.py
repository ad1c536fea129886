"""GraphQL of what is written on records: ``recordNotes``, ``files`` and ``followers`` on every
record type that carries them (``modules.collaboration.targets``), each a connection whose first
pages, for all the records of a list, load in one query (``api.graphql.core.nested_connection``).

A note, file or follow is shown with the record that carries it: it has no global id of its own
(no ``node`` lookup that would need its own visibility check), only its database id. The field is
``recordNotes`` rather than ``notes`` because an order's ``notes`` is its own text."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Model, Prefetch, QuerySet
from graphene_django import DjangoObjectType

from api.entities import ENTITIES
from api.graphql.core import CountableConnection, nested_connection, require_user
from api.graphql.identity.types import UserType
from identity.models import User
from modules.collaboration.models import Attachment, Follow, Note
from modules.collaboration.targets import TARGETS, subject_of, target_of

# The REST resource of each record type that carries files (``/api/v1/<resource>/<id>/files/``).
RESOURCES = {entity.timeline: entity.resource for entity in ENTITIES if entity.timeline in TARGETS}


class NoteType(DjangoObjectType):
    """A note on a record: HTML cleaned of everything but text formatting, lists and links.
    ``mentioned`` are the users named with @ who could open the record when it was written."""

    author = graphene.Field(UserType, description="Null once the author's account is removed.")
    mentioned = graphene.List(graphene.NonNull(UserType), required=True)

    class Meta:
        model = Note
        name = "Note"
        fields = ("id", "body", "author", "mentioned", "created_at", "updated_at")

    @staticmethod
    def resolve_author(root: Note, info: Any) -> User | None:
        return root.author  # selected with the page

    @staticmethod
    def resolve_mentioned(root: Note, info: Any) -> list[User]:
        return list(root.mentioned.all())  # prefetched with the page


class FileType(DjangoObjectType):
    """A file on a record. ``contentType`` is found from its bytes; ``downloadUrl`` serves them
    (REST, with the caller's credential) as an attachment."""

    uploaded_by = graphene.Field(UserType, description="Null once the uploader's account is removed.")
    download_url = graphene.String(required=True)

    class Meta:
        model = Attachment
        name = "File"
        fields = ("id", "name", "content_type", "size", "uploaded_by", "created_at")

    @staticmethod
    def resolve_uploaded_by(root: Attachment, info: Any) -> User | None:
        return root.uploaded_by

    @staticmethod
    def resolve_download_url(root: Attachment, info: Any) -> str:
        subject, record_id = subject_of(root)
        path = f"/api/v1/{RESOURCES[subject]}/{record_id}/files/{root.pk}/download/"
        return info.context.build_absolute_uri(path)  # type: ignore[no-any-return]


class FollowerType(DjangoObjectType):
    """Someone following a record: they are told when it changes."""

    user = graphene.Field(UserType, required=True)

    class Meta:
        model = Follow
        name = "Follower"
        fields = ("user", "created_at")

    @staticmethod
    def resolve_user(root: Follow, info: Any) -> User:
        return root.user


class NoteConnection(CountableConnection):
    class Meta:
        node = NoteType


class FileConnection(CountableConnection):
    class Meta:
        node = FileType


class FollowerConnection(CountableConnection):
    class Meta:
        node = FollowerType


def notes_field() -> graphene.relay.ConnectionField:
    return graphene.relay.ConnectionField(NoteConnection, description="Notes written on the record, newest first.")


def files_field() -> graphene.relay.ConnectionField:
    return graphene.relay.ConnectionField(FileConnection, description="Files attached to the record, newest first.")


def followers_field() -> graphene.relay.ConnectionField:
    return graphene.relay.ConnectionField(FollowerConnection, description="Who follows the record, first first.")


def _notes() -> QuerySet[Note]:
    mentioned = Prefetch("mentioned", queryset=User.objects.order_by("id"))
    return Note.objects.select_related("author").prefetch_related(mentioned).order_by("-created_at", "-id")


class CollaborationResolvers:
    """The resolvers of ``recordNotes``, ``files`` and ``followers`` (a record type declares the
    fields with ``notes_field()``… and inherits these). The record itself was checked by its
    type's queryset: its notes, files and followers are seen with it."""

    @staticmethod
    def resolve_record_notes(root: Model, info: Any, **args: Any) -> Any:
        require_user(info)
        return nested_connection(info, NoteConnection, _notes(), target_of(root).key, root.pk, args)

    @staticmethod
    def resolve_files(root: Model, info: Any, **args: Any) -> Any:
        require_user(info)
        files = Attachment.objects.select_related("uploaded_by").order_by("-created_at", "-id")
        return nested_connection(info, FileConnection, files, target_of(root).key, root.pk, args)

    @staticmethod
    def resolve_followers(root: Model, info: Any, **args: Any) -> Any:
        require_user(info)
        follows = Follow.objects.select_related("user").order_by("id")
        return nested_connection(info, FollowerConnection, follows, target_of(root).key, root.pk, args)
