"""Building blocks every GraphQL module shares: the relay Node interface, counted connections,
connection fields and the signed-in user."""

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

import graphene
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from graphene import relay
from graphene.utils.str_converters import to_camel_case
from graphene_django import DjangoConnectionField
from graphene_django.settings import graphene_settings
from graphql import GraphQLError
from graphql_relay import from_global_id

from api.auth.credentials import code_allowed, credential_of
from api.graphql.batching import load_link, related_list, remember
from api.graphql.pagination import child_connection, keyset_connection, page_limits
from identity.models import User
from modules.contacts.models import Tag
from modules.contacts.selectors.lists import text_match
from modules.plan_gate import not_in_plan_message
from modules.registry import is_enabled


def require_user(info: Any) -> User:
    """The signed-in user of this request, or a "Not authenticated." error for the field."""
    user = info.context.user
    if user is None or not user.is_authenticated:
        raise GraphQLError("Not authenticated.", extensions={"code": "UNAUTHENTICATED"})
    return user  # type: ignore[no-any-return]


class Node(relay.Node):
    """Relay's Node interface; an id that does not name an object of this tenant resolves to null.

    graphene's own resolver raises plain exceptions for malformed ids and unknown type names, which
    would read as server errors; here they are simply "no such object", like a missing row. An id of
    a type whose ``plan_module`` the tenant's plan lacks is a MODULE_NOT_IN_PLAN error.
    """

    class Meta:
        name = "Node"
        description = "An object with an ID. An ID that names no object of this tenant resolves to null."

    @classmethod
    def get_node_from_global_id(cls, info: Any, global_id: str, only_type: Any = None) -> Any:
        require_user(info)
        type_name, object_id = from_global_id(global_id) if isinstance(global_id, str) else ("", "")
        graphql_type = info.schema.get_type(type_name) if type_name else None
        graphene_type = getattr(graphql_type, "graphene_type", None)
        if graphene_type is None or cls not in getattr(graphene_type._meta, "interfaces", ()):
            return None
        if only_type and graphene_type is not only_type:
            return None
        plan_module = getattr(graphene_type, "plan_module", None)  # a type of an optional module
        if plan_module:
            require_module(info, plan_module)
        node = graphene_type.get_node(info, object_id)
        remember(info, [node] if node is not None else [])
        return node


class CountableConnection(relay.Connection):
    """A relay connection that also reports how many objects match, across all pages (counted only
    when ``totalCount`` is selected)."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="How many objects match, across all pages.")

    def resolve_total_count(self, info: Any) -> int:
        count = getattr(self, "count_source", None)  # keyset pages count lazily
        return int(count() if count is not None else self.length)


class ConnectionField(DjangoConnectionField):
    """DjangoConnectionField paginated by keyset (``api.graphql.pagination``): opaque cursors of
    the sort key and id, ``first``/``after`` and ``last``/``before``, pages that stay put when rows
    are inserted, a COUNT only for ``totalCount``. Out-of-bounds sizes are client errors, and the
    page's rows are remembered so their links load in batches (``api.graphql.batching``).
    """

    @classmethod
    def connection_resolver(
        cls,
        resolver: Any,
        connection: Any,
        default_manager: Any,
        queryset_resolver: Any,
        max_limit: int | None,
        enforce_first_or_last: bool,
        root: Any,
        info: Any,
        **args: Any,
    ) -> Any:
        page_limits(args, max_limit, info.field_name)
        if enforce_first_or_last and not (args.get("first") or args.get("last")):
            raise GraphQLError(
                f"You must provide a `first` or `last` value to properly paginate the `{info.field_name}` connection.",
                extensions={"code": "BAD_USER_INPUT"},
            )
        iterable = resolver(root, info, **args)
        queryset = queryset_resolver(connection, default_manager if iterable is None else iterable, info, args)
        if not isinstance(queryset, QuerySet):  # a resolver that built a list: offset cursors over it
            return cls.resolve_connection(connection, args, queryset, max_limit=max_limit)
        page = keyset_connection(connection, queryset, args, max_limit)
        remember(info, [edge.node for edge in page.edges])
        return page


# --- Shared by the CRM record types and their mutations --------------------------------------------


def enum_from_choices(name: str, choices: type[models.TextChoices], description: str = "") -> type[graphene.Enum]:
    """A GraphQL enum whose values are a TextChoices' stored values (members named like the choices)."""
    return graphene.Enum(name, [(member.name, member.value) for member in choices], description=description)


