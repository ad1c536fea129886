"""The telephony provider's callbacks (signed by the provider, no session)."""

from django.urls import path

from modules.service.contact_centre.views import hooks

app_name = "contact-centre-hooks"

urlpatterns = [
    path("voice/inbound/", hooks.voice_inbound, name="voice-inbound"),
    path("voice/status/", hooks.voice_status, name="voice-status"),
    path("voice/answered/<int:agent>/", hooks.voice_answered, name="voice-answered"),
    path("sms/status/", hooks.sms_status, name="sms-status"),
]
