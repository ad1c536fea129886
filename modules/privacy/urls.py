from django.urls import path

from modules.privacy import views

app_name = "privacy"

urlpatterns = [path("retention/", views.retention_settings, name="retention")]
