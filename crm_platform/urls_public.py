"""URLs of the public host (BASE_DOMAIN): the public site and signup, Stripe's webhooks, the console."""

from django.urls import include, path

from crm_platform import pwa

urlpatterns = [
    path("favicon.ico", pwa.favicon),
    path("", include("crm_platform.signup.urls")),
    path("billing/stripe/webhook/", include("billing.webhooks.urls")),
    path("console/", include("crm_platform.console.urls")),
    path("oauth/", include("modules.oauth_accounts.urls_public")),
]

handler400 = "crm_platform.errors.bad_request"
handler404 = "crm_platform.errors.not_found"
handler403 = "crm_platform.errors.forbidden"
handler500 = "crm_platform.errors.server_error"
