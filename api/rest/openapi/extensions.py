"""drf-spectacular extensions: a record's ``custom`` object, the ``custom.<key>`` filters and the
``ordering`` parameter, all typed from the requesting tenant's active field definitions; the
session cookie as the security scheme and tags as a list of names."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiFilterExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent

from api.rest.custom_fields import (
    PREFIX,
    CustomFieldFilterBackend,
    CustomOrderingCursorPagination,
    CustomValuesField,
    active_definitions,
    view_entity,
)
from api.rest.openapi.types import custom_object_schema, filter_schema
from api.rest.records import RelatedByIdField, TagNamesField
from customization.fields.choices import FieldType
from customization.fields.entities import entity_of
from customization.fields.queries import operators_for

OPERATORS = {
    "eq": gettext_lazy("%(field)s equals the value."),
    "ne": gettext_lazy("%(field)s differs from the value (or is empty)."),
    "isnull": gettext_lazy("%(field)s is empty (true) or set (false)."),
    "gt": gettext_lazy("%(field)s is greater than the value."),
    "gte": gettext_lazy("%(field)s is at least the value."),
    "lt": gettext_lazy("%(field)s is less than the value."),
    "lte": gettext_lazy("%(field)s is at most the value."),
    "contains": gettext_lazy("%(field)s contains the text (any case)."),
}
HAS_OPTION = gettext_lazy("%(field)s has the option.")


class CustomValuesFieldExtension(OpenApiSerializerFieldExtension):
    """``custom`` as a reference to ``<Model>Custom`` (responses) or ``<Model>CustomRequest``."""

    target_class = CustomValuesField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        model = self.target.parent.Meta.model
        definitions = active_definitions(auto_schema.view.request, entity_of(model))
        name = f"{model.__name__}Custom{'Request' if direction == 'request' else ''}"
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=name,
            schema=custom_object_schema(definitions, direction),
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class CustomFieldFilterExtension(OpenApiFilterExtension):
    """One query parameter per field and operator: ``custom.<key>`` (equals) and ``custom.<key>.<op>``."""

    target_class = CustomFieldFilterBackend

    def get_schema_operation_parameters(self, auto_schema: Any, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        view = auto_schema.view
        parameters = []
        for definition in active_definitions(view.request, view_entity(view)):
            for op in operators_for(definition):
                name = f"{PREFIX}{definition.key}" if op == "eq" else f"{PREFIX}{definition.key}.{op}"
                meaning = HAS_OPTION if (op, definition.field_type) == ("eq", FieldType.MULTI_SELECT) else OPERATORS[op]
                parameters.append(
                    {
                        "name": name,
                        "in": "query",
                        "required": False,
                        "description": str(meaning) % {"field": definition.display_label},
                        "schema": filter_schema(definition, op),
                    }
                )
        return parameters


class CustomOrderingPaginationExtension(OpenApiFilterExtension):
    """The cursor and page size, plus ``ordering`` over the view's fields and the custom fields."""

    target_class = CustomOrderingCursorPagination

    def get_schema_operation_parameters(self, auto_schema: Any, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        view = auto_schema.view
        parameters: list[dict[str, Any]] = self.target.get_schema_operation_parameters(view)
        names = [*view.ordering_fields]
        names += [f"{PREFIX}{definition.key}" for definition in active_definitions(view.request, view_entity(view))]
        parameters.append(
            {
                "name": "ordering",
                "in": "query",
                "required": False,
                "description": _(
                    "Sort by a field (- for descending), ties by id; custom fields sort empty values last."
                ),
                "schema": {"type": "string", "enum": [value for name in names for value in (name, f"-{name}")]},
            }
        )
        return parameters


class TenantSessionScheme(SessionScheme):
    """The tenant's session cookie (unsafe methods also send the CSRF token in ``X-CSRFToken``)."""

    target_class = "api.rest.authentication.TenantSessionAuthentication"


class TagNamesFieldExtension(OpenApiSerializerFieldExtension):
    target_class = TagNamesField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        return {"type": "array", "items": {"type": "string", "maxLength": 60}}


class RelatedByIdFieldExtension(OpenApiSerializerFieldExtension):
    """A related object: its id in requests, a small object with at least its id in responses."""

    target_class = RelatedByIdField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        if direction == "request":
            schema: dict[str, Any] = {"type": "integer", "minimum": 1}
        else:
            schema = {
                "type": "object",
                "properties": {"id": {"type": "integer"}},
                "required": ["id"],
                "additionalProperties": True,
            }
        if self.target.allow_null:
            schema["nullable"] = True
        return schema
