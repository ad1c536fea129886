"""Admin and security actions write the tenant's audit log at the service level, naming who acted
(the signed-in user, support acting as them, or the system) in readable words."""

from __future__ import annotations

import pytest

from api.auth.oauth_apps import delete_application, register_application
from api.webhooks.services.endpoints import create_endpoint, delete_endpoint, rotate_secret
from customization.fields.services import archive_definition, create_definition, purge_definition
from customization.workflows.services import create_rule, delete_rule, set_rule_active
from identity.models import AuditEntry, Role
from identity.services.accounts import update_user
from identity.services.api_keys import create_api_key, revoke_api_key
from identity.services.invitations import invite_user, revoke_invitation
from identity.services.login_handoff import Handoff, issue_handoff
from identity.services.roles import update_role
from modules.contacts.models import Contact
from modules.contacts.services.bulk import delete_records
from modules.contacts.services.contacts import delete_contact
from modules.dataio.exports.services import start_list_export, start_tenant_export
from modules.sales.models import Pipeline
from modules.sales.services.pipeline_admin import archive_pipeline, create_pipeline, delete_stage
from tests.customization.workflows.ui.conftest import follow_up_definition
from tests.factories import ContactFactory
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture, handoff_path, impersonating_client


def _entries(action_prefix: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action__startswith=action_prefix).order_by("id"))


def _actions(action_prefix: str) -> list[str]:
    return [entry.action for entry in _entries(action_prefix)]


