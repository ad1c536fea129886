from django.urls import path

from modules.oauth_accounts import relay

app_name = "oauth_relay"

urlpatterns = [
    path("callback/", relay.relay_callback, name="callback"),
]
