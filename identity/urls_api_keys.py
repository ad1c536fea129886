from django.urls import URLPattern, URLResolver, path

from identity.views import api_keys as views

app_name = "api-keys"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.key_list, name="list"),
    path("<int:pk>/revoke/", views.key_revoke, name="revoke"),
]
