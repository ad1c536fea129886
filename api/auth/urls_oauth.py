from django.urls import URLPattern, URLResolver

app_name = "oauth2_provider"

urlpatterns: list[URLPattern | URLResolver] = []
