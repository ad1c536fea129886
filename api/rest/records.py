"""Shared pieces of the CRM record endpoints: module permissions, visible related objects by id,
tags by name, user-chosen ordering with cursor pages, service-backed viewsets and timelines."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, cast

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth.credentials import credential_of, missing_scope_message, scope_allows
from api.entities.base import EntityDescription
from api.entities.links import api_access
from api.entities.rest import filterset_for
from api.rest.bulk import BulkMixin
from api.rest.collaboration import FilesMixin, FollowersMixin, NotesMixin
from api.rest.collaboration.common import COLLABORATION_ACTIONS, COLLABORATION_PERMISSIONS
from api.rest.pagination import IdCursorPagination
from api.rest.schema import RecordAutoSchema
from api.rest.sparse import Fieldset, parse_fieldset, restrict
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.collaboration.targets import TARGETS
from modules.contacts.models import TimelineEntry
from modules.contacts.services.tags import tags_from_names
from modules.plan_gate import ensure_in_plan
from modules.record_access import owner_field_of

# The permission action each HTTP method needs; a view's ``action_permissions`` overrides per action.
METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "change",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class ModulePermission(BasePermission):
    """``<module>.view`` to read, ``<module>.change`` to create or edit, ``<module>.delete`` to delete.

    The view names its ``module``; a module not in the tenant's plan answers 403 ``module-not-in-plan``
    (``api.rest.problems``), and the OpenAPI document leaves its routes out.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        module: str = getattr(view, "module")  # noqa: B009 - every view using this class declares it
        ensure_in_plan(getattr(request, "tenant", None), module)
        overrides: dict[str, str] = getattr(view, "action_permissions", {})
        permission = overrides.get(getattr(view, "action", "") or "") or METHOD_ACTIONS.get(request.method or "", "")
        user = request.user
        allowed = bool(permission and user is not None and user.has_perm(f"{module}.{permission}"))
        write = permission != "view"
        if allowed and not scope_allows(credential_of(request), module, write=write):
            raise exceptions.PermissionDenied(missing_scope_message(module, write=write))
        return allowed


RECORD_PERMISSIONS = [IsAuthenticated, ModulePermission]


def acting_user(request: Request) -> User:
    """The signed-in user of a request that passed ``IsAuthenticated``."""
    return cast(User, request.user)


def user_summary(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "email": user.email, "full_name": user.full_name}


def link_targets(model: type[models.Model]) -> dict[str, type[models.Model]]:
    """``model``'s forward links to other records: foreign key name → the model it points at."""
    return {
        field.name: field.related_model
        for field in model._meta.concrete_fields
        if field.is_relation and field.many_to_one and isinstance(field.related_model, type)
    }


class LinkRuleMixin:
    """Links to records the caller may not see are null (``modules.record_access`` through
    ``api.entities.links``): any output field named after (or reading) a foreign key of the record,
    whether a related field or a method. The check runs on the linked objects the queryset
    selected, so it costs no query; a link to records with owners that was not selected is loaded
    to be checked (select it: the query-count tests notice)."""

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)  # type: ignore[misc]
        if not isinstance(instance, models.Model) or "request" not in self.context:  # type: ignore[attr-defined]
            return data
        access = api_access(self.context["request"])  # type: ignore[attr-defined]
        targets = link_targets(type(instance))
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            source = field.source if field.source not in ("*", None) else name
            target = targets.get(source)
            if target is None or data.get(name) is None:
                continue
            owned = owner_field_of(target) is not None
            if not access.may_use(target) or (owned and access.shown(getattr(instance, source)) is None):
                data[name] = None
        return data


