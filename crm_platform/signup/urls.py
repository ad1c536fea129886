from django.urls import path

from crm_platform import views

urlpatterns = [
    path("", views.public_home, name="public-home"),
]
