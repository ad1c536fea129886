"""``contactListCreate``: save the contacts of a report group of companies or contacts, or of a
customer analysis, as a list another module keeps (``target: "marketing-segment"``, a static
marketing segment) — the page action ``/analytics/act/lists/<target>/`` with the same rules:
analytics in the plan, ``analytics.view`` and scope ``analytics:write``; the target's modules in the
plan, its permission (``marketing.change``) and that module's write scope; ``sales:read`` for a
customer analysis. The selection is named as on REST (``modules.analytics.acting.sets``)."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.utils.translation import gettext as _
from graphql_relay import to_global_id

from api.auth.credentials import code_allowed, credential_of, scope_allows
from api.entities import ENTITIES
from api.graphql.analytics.mutations.workflow_selection_start import selection_of
from api.graphql.core import MutationFailed, RecordMutation, error_type, require_module
from identity.models import User
from modules.analytics.acting.contact_lists import save_selection, target_named


class ContactListType(graphene.ObjectType):
    """A list of contacts an analysis was saved as."""

    target = graphene.String(required=True, description="Where it was saved: marketing-segment.")
    record_id = graphene.ID(required=True, description="The list's global id (a Segment).")
    pk = graphene.Int(required=True, description="The list's numeric id, as in REST.")
    name = graphene.String(required=True)
    count = graphene.Int(required=True, description="The contacts the list holds.")
    url = graphene.String(required=True, description="The list's page.")

    class Meta:
        name = "ContactList"


class ContactListCreate(RecordMutation):
    """Save a report group (``cell``, or ``report`` and ``keys``) or a customer set (``set``: churn,
    rfm, cohort, with ``period``, ``segment``, ``cohort``) as a list of contacts named ``name``."""

    module: ClassVar[str] = "analytics"
    permission: ClassVar[str] = "analytics.view"

    class Arguments:
        target = graphene.String(required=True, description="marketing-segment")
        name = graphene.String(required=True)
        expected_count = graphene.Int(description="The contacts counted before; refused if it changed.")
        cell = graphene.String()
        report = graphene.Int()
        keys = graphene.List(graphene.String, description="The group's keys (null for an empty value).")
        set = graphene.String()
        period = graphene.Int()
        segment = graphene.String(description="An RFM segment's key.")
        cohort = graphene.String(description="YYYY-MM")

    contact_list = graphene.Field(ContactListType)
    errors = graphene.List(graphene.NonNull(error_type("ContactListCreate")), required=True)

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        credential = credential_of(info.context)
        if not scope_allows(credential, "analytics", write=True):
            raise MutationFailed(
                None, _("This credential's scopes do not allow writing analytics."), "PERMISSION_DENIED"
            )
        target = target_named(data["target"])
        if target is None:
            raise MutationFailed("target", _("Choose where to save the list: marketing-segment."))
        for module in target.needs:
            require_module(info, module)
        if not user.has_perm(target.permission) or not code_allowed(credential, target.permission):
            raise MutationFailed("target", _("You do not have permission to do this."), "PERMISSION_DENIED")
        selection = selection_of(info, user, data)
        saved, count = save_selection(
            target, selection, user, name=data["name"], expected_count=data.get("expected_count")
        )
        entity = next((entity for entity in ENTITIES if entity.name == target.entity), None)
        type_name = entity.graphql_type if entity is not None else target.key
        shown = ContactListType(
            target=target.key, record_id=to_global_id(type_name, saved.pk), pk=saved.pk,
            name=" ".join(data["name"].split()), count=count, url=saved.url,
        )  # fmt: skip
        return {"contact_list": shown}
