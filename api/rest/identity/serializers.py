"""REST representations of the identity app: users, their teams, and the signed-in user."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.auth.credentials import code_allowed, credential_of
from identity.models import Role, Team, User


class TeamSerializer(serializers.ModelSerializer[Team]):
    class Meta:
        model = Team
        fields = ["id", "name"]


class UserSerializer(serializers.ModelSerializer[User]):
    role: serializers.SlugRelatedField[Role] = serializers.SlugRelatedField(slug_field="key", read_only=True)
    teams = TeamSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "teams", "is_active", "locale", "time_zone", "date_joined"]
        read_only_fields = fields


class CredentialSerializer(serializers.Serializer[Any]):
    """How the request authenticated: ``session``, ``api_key`` or ``oauth2``, and the scopes that
    narrow it (null for a session, which may do everything the role allows)."""

    kind = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField(), allow_null=True)


class MeSerializer(UserSerializer):
    """The signed-in user with what this request may do, and the tenant they are signed in to.

    ``permissions`` are the role's codes that this credential's scopes allow: a key scoped to
    ``contacts:read`` reports ``contacts.view`` and no settings permissions."""

    permissions = serializers.SerializerMethodField()
    record_visibility = serializers.CharField(read_only=True)
    tenant = serializers.SerializerMethodField()
    credential = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "permissions", "record_visibility", "tenant", "credential"]
        read_only_fields = fields

    def get_permissions(self, user: User) -> list[str]:
        credential = credential_of(self.context["request"])
        return sorted(code for code in user.permission_codes if code_allowed(credential, code))

    @extend_schema_field(CredentialSerializer)
    def get_credential(self, user: User) -> dict[str, Any] | None:
        credential = credential_of(self.context["request"])
        if credential is None:
            return None
        scopes = None if credential.scopes is None else sorted(credential.scopes)
        return {"kind": str(credential.kind), "scopes": scopes}

    def get_tenant(self, user: User) -> dict[str, Any]:
        tenant = self.context["request"].tenant
        return {
            "name": tenant.name,
            "slug": tenant.slug,
            "status": tenant.status,
            "read_only": tenant.is_read_only,
            "locale": tenant.locale,
            "currency": tenant.currency,
            "time_zone": tenant.time_zone,
        }


class UserFilterSerializer(serializers.Serializer[Any]):
    """The query parameters of the users list; a malformed one is a 400, not an ignored filter."""

    is_active = serializers.BooleanField(required=False)
    email = serializers.CharField(required=False)
