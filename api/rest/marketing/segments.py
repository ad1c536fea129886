"""REST endpoints of segments and static lists (marketing module): ``/api/v1/segments/`` from the
entity description, ``<id>/members/`` (GET: the members, each contact null when you may not see
it; POST: add contacts to a static list), ``<id>/members/remove/`` (take contacts out of a static
list) and ``preview/`` (the count and first contacts of unsaved rules, as the rule builder shows
them: the same rate limit and statement timeout). Wrong rules answer 400 with each error keyed
by the path of the part at fault (``rules.conditions[1].value``)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.entities import SEGMENT
from api.entities.links import api_access
from api.entities.rest import serializer_fields
from api.rest.contacts.serializers import contact_field
from api.rest.pagination import IdCursorPagination
from api.rest.records import LinkRuleMixin, RecordViewSet, ServiceSerializer, acting_user, user_field
from modules.contacts.models import Contact
from modules.contacts.selectors.lists import visible_contacts
from modules.marketing.choices import SegmentKind
from modules.marketing.models import Segment, SegmentMember
from modules.marketing.segments import preview as rule_preview
from modules.marketing.segments import services
from modules.marketing.segments.rules import clean_rules

MAX_CONTACTS_PER_CALL = 1000
DYNAMIC_REFUSAL = gettext_lazy(
    "This segment is dynamic: its rules choose its members. Only a static list takes contacts by hand."
)


class SegmentSerializer(ServiceSerializer):
    entity = SEGMENT
    owner = user_field()
    rules = serializers.JSONField(required=False)

    class Meta:
        model = Segment
        fields = serializer_fields(SEGMENT)
        read_only_fields = SEGMENT.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {"description": {"required": False}, "kind": {"required": False}}


class SegmentMemberSerializer(LinkRuleMixin, serializers.ModelSerializer[SegmentMember]):
    """A contact in a segment: by rules (dynamic), by hand, import or workflow (static)."""

    contact = contact_field()

    class Meta:
        model = SegmentMember
        fields = ["id", "contact", "source", "added_at"]
        read_only_fields = fields


class ContactIdsSerializer(serializers.Serializer[Any]):
    contacts = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        max_length=MAX_CONTACTS_PER_CALL,
        help_text=f"Ids of contacts you can see, at most {MAX_CONTACTS_PER_CALL}.",
    )


LIST_CHANGE = inline_serializer(
    name="SegmentListChange",
    fields={
        "changed": serializers.IntegerField(help_text="How many contacts entered (or left) the list."),
        "member_count": serializers.IntegerField(help_text="The list's members now."),
    },
)
PREVIEW_REQUEST = inline_serializer(
    name="SegmentPreviewRequest",
    fields={"rules": serializers.JSONField(help_text="Rules as a segment takes them (not saved).")},
)
PREVIEW = inline_serializer(
    name="SegmentPreview",
    fields={
        "count": serializers.IntegerField(help_text="The contacts the rules match, all of them."),
        "contacts": inline_serializer(
            name="SegmentPreviewContact",
            fields={
                "id": serializers.IntegerField(),
                "full_name": serializers.CharField(),
                "email": serializers.CharField(),
            },
            many=True,
            help_text="The first matching contacts you can see, by name (at most 20).",
        ),
    },
)


class MemberPagination(IdCursorPagination):
    ordering = ("id",)


ORDERING = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    description="Sort by a field (- for descending), ties by id.",
    enum=[value for item in SEGMENT.orderings for value in (item.name, f"-{item.name}")],
)


@extend_schema_view(list=extend_schema(parameters=[ORDERING]))
class SegmentViewSet(RecordViewSet):
    """Segments (dynamic, from rules) and static lists. ``?contact=<id>`` gives the segments a
    contact is in. A segment keeps its kind; a dynamic one's members are re-evaluated after its
    rules change (``evaluated_at``), then follow the contacts' changes."""

    entity = SEGMENT
    serializer_class = SegmentSerializer
    action_permissions: ClassVar[dict[str, str]] = {"timeline": "view", "preview": "view"}

    def get_queryset(self) -> QuerySet[Any]:
        queryset = self.base_queryset()  # every role with marketing.view sees every segment, as on the pages
        contact = self.request.query_params.get("contact", "").strip()
        if self.action == "list" and contact.isdigit() and not self._contact_visible(int(contact)):
            return queryset.none()  # whose segments a hidden contact is in is not for this caller
        return queryset

    def _contact_visible(self, pk: int) -> bool:
        if not api_access(self.request).may_use(Contact):
            return False
        return visible_contacts(acting_user(self.request)).filter(pk=pk).exists()

    def _members(self, segment: Segment) -> QuerySet[SegmentMember]:
        return SegmentMember.objects.filter(segment=segment).select_related("contact").order_by("id")

    def _contacts(self, request: Request) -> list[int]:
        body = ContactIdsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = set(body.validated_data["contacts"])
        found: set[int] = set()
        if api_access(request).may_use(Contact):
            found = set(visible_contacts(acting_user(request)).filter(pk__in=wanted).values_list("pk", flat=True))
        missing = sorted(wanted - found)
        if missing:
            listed = ", ".join(str(pk) for pk in missing[:20])
            raise exceptions.ValidationError(
                {"contacts": [_("No such contact, or not one you can see: %(ids)s.") % {"ids": listed}]}
            )
        return sorted(found)

    def _static(self, segment: Segment) -> None:
        if segment.kind != SegmentKind.STATIC:
            raise exceptions.ValidationError({"contacts": [DYNAMIC_REFUSAL]})

    def _changed(self, segment: Segment, changed: int) -> Response:
        return Response({"changed": changed, "member_count": segment.member_count})

    @extend_schema(methods=["GET"], responses=SegmentMemberSerializer(many=True), filters=False)
    @extend_schema(methods=["POST"], request=ContactIdsSerializer, responses=LIST_CHANGE, filters=False)
    @action(detail=True, methods=["get", "post"])
    def members(self, request: Request, pk: str | None = None) -> Response:
        """The segment's members in cursor pages (a contact you may not see reads as null); POST
        adds contacts to a static list (those already in it stay; a dynamic segment refuses)."""
        segment = self.get_object()
        if request.method == "POST":
            self._static(segment)
            contacts = self._contacts(request)
            return self._changed(segment, services.add_to_list(segment, contacts, by=acting_user(request)))
        paginator = MemberPagination()
        page = paginator.paginate_queryset(self._members(segment), request, view=self)
        context = {"request": request}
        return paginator.get_paginated_response(SegmentMemberSerializer(page, many=True, context=context).data)

    @extend_schema(request=ContactIdsSerializer, responses=LIST_CHANGE, filters=False)
    @action(detail=True, methods=["post"], url_path="members/remove", url_name="members-remove")
    def remove_members(self, request: Request, pk: str | None = None) -> Response:
        """Take contacts out of a static list (a dynamic segment refuses)."""
        segment = self.get_object()
        self._static(segment)
        contacts = self._contacts(request)
        return self._changed(segment, services.remove_from_list(segment, contacts, by=acting_user(request)))

    @extend_schema(request=PREVIEW_REQUEST, responses=PREVIEW, filters=False)
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """How many contacts unsaved rules match, and the first you can see: at most 30 previews a
        minute per person (with the rule builder's), each query stopped after 10 s."""
        user = acting_user(request)
        if rule_preview.over_limit(user):
            raise exceptions.Throttled(wait=60, detail=_("Too many previews; wait a minute."))
        raw = request.data.get("rules") if isinstance(request.data, dict) else None
        rules = clean_rules(raw)
        count, shown = rule_preview.preview(rules, user)
        if not api_access(request).may_use(Contact):
            shown = []
        contacts = [{"id": c.pk, "full_name": c.full_name, "email": c.email} for c in shown]
        return Response({"count": count, "contacts": contacts}, status=status.HTTP_200_OK)