class RelatedByIdField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """An object given by id, read back as a small nested object.

    Only the tenant's rows can match (the schema holds nothing else); with ``owner_field`` only the
    rows the requesting user may see. ``summary`` builds the nested output.
    """

    def __init__(
        self,
        model: type[models.Model],
        summary: Callable[[Any], dict[str, Any] | None],
        *,
        owner_field: str | None = None,
        filters: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.model = model
        self.summary = summary
        self.owner_field = owner_field
        self.filters = filters or {}
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        queryset = self.model._default_manager.filter(**self.filters)
        if self.owner_field is not None:
            queryset = restrict_to_visible(queryset, self.context["request"].user, owner_field=self.owner_field)
        return queryset

    def use_pk_only_optimization(self) -> bool:
        return False

    def to_representation(self, value: Any) -> Any:
        return self.summary(value)


def user_field(**kwargs: Any) -> RelatedByIdField:
    return RelatedByIdField(User, user_summary, filters={"is_active": True}, **kwargs)


class TagNamesField(serializers.Field):  # type: ignore[type-arg]
    """Tags as a list of names: reading gives the names, writing takes names (new ones are created)."""

    default_error_messages = {
        "not_a_list": _("Expected a list of tag names."),
        "too_long": _("A tag has at most 60 characters."),
        "null_characters": _("Tag names cannot contain NUL characters."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        if not isinstance(data, list) or not all(isinstance(name, str) for name in data):
            self.fail("not_a_list")
        if any(len(" ".join(name.split())) > 60 for name in data):
            self.fail("too_long")
        if any("\x00" in name for name in data):  # PostgreSQL text cannot hold them
            self.fail("null_characters")
        return list(data)

    def to_representation(self, value: Any) -> list[str]:
        return sorted((tag.name for tag in value.all()), key=str.lower)


def tags_in(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with tag names turned into tags (creating new ones); call inside the write's transaction."""
    if "tags" in values:
        values["tags"] = tags_from_names(values["tags"])
    return values


class OrderingCursorPagination(IdCursorPagination):
    """Cursor pages in an order the client picks with ``?ordering=`` from the view's
    ``ordering_fields`` (``-`` for descending), ties broken by id; default id order."""

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        value = request.query_params.get("ordering", "").strip()
        if not value:
            return ("id",)
        allowed: Sequence[str] = getattr(view, "ordering_fields", ())
        if value.lstrip("-") not in allowed:
            choices = ", ".join(f"{name}, -{name}" for name in allowed)
            raise exceptions.ValidationError({"ordering": [_("Order by one of: %(choices)s.") % {"choices": choices}]})
        return (value, "-id" if value.startswith("-") else "id")


class TimelinePagination(IdCursorPagination):
    ordering = ("-occurred_at", "-id")


USER_SUMMARY_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "full_name": {"type": "string"}},
    "required": ["id", "email", "full_name"],
}
ACTIVITY_SUMMARY_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string"},
        "subject": {"type": "string"},
        "status": {"type": "string"},
    },
    "required": ["id", "kind", "subject", "status"],
}


class TimelineEntrySerializer(LinkRuleMixin, serializers.ModelSerializer[TimelineEntry]):
    actor = serializers.SerializerMethodField()
    activity = serializers.SerializerMethodField()

    class Meta:
        model = TimelineEntry
        fields = ["id", "kind", "occurred_at", "actor", "data", "activity"]
        read_only_fields = fields

    @extend_schema_field(USER_SUMMARY_SCHEMA)
    def get_actor(self, entry: TimelineEntry) -> dict[str, Any] | None:
        return user_summary(entry.actor)

    @extend_schema_field(ACTIVITY_SUMMARY_SCHEMA)
    def get_activity(self, entry: TimelineEntry) -> dict[str, Any] | None:
        activity = entry.activity
        if activity is None:
            return None
        return {"id": activity.pk, "kind": activity.kind, "subject": activity.subject, "status": activity.status}


TIMELINE_PAGE = inline_serializer(
    name="PaginatedTimelineEntryList",
    fields={
        "next": serializers.URLField(allow_null=True, help_text="The next page, or null on the last one."),
        "previous": serializers.URLField(allow_null=True, help_text="The previous page, or null on the first."),
        "results": TimelineEntrySerializer(many=True),
    },
)
TIMELINE_PARAMETERS = [
    OpenApiParameter("cursor", str, OpenApiParameter.QUERY, description="The pagination cursor value."),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": TimelinePagination.max_page_size},
        OpenApiParameter.QUERY,
        description="Entries per page (50 when not given).",
    ),
]


