from django.urls import path

from modules.service.mail import webhook
from modules.service.mail.amazon_ses import AmazonSesInbound
from modules.service.mail.inbound_providers import PROVIDERS

app_name = "service-mail-inbound"

urlpatterns = [
    path("<str:token>/", webhook.RawInboundView.as_view(), name="raw"),
    path("<str:token>/amazon-ses/", AmazonSesInbound.as_view(), name="amazon-ses"),
    *(path(f"<str:token>/{slug}/", view.as_view(), name=slug) for slug, view in PROVIDERS.items()),
]
