"""Public URLs of e-mail (no sign-in; each carries its own signed or secret token): the logging
address's inbound webhook and the tracking of composed mail."""

from django.urls import path

from modules.mailboxes import views_mail_settings, views_tracking

app_name = "mail-public"

urlpatterns = [
    path("log/<str:token>/", views_mail_settings.logging_inbound, name="logging-inbound"),
    path("o/<str:token>/", views_tracking.open_pixel, name="open"),
    path("c/<str:token>/", views_tracking.click, name="click"),
]