def boolean_flag(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class RecordViewSet(NotesMixin, FilesMixin, FollowersMixin, BulkMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """A CRM record resource: visible rows only, writes through the module's services in one transaction.

    Subclasses name their ``entity`` description (module, owner, filters, orderings, services and
    timeline come from it) and a ``serializer_class``. ``GET`` takes ``?fields=`` (sparse
    fieldsets); ``bulk/`` creates (POST) or updates (PATCH) many records at once; a record type
    that carries notes, files and followers gets their routes (``api.rest.collaboration``).
    """

    entity: ClassVar[EntityDescription]
    module: ClassVar[str]
    owner_field: ClassVar[str] = "owner"
    ordering_fields: ClassVar[tuple[str, ...]] = ()
    timeline_link: ClassVar[str | None] = None
    action_permissions: ClassVar[dict[str, str]] = {"timeline": "view"}
    permission_classes = RECORD_PERMISSIONS
    filter_backends = [DjangoFilterBackend]
    pagination_class = OrderingCursorPagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    schema = RecordAutoSchema()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.action_permissions = {**COLLABORATION_PERMISSIONS, **cls.action_permissions}
        entity: EntityDescription | None = cls.__dict__.get("entity")
        if entity is None:
            return
        cls.module = entity.module
        cls.owner_field = entity.owner_field
        cls.ordering_fields = tuple(ordering.name for ordering in entity.orderings)
        cls.timeline_link = entity.timeline or None
        cls.filterset_class = filterset_for(entity)  # type: ignore[attr-defined]
        if entity.read_only_records:  # listed and read only: no writes, no bulk route
            cls.http_method_names = ["get", "head", "options"]
            return
        cls.create_service = staticmethod(entity.create)  # type: ignore[attr-defined, arg-type]
        cls.update_service = staticmethod(entity.update)  # type: ignore[attr-defined, arg-type]
        cls.delete_service = staticmethod(entity.delete)  # type: ignore[attr-defined, arg-type]

    def custom_keys(self) -> list[str]:
        """The custom field keys a fieldset may name (none without custom fields)."""
        return []

    def fieldset(self) -> Fieldset | None:
        """The ``?fields=`` of a list or detail request (None: every field), parsed once."""
        if self.action not in ("list", "retrieve"):
            return None
        if not hasattr(self, "_fieldset"):
            self._fieldset = parse_fieldset(self.request, self.entity, self.custom_keys)
        return self._fieldset

    def base_queryset(self) -> QuerySet[Any]:
        """The rows with the relations the requested fields need (every field's by default)."""
        fieldset = self.fieldset()
        return self.entity.queryset(None if fieldset is None else fieldset.names)

    def get_queryset(self) -> QuerySet[Any]:
        return restrict_to_visible(self.base_queryset(), acting_user(self.request), owner_field=self.owner_field)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["fieldset"] = self.fieldset()
        return context

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance: Any) -> None:
        with transaction.atomic():
            type(self).delete_service(instance, by=acting_user(self.request))  # type: ignore[attr-defined]

    @classmethod
    def get_extra_actions(cls) -> list[Any]:
        """The routed actions: ``timeline`` only for entities that have one (an activity is an
        entry on its records' timelines, not a record with a timeline of its own)."""
        actions: list[Any] = super().get_extra_actions()
        if cls.timeline_link is None:
            actions = [extra for extra in actions if extra.__name__ != "timeline"]
        if cls.timeline_link not in TARGETS:
            actions = [extra for extra in actions if extra.__name__ not in COLLABORATION_ACTIONS]
        entity: EntityDescription | None = getattr(cls, "entity", None)
        if entity is not None and entity.read_only_records:
            actions = [extra for extra in actions if extra.__name__ != "bulk"]
        return actions

    def retrieve_fresh(self, pk: int) -> Any:
        """The row re-read with the list's select/prefetch, for the response after an action."""
        return self.entity.queryset().get(pk=pk)

    @extend_schema(responses=TIMELINE_PAGE, parameters=TIMELINE_PARAMETERS, filters=False)
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        """What happened to the record, newest first, in cursor pages."""
        if self.timeline_link is None:
            raise exceptions.NotFound()
        record = self.get_object()
        entries = TimelineEntry.objects.filter(**{self.timeline_link: record}).select_related("actor", "activity")
        paginator = TimelinePagination()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(
            TimelineEntrySerializer(page, many=True, context={"request": request}).data
        )


# Unbound field prototypes per ServiceSerializer class (ServiceSerializer.get_fields).
_FIELD_PROTOTYPES: dict[type, dict[str, Any]] = {}


class ServiceSerializer(LinkRuleMixin, serializers.ModelSerializer):  # type: ignore[type-arg]
    """A model serializer whose saves call the module's services with the validated values.

    ``entity`` is the record's description: its field descriptions become help texts, and a
    sparse fieldset in the context (``fieldset``) limits the fields.
    """

    entity: ClassVar[EntityDescription]

    def get_fields(self) -> dict[str, Any]:
        # ModelSerializer introspects the model for every serializer it builds (a list page builds
        # one): about 10 ms for a contact. The fields depend on the class alone (never on the
        # request), so each class builds them once and every serializer gets its own deep copies,
        # as DRF does with declared fields.
        prototypes = _FIELD_PROTOTYPES.get(type(self))
        if prototypes is None:
            prototypes = super().get_fields()
            for name, field in prototypes.items():
                described = self.entity.described_field(name)
                if described is not None and described.description and not field.help_text:
                    field.help_text = described.description
            _FIELD_PROTOTYPES[type(self)] = prototypes
        wanted = restrict(prototypes, self.context.get("fieldset"))
        return {name: copy.deepcopy(field) for name, field in wanted.items()}

    def _by(self) -> User:
        return self.context["request"].user  # type: ignore[no-any-return]

    def create(self, validated_data: dict[str, Any]) -> Any:
        view = self.context["view"]
        return type(view).create_service(by=self._by(), **tags_in(validated_data))

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        view = self.context["view"]
        return type(view).update_service(instance, by=self._by(), **tags_in(validated_data))


class DuplicateCheckingSerializer(ServiceSerializer):
    """Creation refuses look-alikes of existing records (400 naming the field) unless
    ``allow_duplicate`` is true, in the body or as ``?allow_duplicate=true``."""

    allow_duplicate = serializers.BooleanField(write_only=True, required=False, default=False)

    def create(self, validated_data: dict[str, Any]) -> Any:
        view = self.context["view"]
        allow = validated_data.pop("allow_duplicate", False) or boolean_flag(
            self.context["request"].query_params.get("allow_duplicate", "")
        )
        return type(view).create_service(by=self._by(), allow_duplicate=allow, **tags_in(validated_data))

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        validated_data.pop("allow_duplicate", None)
        return super().update(instance, validated_data)
