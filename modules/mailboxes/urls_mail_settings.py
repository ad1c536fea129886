from django.urls import path

from modules.mailboxes import views_mail_settings

app_name = "mail-settings"

urlpatterns = [
    path("", views_mail_settings.mail_settings, name="settings"),
    path("logging/check/", views_mail_settings.logging_poll_now, name="logging-check"),
    path("logging/rotate/", views_mail_settings.logging_rotate, name="logging-rotate"),
]
