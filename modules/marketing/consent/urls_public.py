"""The public consent links (mounted at ``/m/`` on the workspace's host)."""

from django.urls import path

from modules.marketing.consent.views import public

app_name = "marketing-consent-public"

urlpatterns = [
    path("u/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("u/<str:token>/preferences/", public.save_preferences, name="preferences"),
    path("confirm/<str:token>/", public.confirm, name="confirm"),
]
