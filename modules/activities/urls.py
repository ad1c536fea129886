from django.urls import path

from modules.activities import views

app_name = "activities"

urlpatterns = [
    path("activities/activity-list/", views.placeholder, name="activity-list"),
    path("activities/calendar/", views.placeholder, name="calendar"),
]
