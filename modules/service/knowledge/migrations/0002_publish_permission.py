"""Give existing administrator and manager roles the permission to publish articles (new tenants
get it from the role definitions, which hand every module permission to both)."""

from django.db import migrations

CODE = "service.publish_articles"


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
    dependencies = [
        ("service_knowledge", "0001_initial"),
        ("identity", "0006_analytics_run_workflows"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
