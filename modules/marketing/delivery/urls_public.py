"""Public tracking and provider webhook URLs (tenant host, no sign-in): the token or the
provider's credentials are the authorisation."""

from django.urls import path

from modules.marketing.delivery import webhooks
from modules.marketing.delivery.views import tracking

app_name = "marketing-tracking"

urlpatterns = [
    path("m/o/<str:token>/", tracking.open_pixel, name="open"),
    path("m/c/<str:token>/", tracking.click, name="click"),
    path("marketing/webhooks/postmark/", webhooks.PostmarkTracking.as_view(), name="postmark"),
    path("marketing/webhooks/mailgun/", webhooks.MailgunTracking.as_view(), name="mailgun"),
]