def test_roles_users_and_invitations_are_audited(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        manager = Role.objects.get(key="manager")
        update_role(
            rep.role,
            name=rep.role.name,
            permissions=[*rep.role.permissions, "data.export"],
            record_visibility=rep.role.record_visibility,
            by=admin,
        )
        update_user(rep, by=admin, full_name=rep.full_name, role=manager, teams=list(rep.teams.all()), is_active=False)
        invitation, _token = invite_user(
            email="new.hire@example.test", role=manager, teams=[], invited_by=admin, accept_url_base="http://x/"
        )
        revoke_invitation(invitation)

        assert _actions("role.") == ["role.updated"]
        assert "added data.export" in _entries("role.")[0].summary
        assert _actions("user.") == ["user.role_changed", "user.deactivated"]
        assert _actions("invitation.") == ["invitation.sent", "invitation.withdrawn"]
        assert {entry.actor for entry in _entries("user.")} == {ADMIN_EMAIL}
        # a task outside any request names the system
        assert _entries("invitation.withdrawn")[0].actor_kind == AuditEntry.ActorKind.SYSTEM


def test_credentials_and_integrations_are_audited(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        api_key, _secret = create_api_key(user=admin, name="Sync", scopes=["contacts:read"])
        revoke_api_key(api_key, by=admin)
        application, _secret = register_application(
            name="Partner",
            client_type="confidential",
            grant_type="client-credentials",
            redirect_uris=[],
            scopes=["contacts:read"],
            by=admin,
        )
        delete_application(application)
        endpoint = create_endpoint(url="http://127.0.0.1:9/hook", by=admin)
        rotate_secret(endpoint)
        delete_endpoint(endpoint)

        assert _actions("api_key.") == ["api_key.created", "api_key.revoked"]
        assert api_key.key_id in _entries("api_key.")[0].summary
        assert _actions("oauth_app.") == ["oauth_app.registered", "oauth_app.deleted"]
        assert _actions("webhook.") == ["webhook.created", "webhook.secret_rotated", "webhook.deleted"]
        assert _entries("webhook.created")[0].actor == ADMIN_EMAIL


def test_customization_is_audited(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        definition = create_definition(
            by=admin, entity="contact", key="shoe_size", label="Shoe size", field_type="text"
        )
        archive_definition(definition, by=admin)
        purge_definition(definition, by=admin)
        pipeline = create_pipeline(name="Renewals")
        target = Pipeline.objects.exclude(pk=pipeline.pk).get(is_default=True).stages.filter(kind="open").first()
        won = pipeline.stages.get(kind="won")
        delete_stage(pipeline.stages.get(kind="lost"), by=admin)
        archive_pipeline(pipeline, target_stage=target, by=admin)
        rule = create_rule(by=admin, **follow_up_definition())
        set_rule_active(rule, True, by=admin)
        delete_rule(rule, by=admin)

        assert _actions("custom_field.") == ["custom_field.created", "custom_field.archived", "custom_field.deleted"]
        assert _actions("pipeline.") == ["pipeline.created", "pipeline.archived"]
        assert _actions("stage.") == ["stage.deleted"]
        assert "0 deals moved" in _entries("stage.")[0].summary
        assert "0 open deals moved" in _entries("pipeline.archived")[0].summary
        assert won.pipeline_id == pipeline.pk
        assert _actions("workflow.") == ["workflow.created", "workflow.activated", "workflow.deleted"]


def test_exports_and_deletions_are_audited(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        start_list_export(user=admin, entity="contact", file_format="csv", query="q=x")
        start_tenant_export(user=admin)
        one = ContactFactory(first_name="Single", last_name="Deleted", owner=admin)
        many = [ContactFactory(first_name=f"Bulk{n}", last_name="Deleted", owner=admin) for n in range(3)]
        delete_contact(one, by=admin)
        delete_records(Contact, [contact.pk for contact in many], by=admin, name_field="full_name")

        assert _actions("export.") == ["export.list", "export.workspace"]
        deletions = _entries("record.deleted")
        assert [entry.summary for entry in deletions] == [
            "1 contact deleted: Single Deleted.",
            "3 contacts deleted: Bulk0 Deleted, Bulk1 Deleted, Bulk2 Deleted.",
        ]
        assert deletions[1].details["count"] == 3


def test_a_page_request_names_its_user_and_address(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(first_name="Paged", last_name="Away", owner=alpha.user())

    response = alpha.client().post(
        "/contacts/bulk/", {"action": "delete", "ids": [contact.pk]}, REMOTE_ADDR="203.0.113.7"
    )

    assert response.status_code == 302
    with alpha.active():
        entry = AuditEntry.objects.get(action="record.deleted")
    assert (entry.actor, entry.actor_kind, entry.ip_address) == (ADMIN_EMAIL, "user", "203.0.113.7")


def test_support_acting_as_a_user_is_named_as_the_actor(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(first_name="Support", last_name="Deleted", owner=alpha.user())
    client = impersonating_client(alpha, ADMIN_EMAIL)

    client.post("/contacts/bulk/", {"action": "delete", "ids": [contact.pk]})

    with alpha.active():
        entry = AuditEntry.objects.get(action="record.deleted")
        started = AuditEntry.objects.get(action="impersonation.started")
    assert entry.actor_kind == AuditEntry.ActorKind.OPERATOR
    assert entry.details["as_user"] == ADMIN_EMAIL
    assert "for 15 minutes" in started.summary


@pytest.mark.parametrize(("minutes", "words"), [(1, "for 1 minute:"), (2, "for 2 minutes:")])
def test_the_impersonation_entry_says_minutes_in_plural_forms(alpha: TenantFixture, minutes: int, words: str):
    token = issue_handoff(
        Handoff(
            schema_name=alpha.tenant.schema_name,
            email=REP_EMAIL,
            impersonator="operator@relata.test",
            reason="Help",
            minutes=minutes,
        )
    )
    alpha.client(email=None).get(handoff_path(token))

    with alpha.active():
        summary = AuditEntry.objects.get(action="impersonation.started").summary
    assert words in summary


def test_turning_two_factor_on_and_off_is_audited(alpha: TenantFixture):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from identity.two_factor import turn_off, turn_on

    admin = alpha.user()
    with alpha.active():
        turn_on(TOTPDevice.objects.create(user=admin, name="Phone", confirmed=False))
        turn_off(admin)

        assert _actions("user.two_factor") == ["user.two_factor_on", "user.two_factor_off"]
        assert not TOTPDevice.objects.filter(user=admin).exists()
