from django.urls import URLPattern, URLResolver, path

from api.auth import views

app_name = "oauth-apps"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.application_list, name="list"),
    path("<int:pk>/rotate-secret/", views.application_rotate, name="rotate"),
    path("<int:pk>/delete/", views.application_delete, name="delete"),
]
