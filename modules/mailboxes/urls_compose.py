from django.urls import path

from modules.mailboxes import views_compose, views_logged

app_name = "mail-compose"

urlpatterns = [
    path("quote/<int:pk>/", views_compose.compose_quote, name="quote"),  # before the record pattern
    path("<str:entity>/<int:pk>/", views_compose.compose_view, name="compose"),
    path("<str:entity>/<int:pk>/log-files/", views_logged.log_files_view, name="log-files"),
]
