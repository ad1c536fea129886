from django.urls import path

from modules.activities.calendar_sync import views

app_name = "calendar-sync"

urlpatterns = [
    path("", views.connection, name="connection"),
    path("test/", views.connection_test, name="test"),
    path("sync/", views.connection_sync, name="sync"),
    path("disconnect/", views.connection_disconnect, name="disconnect"),
]
