"""GraphQL of the service desk's helpers (service module), from ``api.entities.desk``:
``assignmentRules`` and ``assignmentRuleCreate/Update/Delete`` and ``assignmentRulesReorder``
(``service.admin``);
``cannedResponses`` (the shared ones and the caller's own) and ``cannedResponseCreate/Update/Delete``
(``service.change``; shared ones need ``service.admin`` too, refused as PERMISSION_DENIED)."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from api.entities.desk import ASSIGNMENT_RULE, CANNED_RESPONSE
from api.entities.graphql import choice_enum, connection_arguments, describe_fields, filter_records, type_fields
from api.graphql.batching import remember
from api.graphql.core import (
    ConnectionField,
    CountableConnection,
    MutationFailed,
    Node,
    RecordMutation,
    choice_field,
    error_type,
    global_id_to_pk,
    input_values,
    reloaded,
    resolve_reference,
)
from api.graphql.identity.types import TeamType, UserType
from api.graphql.service.record_mutations import record_mutations
from api.graphql.service.types import (
    CaseCategoryType,
    CaseChannelEnum,
    CasePriorityEnum,
    ServiceType,
    service_queryset,
)
from identity.models import Team, User
from modules.service.desk.choices import AssignmentMethod
from modules.service.desk.models import AssignmentRule, CannedResponse
from modules.service.desk.services.assignment import MAX_RULES_IN_ORDER, reorder_rules
from modules.service.desk.services.canned import visible_canned_responses

ADMIN = "service.admin"
AssignmentMethodEnum = choice_enum(AssignmentMethod, "How an assignment rule picks the agent.")


class AssignmentRuleType(ServiceType):
    """Who gets a case that arrives without an agent: the first active rule whose conditions hold."""

    channel = choice_field(CaseChannelEnum, "channel", required=False)
    priority = choice_field(CasePriorityEnum, "priority", required=False)
    method = choice_field(AssignmentMethodEnum, "method")
    category = graphene.Field(CaseCategoryType)
    team = graphene.Field(TeamType)
    queue = graphene.Field(TeamType)
    agent = graphene.Field(UserType)

    class Meta:
        model = AssignmentRule
        name = ASSIGNMENT_RULE.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(ASSIGNMENT_RULE)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return service_queryset(info, queryset).select_related("category", "team", "queue", "agent")


class CannedResponseType(ServiceType):
    """A reply agents insert, shared with every agent or personal to its owner."""

    shared = graphene.Boolean(required=True)
    owner = graphene.Field(UserType)
    created_by = graphene.Field(UserType)

    class Meta:
        model = CannedResponse
        name = CANNED_RESPONSE.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = type_fields(CANNED_RESPONSE)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        rows = service_queryset(info, queryset)
        return rows.filter(pk__in=visible_canned_responses(info.context.user).values("pk")).select_related(
            "owner", "created_by"
        )

    @staticmethod
    def resolve_shared(root: CannedResponse, info: Any) -> bool:
        return root.is_shared


for _type, _description in ((AssignmentRuleType, ASSIGNMENT_RULE), (CannedResponseType, CANNED_RESPONSE)):
    describe_fields(_type, _description)


class DeskQueries(graphene.ObjectType):
    assignment_rules = ConnectionField(
        AssignmentRuleType, **connection_arguments(ASSIGNMENT_RULE), description="Assignment rules."
    )
    canned_responses = ConnectionField(
        CannedResponseType,
        **connection_arguments(CANNED_RESPONSE),
        description="The shared canned responses and your own.",
    )

    def resolve_assignment_rules(self, info: Any, **args: Any) -> QuerySet[AssignmentRule]:
        return filter_records(ASSIGNMENT_RULE, AssignmentRule.objects.all(), args)

    def resolve_canned_responses(self, info: Any, **args: Any) -> QuerySet[CannedResponse]:
        return filter_records(CANNED_RESPONSE, CannedResponse.objects.all(), args)


class AssignmentRuleInput(graphene.InputObjectType):
    name = graphene.String()
    is_active = graphene.Boolean()
    category = graphene.ID(description="A CaseCategory id, or null for any.")
    language = graphene.String()
    channel = CaseChannelEnum()
    priority = CasePriorityEnum()
    team = graphene.Int(description="A team id (the case's queue), or null for any.")
    method = AssignmentMethodEnum()
    queue = graphene.Int(description="A team id to pick in, or null for the case's own queue.")
    agent = graphene.ID(description="A User id (fixed rules).")


def _team(value: int | None, field: str) -> Team | None:
    if value is None:
        return None
    team = Team.objects.filter(pk=value).first() if 0 < value < 2**63 else None
    if team is None:
        raise MutationFailed(field, _("No such team."), "NOT_FOUND")
    return team


def rule_values(info: Any, data: Any) -> dict[str, Any]:
    values = input_values(data, references={"category": CaseCategoryType, "agent": UserType}, info=info)
    for field in ("team", "queue"):
        if field in values:
            values[field] = _team(values[field], field)
    for field in ("channel", "priority", "language"):
        if field in values and values[field] is None:
            values[field] = ""
    return values


class AssignmentRulesReorder(RecordMutation):
    """Set the order assignment rules are tried in: ``order`` lists every rule's id once, the first
    tried first (a missing, repeated or unknown id is refused on ``order``, nothing changes)."""

    class Arguments:
        order = graphene.List(graphene.NonNull(graphene.ID), required=True)

    assignment_rules = graphene.List(graphene.NonNull(AssignmentRuleType), description="The rules in their new order.")
    errors = graphene.List(graphene.NonNull(error_type("AssignmentRulesReorder")), required=True)

    module = "service"
    permission = ADMIN

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        ids = [
            global_id_to_pk(value, ASSIGNMENT_RULE.graphql_type) for value in data["order"][: MAX_RULES_IN_ORDER + 1]
        ]
        if any(pk is None for pk in ids):
            raise MutationFailed("order", _("The order lists an unknown rule."), "NOT_FOUND")
        reorder_rules(order=ids, by=user)
        rules = list(AssignmentRuleType.get_queryset(AssignmentRule.objects.order_by("position", "id"), info))
        remember(info, rules)
        return {"assignment_rules": rules}


class CannedResponseInput(graphene.InputObjectType):
    title = graphene.String()
    body = graphene.String()
    shared = graphene.Boolean(description="Shared with every agent (service.admin) or personal to you.")


def _may_write(user: User, shared: bool) -> None:
    if shared and not user.has_perm(ADMIN):
        raise MutationFailed("shared", _("Shared canned responses need %(code)s.") % {"code": ADMIN},
                             "PERMISSION_DENIED")  # fmt: skip


class CannedResponseCreate(RecordMutation):
    """A new canned response, personal to you unless ``shared``."""

    class Arguments:
        input = CannedResponseInput(required=True)

    canned_response = graphene.Field(CannedResponseType)
    errors = graphene.List(graphene.NonNull(error_type("CannedResponseCreate")), required=True)

    module = "service"
    permission = "service.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        values = input_values(data["input"])
        _may_write(user, bool(values.get("shared")))
        response = CANNED_RESPONSE.create(by=user, **values)  # type: ignore[misc]
        return {"canned_response": reloaded(CannedResponseType, info, response)}


class CannedResponseUpdate(RecordMutation):
    """Change a canned response you can see (a shared one, or sharing yours, needs service.admin)."""

    class Arguments:
        id = graphene.ID(required=True)
        input = CannedResponseInput(required=True)

    canned_response = graphene.Field(CannedResponseType)
    errors = graphene.List(graphene.NonNull(error_type("CannedResponseUpdate")), required=True)

    module = "service"
    permission = "service.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        response = resolve_reference(info, data["id"], CannedResponseType, "id")
        values = input_values(data["input"])
        _may_write(user, response.is_shared or bool(values.get("shared")))
        response = CANNED_RESPONSE.update(response, by=user, **values)  # type: ignore[misc]
        return {"canned_response": reloaded(CannedResponseType, info, response)}


class CannedResponseDelete(RecordMutation):
    """Delete a canned response you can see (a shared one needs service.admin)."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()
    errors = graphene.List(graphene.NonNull(error_type("CannedResponseDelete")), required=True)

    module = "service"
    permission = "service.delete"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        response = resolve_reference(info, data["id"], CannedResponseType, "id")
        _may_write(user, response.is_shared)
        CANNED_RESPONSE.delete(response, by=user)  # type: ignore[misc]
        return {"deleted_id": data["id"]}


DeskMutations = type(
    "DeskMutations",
    (graphene.ObjectType,),
    {
        **record_mutations(ASSIGNMENT_RULE, AssignmentRuleType, AssignmentRuleInput, rule_values, permission=ADMIN),
        "assignment_rules_reorder": AssignmentRulesReorder.Field(),
        "canned_response_create": CannedResponseCreate.Field(),
        "canned_response_update": CannedResponseUpdate.Field(),
        "canned_response_delete": CannedResponseDelete.Field(),
    },
)
