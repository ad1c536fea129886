"""GraphQL of the customer portal's users (service module), from ``api.entities.portal_users``:
``portalUsers`` (``service.admin``, as Settings → Portal users), ``portalUserInvite`` (the contact
is e-mailed a sign-in link, never answered) and ``portalUserUpdate`` (``isActive: false``
deactivates). Password hashes, sessions and sign-in links are never exposed."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from graphql import GraphQLError

from api.entities.graphql import connection_arguments, describe_fields, filter_records, type_fields
from api.entities.portal_users import PORTAL_USER, portal_link_base
from api.graphql.contacts.types import ContactType
from api.graphql.core import (
    ConnectionField,
    CountableConnection,
    Node,
    RecordMutation,
    error_type,
    input_values,
    module_enabled,
    reloaded,
    require_module,
    require_permission,
    resolve_reference,
    visible_link,
)
from api.graphql.identity.types import UserType
from api.graphql.service.types import ServiceType
from identity.models import User
from modules.service.portal.models import PortalUser

ADMIN = "service.admin"


class PortalUserType(ServiceType):
    """A contact invited to the customer portal."""

    contact = graphene.Field(ContactType)
    invited_by = graphene.Field(UserType)
    has_password = graphene.Boolean(required=True)

    class Meta:
        model = PortalUser
        name = PORTAL_USER.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = type_fields(PORTAL_USER)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        # service.view with a read scope (a key reading portal users needs no write scope), and
        # the role must hold service.admin, as on Settings -> Portal users.
        require_module(info, "service")
        if not require_permission(info, "service.view").has_perm(ADMIN):
            raise GraphQLError(_("You do not have permission to do this."), extensions={"code": "PERMISSION_DENIED"})
        return queryset.select_related("invited_by")

    @classmethod
    def get_node(cls, info: Any, id: str) -> Any:
        if not module_enabled(info, "service") or not id.isdigit() or not info.context.user.has_perm(ADMIN):
            return None
        return cls.get_queryset(PortalUser.objects.all(), info).filter(pk=int(id)).first()

    @staticmethod
    def resolve_contact(root: PortalUser, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_invited_by(root: PortalUser, info: Any) -> Any:
        return root.invited_by

    @staticmethod
    def resolve_has_password(root: PortalUser, info: Any) -> bool:
        return root.has_password


describe_fields(PortalUserType, PORTAL_USER)


class PortalUserQueries(graphene.ObjectType):
    portal_users = ConnectionField(
        PortalUserType, **connection_arguments(PORTAL_USER), description="The customer portal's users."
    )

    def resolve_portal_users(self, info: Any, **args: Any) -> QuerySet[PortalUser]:
        return filter_records(PORTAL_USER, PortalUser.objects.all(), args)


class PortalUserInput(graphene.InputObjectType):
    contact = graphene.ID(description="A Contact id (when inviting).")
    is_company_admin = graphene.Boolean()
    is_active = graphene.Boolean()


class PortalUserInvite(RecordMutation):
    """Invite a contact you can see to the portal: the account is made and a sign-in link is
    e-mailed to the contact's address (a deactivated user invited again is reactivated)."""

    class Arguments:
        input = PortalUserInput(required=True)

    portal_user = graphene.Field(PortalUserType)
    errors = graphene.List(graphene.NonNull(error_type("PortalUserInvite")), required=True)

    module = "service"
    permission = ADMIN

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        values = input_values(data["input"], references={"contact": ContactType}, info=info)
        invited = PORTAL_USER.create(by=user, link_base=portal_link_base(info.context), **values)  # type: ignore[misc]
        return {"portal_user": reloaded(PortalUserType, info, invited)}


class PortalUserUpdate(RecordMutation):
    """Make a portal user their company's admin or not, deactivate (``isActive: false``) or
    reactivate them."""

    class Arguments:
        id = graphene.ID(required=True)
        input = PortalUserInput(required=True)

    portal_user = graphene.Field(PortalUserType)
    errors = graphene.List(graphene.NonNull(error_type("PortalUserUpdate")), required=True)

    module = "service"
    permission = ADMIN

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        portal_user = resolve_reference(info, data["id"], PortalUserType, "id")
        changed = PORTAL_USER.update(portal_user, by=user, **input_values(data["input"]))  # type: ignore[misc]
        return {"portal_user": reloaded(PortalUserType, info, changed)}


class PortalUserMutations(graphene.ObjectType):
    portal_user_invite = PortalUserInvite.Field()
    portal_user_update = PortalUserUpdate.Field()
