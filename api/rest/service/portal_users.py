"""REST endpoints of the customer portal's users (service module), from ``api.entities.portal_users``:
``/api/v1/portal-users/``, for service admins only (``service.admin`` reads and writes them, as on
Settings → Portal users). POST ``{contact, is_company_admin}`` invites a contact you can see (the
sign-in link is e-mailed to the contact, never answered); PATCH ``is_active: false`` deactivates,
``true`` reactivates. No DELETE: a deactivated account keeps its history. Password hashes, sessions
and sign-in links are never shown."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from api.entities.portal_users import PORTAL_USER, portal_link_base
from api.entities.rest import ordering_parameter, serializer_fields
from api.rest.contacts.serializers import contact_field
from api.rest.records import RECORD_PERMISSIONS, RecordViewSet, ServiceSerializer, user_field
from modules.service.portal.models import PortalUser

ADMIN = "service.admin"
ADMIN_WRITES = {"create": "admin", "update": "admin", "partial_update": "admin", "bulk": "admin"}


class ServiceAdminsOnly(BasePermission):
    """Reading portal users needs ``service.admin`` too (with the read scope ``ModulePermission``
    checks for a read; writes check ``service.admin`` with the write scope there)."""

    message = _("Portal users are for service admins (service.admin).")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.has_perm(ADMIN))


class PortalUserSerializer(ServiceSerializer):
    entity = PORTAL_USER
    contact = contact_field()
    invited_by = user_field(read_only=True)
    has_password = serializers.BooleanField(read_only=True, help_text=PORTAL_USER.described_field(
        "has_password").description)  # type: ignore[union-attr]  # fmt: skip

    class Meta:
        model = PortalUser
        fields = serializer_fields(PORTAL_USER)
        read_only_fields = PORTAL_USER.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "is_company_admin": {"required": False},
            "is_active": {"required": False},
        }

    def create(self, validated_data: dict[str, Any]) -> Any:
        link_base = portal_link_base(self.context["request"])
        return PORTAL_USER.create(by=self._by(), link_base=link_base, **validated_data)  # type: ignore[misc]


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(PORTAL_USER)]))
class PortalUserViewSet(RecordViewSet):
    """Portal users in id order (``?is_active=``, ``?contact=<id>``, ``?email=``)."""

    entity = PORTAL_USER
    serializer_class = PortalUserSerializer
    action_permissions: ClassVar[dict[str, str]] = ADMIN_WRITES
    permission_classes = [*RECORD_PERMISSIONS, ServiceAdminsOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[PortalUser]:
        return self.base_queryset()
