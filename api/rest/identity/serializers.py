"""REST representations of the identity app: users, their teams, and the signed-in user."""

from typing import Any

from rest_framework import serializers

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


class MeSerializer(UserSerializer):
    """The signed-in user with their permission codes and the tenant they are signed in to."""

    permissions = serializers.SerializerMethodField()
    record_visibility = serializers.CharField(read_only=True)
    tenant = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "permissions", "record_visibility", "tenant"]
        read_only_fields = fields

    def get_permissions(self, user: User) -> list[str]:
        return sorted(user.permission_codes)

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

    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)
    email = serializers.CharField(required=False, allow_blank=True, default="")
