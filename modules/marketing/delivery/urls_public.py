"""Public tracking and provider webhook URLs (tenant host, no sign-in): the token or the
provider's credentials are the authorisation."""

from django.urls import path

from modules.marketing.delivery import webhooks
from modules.marketing.delivery.views import tracking

app_name = "marketing-tracking"

urlpatterns = [
    path("m/o/<str:token>/", tracking.open_pixel, name="open"),
    path("m/c/<str:token>/", tracking.click, name="click"),
    *(path(f"marketing/webhooks/{slug}/", view.as_view(), name=slug) for slug, _name, view in webhooks.PROVIDERS),
]