def choice_field(enum: type[graphene.Enum], attname: str, *, required: bool = True, **kwargs: Any) -> graphene.Field:
    """A model choice field as ``enum``; a blank stored value reads as null. (Values fresh from a model
    default are Django's own enum members, which graphene's enum would not recognise.)"""

    def resolve(root: Any, info: Any) -> Any:
        return enum_value(getattr(root, attname)) or None

    return graphene.Field(enum, required=required, resolver=resolve, **kwargs)


def attribute(path: str) -> Callable[[Any, Any], Any]:
    """A resolver reading ``path`` from the root object, dotted for a field one object down
    (``rule.support``); null when an object on the way is (a page without its run yet)."""
    names = path.split(".")

    def resolve(root: Any, info: Any) -> Any:
        value = root
        for name in names:
            if value is None:
                return None
            value = getattr(value, name)
        return value

    return resolve


def enum_value(value: Any) -> Any:
    """graphene hands enum arguments over as Python enum members; services want the stored value."""
    return getattr(value, "value", value)


def require_module(info: Any, key: str) -> None:
    """A MODULE_NOT_IN_PLAN error (the module's key in ``extensions.module``) unless the tenant's plan
    includes the module."""
    if not module_enabled(info, key):
        raise module_not_in_plan_error(key)


def module_enabled(info: Any, key: str) -> bool:
    tenant = getattr(info.context, "tenant", None)
    return tenant is not None and is_enabled(tenant, key)


def module_not_in_plan_error(key: str) -> GraphQLError:
    return GraphQLError(not_in_plan_message(key), extensions={"code": "MODULE_NOT_IN_PLAN", "module": key})


def require_permission(info: Any, code: str) -> User:
    """The signed-in user, who must hold ``code``; otherwise a PERMISSION_DENIED error for the field."""
    user = require_user(info)
    if not user.has_perm(code):
        raise GraphQLError(_("You do not have permission to do this."), extensions={"code": "PERMISSION_DENIED"})
    if not code_allowed(credential_of(info.context), code):
        raise GraphQLError(
            _("This credential's scopes do not allow this (%(permission)s).") % {"permission": code},
            extensions={"code": "INSUFFICIENT_SCOPE"},
        )
    return user


def global_id_to_pk(global_id: Any, type_name: str) -> int | None:
    """The primary key a global id names when it names an object of ``type_name``, else None."""
    if not isinstance(global_id, str):
        return None
    try:
        found_type, object_id = from_global_id(global_id)
    except Exception:  # graphql-relay raises for malformed base64 or text
        return None
    if found_type != type_name or not object_id.isdigit():
        return None
    return int(object_id)


def id_argument(global_id: Any, type_name: str, argument: str) -> int:
    """The primary key of a filter argument's global id; a BAD_USER_INPUT error naming the argument otherwise."""
    pk = global_id_to_pk(global_id, type_name)
    if pk is None:
        raise GraphQLError(
            _("%(argument)s: not an id of a %(type)s.") % {"argument": argument, "type": type_name},
            extensions={"code": "BAD_USER_INPUT", "field": argument},
        )
    return pk


def search_records(queryset: QuerySet[Any], value: str | None, name_field: str) -> QuerySet[Any]:
    """Full-text match on the row's ``search_vector``, or a name that is similar (trigram) or contains it."""
    return text_match(queryset, name_field, value, substring=True)


def order_records(queryset: QuerySet[Any], order_by: Any) -> QuerySet[Any]:
    """Order by an ``…OrderBy`` enum value ("name", "-created_at"…), id as the tie-break; id order by default."""
    value = enum_value(order_by)
    if not value:
        return queryset.order_by("id")
    return queryset.order_by(value, "-id" if value.startswith("-") else "id")


