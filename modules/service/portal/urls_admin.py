from django.urls import path

from modules.service.portal.views import admin

app_name = "portal-users"

urlpatterns = [
    path("", admin.user_list, name="list"),
    path("invite/", admin.user_invite, name="invite"),
    path("<int:pk>/", admin.user_change, name="change"),
]
