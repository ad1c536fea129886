"""URLs of the public host (BASE_DOMAIN): the public site; later signup, billing webhooks, console."""

from django.urls import path

from crm_platform import views

urlpatterns = [
    path("", views.public_home, name="public-home"),
]
