from django.urls import path

from modules.oauth_accounts import views

app_name = "oauth_accounts"

urlpatterns = [
    path("callback/", views.callback, name="callback"),
    path("<slug:provider>/connect/", views.connect, name="connect"),
]