def ordering_enum(name: str, fields: dict[str, str]) -> type[graphene.Enum]:
    """``NAME`` / ``NAME_DESC`` … for each (enum name → model field) pair."""
    members: list[tuple[str, str]] = []
    for member, field in fields.items():
        members += [(member, field), (f"{member}_DESC", f"-{field}")]
    return graphene.Enum(name, members, description="Sort order; rows with equal values keep id order.")


def connection_from_queryset(connection_type: Any, queryset: QuerySet[Any], args: dict[str, Any]) -> Any:
    """A keyset page of ``queryset`` (in its order) as ``connection_type``, as root fields page."""
    max_limit = graphene_settings.RELAY_CONNECTION_MAX_LIMIT
    page_limits(args, max_limit)
    return keyset_connection(connection_type, queryset, dict(args), max_limit)


def nested_connection(
    info: Any, connection_type: Any, queryset: QuerySet[Any], link: str, pk: int, args: dict[str, Any]
) -> Any:
    """The page of ``queryset`` rows whose foreign key ``link`` is ``pk`` (a record's timeline): the
    first pages of all the operation's records of that kind load in one query."""
    return child_connection(
        info, connection_type, queryset, link, pk, dict(args), graphene_settings.RELAY_CONNECTION_MAX_LIMIT
    )


# --- Mutations --------------------------------------------------------------------------------------

ERROR_CODES = (
    ("INVALID", "The value is not valid."),
    ("REQUIRED", "The field needs a value."),
    ("NOT_FOUND", "No such record, or not one you can see."),
    ("DUPLICATE", "The record looks like an existing one."),
    ("PERMISSION_DENIED", "Your role does not allow this."),
)
REQUIRED_CODES = frozenset({"required", "blank", "null"})


class MutationFailed(Exception):
    """Raised inside a mutation's ``perform`` to answer with one field error (nothing is written)."""

    def __init__(self, field: str | None, message: str, code: str = "INVALID") -> None:
        super().__init__(message)
        self.field, self.message, self.code = field, message, code


def error_type(mutation_name: str) -> type[graphene.ObjectType]:
    """``<Mutation>Error`` with a ``<Mutation>ErrorCode`` enum: the error list of one mutation."""
    code_enum = graphene.Enum(
        f"{mutation_name}ErrorCode",
        [(code, code) for code, _description in ERROR_CODES],
        description="Why the input was refused.",
    )
    return type(
        f"{mutation_name}Error",
        (graphene.ObjectType,),
        {
            "__doc__": "Why a mutation was refused: the input field (camelCase; null for the whole input).",
            "field": graphene.String(),
            "message": graphene.String(required=True),
            "code": graphene.Field(code_enum, required=True),
        },
    )


