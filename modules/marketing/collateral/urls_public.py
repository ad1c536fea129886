"""The share link's public download: the segment after ``collateral/shared/`` is a signed token."""

from django.urls import path

from modules.marketing.collateral import views_public

app_name = "marketing-collateral-public"

urlpatterns = [path("<str:token>/", views_public.shared_download, name="download")]
