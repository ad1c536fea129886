"""Give existing administrator and manager roles the permission to start workflows on an
analysis's records (new tenants get it from the role definitions, which hand every module
permission to both)."""

from django.db import migrations

CODE = "analytics.run_workflows"


def grant(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.filter(key__in=("admin", "manager")):
        if CODE not in role.permissions:
            role.permissions = [*role.permissions, CODE]
            role.save(update_fields=["permissions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.filter(key__in=("admin", "manager")):
        role.permissions = [code for code in role.permissions if code != CODE]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("identity", "0005_auditentry")]

    operations = [migrations.RunPython(grant, revoke)]
