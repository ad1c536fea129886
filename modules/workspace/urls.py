from django.urls import path

from modules.workspace import views

app_name = "workspace"

urlpatterns = [
    path("", views.workspace_settings, name="settings"),
    path("logo/", views.logo, name="logo"),
    path("logo/upload/", views.logo_upload, name="logo-upload"),
    path("logo/remove/", views.logo_remove, name="logo-remove"),
]
