from django.urls import path

from modules.oauth_accounts import views, views_accounts

app_name = "oauth_accounts"

urlpatterns = [
    path("", views_accounts.account_list, name="list"),
    path("callback/", views.callback, name="callback"),
    path("<slug:provider>/connect/", views.connect, name="connect"),
]
