"""Readable names for the audit log's action codes, grouped in kinds the log filters by.

Entries store a stable code (``role.updated``) and a summary written when it happened; the page
shows the code's label in the reader's language. A code without a label (one added later, or
written by an older release) shows as itself."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

KINDS: dict[str, Promise] = {
    "user": _("Users"),
    "invitation": _("Invitations"),
    "role": _("Roles"),
    "team": _("Teams"),
    "api_key": _("API keys"),
    "oauth_app": _("OAuth applications"),
    "webhook": _("Webhooks"),
    "support_address": _("Support addresses"),
    "custom_field": _("Custom fields"),
    "pipeline": _("Pipelines"),
    "stage": _("Pipelines"),
    "workflow": _("Workflows"),
    "import": _("Imports"),
    "export": _("Exports"),
    "record": _("Deletions"),
    "impersonation": _("Support access"),
    "billing": _("Billing"),
    "tenant": _("Workspace"),
    "portal": _("Customer portal"),
    "sla": _("SLAs"),
}

LABELS: dict[str, Promise] = {
    "user.joined": _("User joined"),
    "user.role_changed": _("User's role changed"),
    "user.deactivated": _("User deactivated"),
    "user.reactivated": _("User reactivated"),
    "user.password_changed": _("Password changed"),
    "user.email_changed": _("Sign-in e-mail changed"),
    "user.two_factor_on": _("Two-factor authentication on"),
    "user.two_factor_off": _("Two-factor authentication off"),
    "invitation.sent": _("Invitation sent"),
    "invitation.withdrawn": _("Invitation withdrawn"),
    "role.updated": _("Role changed"),
    "team.members_changed": _("Team members changed"),
    "team.created": _("Team created"),
    "team.deleted": _("Team deleted"),
    "api_key.created": _("API key created"),
    "api_key.revoked": _("API key revoked"),
    "oauth_app.registered": _("OAuth application registered"),
    "oauth_app.secret_rotated": _("OAuth client secret replaced"),
    "oauth_app.deleted": _("OAuth application deleted"),
    "webhook.created": _("Webhook created"),
    "webhook.updated": _("Webhook changed"),
    "webhook.deleted": _("Webhook deleted"),
    "webhook.enabled": _("Webhook enabled"),
    "webhook.disabled": _("Webhook disabled"),
    "webhook.secret_rotated": _("Webhook secret replaced"),
    "support_address.created": _("Support address added"),
    "support_address.updated": _("Support address changed"),
    "support_address.deleted": _("Support address removed"),
    "support_address.token_rotated": _("Support address webhook URL replaced"),
    "custom_field.created": _("Custom field created"),
    "custom_field.updated": _("Custom field changed"),
    "custom_field.archived": _("Custom field archived"),
    "custom_field.restored": _("Custom field restored"),
    "custom_field.deleted": _("Custom field deleted"),
    "pipeline.created": _("Pipeline created"),
    "pipeline.renamed": _("Pipeline renamed"),
    "pipeline.default_set": _("Default pipeline changed"),
    "pipeline.archived": _("Pipeline archived"),
    "pipeline.unarchived": _("Pipeline brought back"),
    "stage.added": _("Stage added"),
    "stage.deleted": _("Stage deleted"),
    "workflow.created": _("Workflow created"),
    "workflow.updated": _("Workflow changed"),
    "workflow.activated": _("Workflow switched on"),
    "workflow.deactivated": _("Workflow switched off"),
    "workflow.deleted": _("Workflow deleted"),
    "workflow.started_on_selection": _("Workflow started on a selection"),
    "import.started": _("Import started"),
    "import.undone": _("Import undone"),
    "export.list": _("List exported"),
    "export.workspace": _("Workspace exported"),
    "export.warehouse": _("Warehouse export started"),
    "record.deleted": _("Records deleted"),
    "impersonation.started": _("Support signed in"),
    "impersonation.ended": _("Support signed out"),
    "portal.user_invited": _("Invited to the customer portal"),
    "portal.user_changed": _("Portal access changed"),
    "portal.signed_in": _("Customer signed in to the portal"),
    "portal.sign_in_failed": _("Failed portal sign-in"),
    "portal.link_sent": _("Portal sign-in link sent"),
    "portal.signed_out": _("Customer signed out of the portal"),
    "portal.password_set": _("Portal password set"),
    "portal.case_opened": _("Case opened in the portal"),
    "portal.replied": _("Reply in the portal"),
    "portal.quote_answered": _("Quote answered in the portal"),
    "portal.article_rated": _("Help article rated in the portal"),
    "sla.policy_created": _("SLA policy created"),
    "sla.policy_changed": _("SLA policy changed"),
    "sla.policy_deleted": _("SLA policy deleted"),
    "sla.calendar_created": _("Business calendar created"),
    "sla.calendar_changed": _("Business calendar changed"),
    "sla.calendar_deleted": _("Business calendar deleted"),
}


def kind_of(action: str) -> str:
    return action.split(".", 1)[0]


def action_label(action: str) -> str:
    label = LABELS.get(action)
    return str(label) if label is not None else action


def kind_choices() -> list[tuple[str, str]]:
    """(kind, label) for the filter, one entry per label (stages are filtered with pipelines)."""
    seen: dict[str, str] = {}
    for kind, label in KINDS.items():
        seen.setdefault(str(label), kind)
    return sorted(((kind, label) for label, kind in seen.items()), key=lambda choice: choice[1])


def kinds_sharing(kind: str) -> list[str]:
    """The action prefixes filtered together with ``kind`` (pipelines and their stages)."""
    label = KINDS.get(kind)
    return [other for other, other_label in KINDS.items() if other_label == label] if label is not None else []
