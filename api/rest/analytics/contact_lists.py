"""Saving an analysis's customers as a list of contacts another module keeps (``target``:
``marketing-segment``, a static marketing segment) over REST — the page action
``/analytics/act/lists/<target>/`` as an endpoint, with the same rules.

``POST /api/v1/analytics/contact-lists/`` names the selection as the workflow selections do
(``modules.analytics.acting.sets``: ``cell``, or ``report`` with ``keys`` and the run's narrowing,
or ``set`` with its parameters), the ``target``, the list's ``name`` and optionally
``expected_count`` (the count the client showed; a selection that changed meanwhile is refused
naming it). It takes analytics in the plan, ``analytics.view`` and scope ``analytics:write``; the
target's modules in the plan, its permission (``marketing.change``) and that module's write scope;
a customer analysis reads orders, so ``sales:read`` too. The list holds the selection's contacts
and its companies' contacts the caller may see; the answer (201) names it and links to it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth.credentials import code_allowed, credential_of, missing_scope_message, scope_allows
from api.entities import ENTITIES
from api.entities.links import api_access
from api.rest.analytics.workflows import _whole, selection_params
from api.rest.records import acting_user
from modules.analytics.acting.contact_lists import ContactListTarget, SavedList, save_selection, target_named
from modules.analytics.acting.sets import record_set
from modules.plan_gate import ensure_in_plan


class MaySaveContactLists(BasePermission):
    """Analytics in the plan, ``analytics.view`` and the credential's ``analytics:write`` scope (the
    target's own rules are checked once the body names it)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        ensure_in_plan(getattr(request, "tenant", None), "analytics")
        if not request.user.has_perm("analytics.view"):
            return False
        if not scope_allows(credential_of(request), "analytics", write=True):
            raise exceptions.PermissionDenied(missing_scope_message("analytics", write=True))
        return True


def checked_target(request: Any, key: Any) -> ContactListTarget:
    """The target ``key`` names, its modules in the plan, its permission held and allowed by the
    credential's scopes; a ValidationError naming ``target`` for an unknown one."""
    target = target_named(key) if isinstance(key, str) else None
    if target is None:
        raise ValidationError({"target": [_("Choose where to save the list: marketing-segment.")]})
    for module in target.needs:
        ensure_in_plan(getattr(request, "tenant", None), module)
    if not request.user.has_perm(target.permission):
        raise exceptions.PermissionDenied(_("You do not have permission to do this."))
    if not code_allowed(credential_of(request), target.permission):
        module = target.permission.partition(".")[0]
        raise exceptions.PermissionDenied(missing_scope_message(module, write=True))
    return target


def saved_as_json(target: ContactListTarget, saved: SavedList, name: str, count: int) -> dict[str, Any]:
    entity = next((entity for entity in ENTITIES if entity.name == target.entity), None)
    return {
        "target": target.key,
        "entity": target.entity,
        "id": saved.pk,
        "name": name,
        "count": count,
        "url": saved.url,
        "api_url": f"/api/v1/{entity.rest_path}/{saved.pk}/" if entity is not None else None,
    }


SAVE = inline_serializer(
    name="ContactListSave",
    fields={
        "target": serializers.ChoiceField(choices=["marketing-segment"]),
        "name": serializers.CharField(help_text="Unique among the target's lists."),
        "expected_count": serializers.IntegerField(
            required=False, help_text="The contacts counted when the client asked; refused if it changed."
        ),
        "cell": serializers.CharField(required=False, help_text="A report run row's `cell`."),
        "report": serializers.IntegerField(required=False),
        "keys": serializers.ListField(required=False, help_text="The group's keys, one per grouping."),
        "set": serializers.ChoiceField(choices=["churn", "rfm", "cohort"], required=False),
        "period": serializers.IntegerField(required=False),
        "segment": serializers.CharField(required=False, help_text="An RFM segment's key."),
        "cohort": serializers.CharField(required=False, help_text="YYYY-MM"),
    },
)
SAVED = inline_serializer(
    name="ContactListSaved",
    fields={
        "target": serializers.CharField(),
        "entity": serializers.CharField(help_text="The API record type of the list (segment)."),
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "count": serializers.IntegerField(help_text="The contacts the list holds."),
        "url": serializers.CharField(help_text="The list's page."),
        "api_url": serializers.CharField(allow_null=True),
    },
)


class ContactListsView(APIView):
    """Save the contacts of a report group of companies or contacts, or of a customer analysis, as
    a static marketing segment."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = [IsAuthenticated, MaySaveContactLists]

    @extend_schema(operation_id="analytics_contact_list_save", request=SAVE, responses={201: SAVED})
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        user = acting_user(request)
        target = checked_target(request, data.get("target"))
        params = selection_params(request, data)
        name = data.get("name")
        if not isinstance(name, str) or len(name) > 200:
            raise ValidationError({"name": [_("Enter a name of at most 200 characters.")]})
        selection = record_set(params, user, api_access(request))
        saved, count = save_selection(
            target, selection, user, name=name, expected_count=_whole(data, "expected_count", required=False)
        )
        return Response(saved_as_json(target, saved, " ".join(name.split()), count), status=201)
