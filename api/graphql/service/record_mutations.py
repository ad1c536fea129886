"""Create, update and delete mutations of a service record type described in ``api.entities``:
``<name>Create(input)``, ``<name>Update(id, input)`` and ``<name>Delete(id)``, each checking the
module, the permission and the credential's scope (``RecordMutation``) and calling the entity's
services with the caller as ``by``. ``values`` turns the input into the services' keyword arguments
(global ids into visible records, enums into stored values)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import graphene
from graphene.utils.str_converters import to_camel_case

from api.entities import EntityDescription
from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from identity.models import User

Values = Callable[[Any, Any], dict[str, Any]]


def record_mutations(
    entity: EntityDescription,
    graphene_type: Any,
    input_type: type[graphene.InputObjectType],
    values: Values,
    *,
    permission: str,
    required: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The three mutation fields, keyed as the schema names them (``sla_policy_create`` …)."""
    payload = to_camel_case(entity.name)
    prefix = entity.graphql_type

    def create(cls: Any, info: Any, user: User, **data: Any) -> dict[str, Any]:
        record = entity.create(by=user, **values(info, data["input"]))  # type: ignore[misc]
        return {payload: reloaded(graphene_type, info, record)}

    def update(cls: Any, info: Any, user: User, **data: Any) -> dict[str, Any]:
        record = resolve_reference(info, data["id"], graphene_type, "id")
        record = entity.update(record, by=user, **values(info, data["input"]))  # type: ignore[misc]
        return {payload: reloaded(graphene_type, info, record)}

    def delete(cls: Any, info: Any, user: User, **data: Any) -> dict[str, Any]:
        entity.delete(resolve_reference(info, data["id"], graphene_type, "id"), by=user)  # type: ignore[misc]
        return {"deleted_id": data["id"]}

    def required_fields(cls: Any, data: dict[str, Any]) -> frozenset[str]:
        return required

    common = {"module": entity.module, "permission": permission}
    create_class = type(
        f"{prefix}Create",
        (RecordMutation,),
        {
            "__doc__": f"Create a {entity.name.replace('_', ' ')} ({permission}).",
            "Arguments": type("Arguments", (), {"input": input_type(required=True)}),
            payload: graphene.Field(graphene_type),
            "errors": graphene.List(graphene.NonNull(error_type(f"{prefix}Create")), required=True),
            "perform": classmethod(create),
            "required_fields": classmethod(required_fields),
            **common,
        },
    )
    update_class = type(
        f"{prefix}Update",
        (RecordMutation,),
        {
            "__doc__": f"Change the fields sent in ``input`` of a {entity.name.replace('_', ' ')} ({permission}).",
            "Arguments": type("Arguments", (), {"id": graphene.ID(required=True), "input": input_type(required=True)}),
            payload: graphene.Field(graphene_type),
            "errors": graphene.List(graphene.NonNull(error_type(f"{prefix}Update")), required=True),
            "perform": classmethod(update),
            **common,
        },
    )
    delete_class = type(
        f"{prefix}Delete",
        (RecordMutation,),
        {
            "__doc__": f"Delete a {entity.name.replace('_', ' ')} ({permission}).",
            "Arguments": type("Arguments", (), {"id": graphene.ID(required=True)}),
            "deleted_id": graphene.ID(),
            "errors": graphene.List(graphene.NonNull(error_type(f"{prefix}Delete")), required=True),
            "perform": classmethod(delete),
            **common,
        },
    )
    return {
        f"{entity.name}_create": create_class.Field(),  # type: ignore[attr-defined]
        f"{entity.name}_update": update_class.Field(),  # type: ignore[attr-defined]
        f"{entity.name}_delete": delete_class.Field(),  # type: ignore[attr-defined]
    }
