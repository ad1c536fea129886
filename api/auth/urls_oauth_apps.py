from django.urls import URLPattern, URLResolver

app_name = "oauth-apps"

urlpatterns: list[URLPattern | URLResolver] = []
