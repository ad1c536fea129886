from django.urls import path

from modules.service.contact_centre.views import staff

app_name = "contact-centre"

urlpatterns = [
    path("settings/", staff.settings_page, name="settings"),
    path("settings/agent-phone/", staff.agent_phone, name="agent-phone"),
    path("settings/csat/", staff.csat_settings, name="csat-settings"),
    path("dial/", staff.dial, name="dial"),
    path("calls/<int:pk>/", staff.call_detail, name="call-detail"),
    path("contacts/<int:pk>/sms-consent/", staff.sms_consent, name="sms-consent"),
]