def validation_errors(error: ValidationError, *, required_fields: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Field errors out of a Django ValidationError (as the services raise them), camelCased."""
    from modules.contacts.services.duplicates import DuplicateRecords

    errors: list[dict[str, Any]] = []
    by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
    for field, field_errors in by_field.items():
        for item in field_errors:
            message = " ".join(str(message) for message in item.messages)
            if isinstance(error, DuplicateRecords):
                code = "DUPLICATE"
            elif item.code in REQUIRED_CODES or field in required_fields:
                code = "REQUIRED"
            else:
                code = "INVALID"
            errors.append({"field": error_field(field), "message": message, "code": code})
    return errors


def error_field(field: str) -> str | None:
    """The input field an error names: camelCase, except ``custom.<key>`` (custom fields go by key)."""
    if field == NON_FIELD_ERRORS:
        return None
    return field if field.startswith("custom.") else to_camel_case(field)


class RecordMutation(graphene.Mutation):
    """A mutation that checks the module and permission, runs ``perform`` in a transaction and
    answers refusals as ``errors`` (nothing written) rather than raising; a module not in the
    tenant's plan is an error for the field (MODULE_NOT_IN_PLAN), as for every query of the module."""

    class Meta:
        abstract = True

    module: ClassVar[str] = ""
    permission: ClassVar[str] = ""

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def refuse(cls, info: Any, errors: list[dict[str, Any]], error: Exception | None = None) -> Any:
        """The payload for a refused call; ``error`` is what the service raised, if anything."""
        return cls(errors=errors)

    @classmethod
    def mutate(cls, root: Any, info: Any, **data: Any) -> Any:
        user = require_user(info)
        if cls.module:
            require_module(info, cls.module)
        if cls.permission and not user.has_perm(cls.permission):
            message = _("You do not have permission to do this.")
            return cls.refuse(info, [{"field": None, "message": message, "code": "PERMISSION_DENIED"}])
        if cls.permission and not code_allowed(credential_of(info.context), cls.permission):
            message = _("This credential's scopes do not allow this (%(permission)s).") % {"permission": cls.permission}
            return cls.refuse(info, [{"field": None, "message": message, "code": "PERMISSION_DENIED"}])
        try:
            with transaction.atomic():
                result = cls.perform(info, user, **data)
        except MutationFailed as failure:
            return cls.refuse(
                info, [{"field": failure.field, "message": failure.message, "code": failure.code}], failure
            )
        except ValidationError as error:
            return cls.refuse(info, validation_errors(error, required_fields=cls.required_fields(data)), error)
        return cls(errors=[], **result)

    @classmethod
    def required_fields(cls, data: dict[str, Any]) -> frozenset[str]:
        """Model fields whose errors mean "missing" for this call (beyond Django's own required codes)."""
        return frozenset()


def input_values(data: Any, *, references: dict[str, Any] | None = None, info: Any = None) -> dict[str, Any]:
    """The fields a client actually sent in an input object, as service keyword arguments: enums
    become stored values, global ids become visible records (``references``: field → graphene type),
    naive date-times are read in the current time zone."""
    values: dict[str, Any] = {}
    for name, value in dict(data or {}).items():
        if references and name in references:
            values[name] = resolve_reference(info, value, references[name], name)
        elif isinstance(value, datetime) and timezone.is_naive(value):
            values[name] = timezone.make_aware(value)
        elif isinstance(value, list):
            values[name] = [enum_value(item) for item in value]
        else:
            values[name] = enum_value(value)
    return values


def resolve_reference(info: Any, global_id: Any, graphene_type: Any, field: str) -> Any:
    """The visible record a global id in the input names (None stays None); NOT_FOUND naming the field otherwise."""
    if global_id is None:
        return None
    pk = global_id_to_pk(global_id, graphene_type._meta.name)
    instance = graphene_type.get_node(info, str(pk)) if pk is not None else None
    if instance is None:
        raise MutationFailed(to_camel_case(field), _("No such record, or not one you can see."), "NOT_FOUND")
    return instance


def reloaded(graphene_type: Any, info: Any, instance: models.Model | None) -> Any:
    """``instance`` read again through its type's queryset, so links in the payload obey visibility too."""
    if instance is None:
        return None
    node = graphene_type.get_node(info, str(instance.pk))
    remember(info, [node] if node is not None else [])
    return node


def batched_tags(info: Any, root: models.Model) -> list[Any]:
    """``root``'s tags by name: prefetched with its page, else loaded for all records of its kind at once."""
    return related_list(info, root, "tags", Tag.objects.order_by("name"))


def visible_link(root: models.Model, info: Any, name: str, graphene_type: Any) -> Any:
    """The record ``root`` links to through foreign key ``name``, only if the user may see it.

    List and node queries prefetch the link through a visibility-restricted queryset; a link that was
    not prefetched (a contact reached through a deal) is loaded for every record of the operation
    that has it at once, through the type's queryset, so a page costs one query per link, not per row.
    """
    cache = root._state.fields_cache
    if name in cache:
        return cache[name]
    return None if getattr(root, f"{name}_id") is None else load_link(info, root, name, graphene_type)
