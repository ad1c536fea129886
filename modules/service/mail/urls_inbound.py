from django.urls import path

from modules.service.mail import webhook

app_name = "service-mail-inbound"

urlpatterns = [
    path("<str:token>/", webhook.RawInboundView.as_view(), name="raw"),
    path("<str:token>/postmark/", webhook.PostmarkInboundView.as_view(), name="postmark"),
]
