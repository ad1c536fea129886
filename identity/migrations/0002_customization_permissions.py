"""Give existing administrator roles the customization permissions added with custom fields,
pipelines admin and workflows (new tenants get them from the role definitions)."""

from django.db import migrations

NEW_CODES = ["settings.manage_fields", "settings.manage_pipelines", "settings.manage_workflows"]


def grant(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.filter(key="admin"):
        missing = [code for code in NEW_CODES if code not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.filter(key="admin"):
        role.permissions = [code for code in role.permissions if code not in NEW_CODES]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("identity", "0001_initial")]

    operations = [migrations.RunPython(grant, revoke)]
