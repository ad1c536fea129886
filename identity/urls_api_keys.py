from django.urls import URLPattern, URLResolver

app_name = "api-keys"

urlpatterns: list[URLPattern | URLResolver] = []
