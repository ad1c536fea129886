from django.urls import path

from modules.mailboxes import views_compose

app_name = "mail-compose"

urlpatterns = [
    path("<str:entity>/<int:pk>/", views_compose.compose_view, name="compose"),
]
