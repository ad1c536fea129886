from django.urls import path

from modules.marketing.delivery.views import pages

app_name = "marketing-delivery"

urlpatterns = [
    path("emails/<int:pk>/", pages.email_page, name="email"),
    path("emails/<int:pk>/send/", pages.send_now, name="send"),
    path("emails/<int:pk>/schedule/", pages.schedule, name="schedule"),
    path("emails/<int:pk>/cancel/", pages.cancel, name="cancel"),
    path("settings/", pages.delivery_settings, name="settings"),
]
