"""URLs of a tenant host (<slug>.BASE_DOMAIN)."""

from django.urls import include, path, re_path

from crm_platform import pwa, views
from modules.home import views as home_views

shell_patterns = ([path("", home_views.home, name="home")], "shell")

urlpatterns = [
    path("", include(shell_patterns)),
    path("manifest.webmanifest", pwa.manifest, name="pwa-manifest"),
    path("sw.js", pwa.service_worker, name="pwa-service-worker"),
    path("offline/", pwa.offline, name="pwa-offline"),
    path("favicon.ico", pwa.favicon),
    path("", include("identity.urls")),
    path("settings/workspace/", include("modules.workspace.urls")),
    path("settings/exchange-rates/", include("modules.contacts.urls_settings")),
    path("settings/fields/", include("customization.fields.urls")),
    path("settings/pipelines/", include("modules.sales.urls_pipeline_admin")),
    path("settings/service/sla/", include("modules.service.sla.urls_admin")),
    path("settings/workflows/", include("customization.workflows.urls")),
    path("settings/service/", include("modules.service.desk.urls_admin")),
    path("settings/api-keys/", include("identity.urls_api_keys")),
    path("settings/oauth-apps/", include("api.auth.urls_oauth_apps")),
    path("settings/webhooks/", include("api.webhooks.urls")),
    path("settings/billing/", include("billing.urls_tenant")),
    path("settings/support-addresses/", include("modules.service.mail.urls")),
    path("settings/calendar-sync/", include("modules.activities.calendar_sync.urls")),
    path("settings/mailboxes/", include("modules.mailboxes.urls")),
    path("settings/connected-accounts/", include("modules.oauth_accounts.urls")),
    path("settings/marketing/email/", include("modules.marketing.email.urls_admin")),
    path("marketing/emails/", include("modules.marketing.email.urls")),
    path("service/mail/inbound/", include("modules.service.mail.urls_inbound")),
    path("mail/compose/", include("modules.mailboxes.urls_compose")),
    path("mail/threads/", include("modules.mailboxes.urls_threads")),
    path("mail/senders/", include("modules.mailboxes.urls_senders")),
    path("mail/p/", include("modules.mailboxes.urls_mail_public")),
    path("settings/email/", include("modules.mailboxes.urls_mail_settings")),
    path("settings/", include("identity.urls_settings")),
    path("o/", include("api.auth.urls_oauth")),
    path("imports/", include("modules.dataio.imports.urls")),
    path("exports/", include("modules.dataio.exports.urls")),
    path("", include("modules.home.urls")),
    path("", include("modules.contacts.urls")),
    path("", include("modules.activities.urls")),
    path("", include("modules.sales.urls")),
    path("quote/", include("modules.sales.urls_public")),
    path("", include("modules.service.urls")),
    path("contact-centre/", include("modules.service.contact_centre.urls")),
    path("hooks/telephony/", include("modules.service.contact_centre.urls_hooks")),
    path("csat/", include("modules.service.contact_centre.urls_public")),
    path("m/", include("modules.marketing.consent.urls_public")),
    path("marketing/surveys/", include("modules.marketing.surveys.urls")),
    path("s/", include("modules.marketing.surveys.urls_public")),
    path("marketing/consent/", include("modules.marketing.consent.urls")),
    path("portal/", include("modules.service.portal.urls")),
    path("f/", include("modules.marketing.webforms.urls_public")),
    path("marketing/forms/", include("modules.marketing.webforms.urls")),
    path("settings/portal-users/", include("modules.service.portal.urls_admin")),
    path("settings/privacy/", include("modules.privacy.urls")),
    path("", include("modules.collaboration.urls")),
    path("service/sla/", include("modules.service.sla.urls")),
    path("analytics/", include("modules.analytics.urls")),
    path("marketing/scoring/", include("modules.marketing.scoring.urls")),
    path("marketing/collateral/", include("modules.marketing.collateral.urls")),
    path("collateral/shared/", include("modules.marketing.collateral.urls_public")),
    path("marketing/", include("modules.marketing.urls")),
    path("service/knowledge/", include("modules.service.knowledge.urls")),
    path("service/desk/", include("modules.service.desk.urls")),
    path("marketing/delivery/", include("modules.marketing.delivery.urls")),
    path("", include("modules.marketing.delivery.urls_public")),
    path("marketing/segments/", include("modules.marketing.segments.urls")),
    path("api/v1/", include("api.rest.urls")),
    path("graphql/", include("api.graphql.urls")),
    re_path(r"^api/(?P<route>.*)$", views.api_not_found),
]

handler400 = "crm_platform.errors.bad_request"
handler404 = "crm_platform.errors.not_found"
handler403 = "crm_platform.errors.forbidden"
handler500 = "crm_platform.errors.server_error"
