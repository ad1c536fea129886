"""Give existing roles the permissions added with the integrator platform: administrators all
three, managers import and export (new tenants get them from the role definitions)."""

from django.db import migrations

GRANTS = {
    "admin": ["settings.manage_integrations", "data.import", "data.export"],
    "manager": ["data.import", "data.export"],
}


def grant(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    for key, codes in GRANTS.items():
        for role in Role.objects.filter(key=key):
            missing = [code for code in codes if code not in role.permissions]
            if missing:
                role.permissions = [*role.permissions, *missing]
                role.save(update_fields=["permissions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    for key, codes in GRANTS.items():
        for role in Role.objects.filter(key=key):
            role.permissions = [code for code in role.permissions if code not in codes]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("identity", "0002_customization_permissions")]

    operations = [migrations.RunPython(grant, revoke)]
