from django.urls import path

from modules.analytics.views import index

app_name = "analytics"

urlpatterns = [
    path("", index.index, name="index"),
]
