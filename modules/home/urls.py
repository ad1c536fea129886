from django.urls import path

from modules.home import views

app_name = "home"

urlpatterns = [
    path("home/onboarding/dismiss/", views.dismiss_onboarding, name="dismiss-onboarding"),
]
