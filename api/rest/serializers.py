from rest_framework import serializers

from identity.models import Team, User


class TeamSerializer(serializers.ModelSerializer[Team]):
    class Meta:
        model = Team
        fields = ["id", "name"]


class UserSerializer(serializers.ModelSerializer[User]):
    role = serializers.SlugRelatedField(slug_field="key", read_only=True)
    teams = TeamSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "teams", "is_active", "locale", "time_zone", "date_joined"]
        read_only_fields = fields


class MeSerializer(UserSerializer):
    permissions = serializers.SerializerMethodField()
    record_visibility = serializers.CharField(read_only=True)
    tenant = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "permissions", "record_visibility", "tenant"]
        read_only_fields = fields

    def get_permissions(self, user: User) -> list[str]:
        return sorted(user.permission_codes)

    def get_tenant(self, user: User) -> dict[str, str]:
        tenant = self.context["request"].tenant
        return {"name": tenant.name, "slug": tenant.slug, "locale": tenant.locale, "currency": tenant.currency,
                "time_zone": tenant.time_zone, "status": tenant.status}
