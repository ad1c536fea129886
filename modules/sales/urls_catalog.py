from django.urls import path

from modules.sales import views

urlpatterns = [
    path("sales/quote-list/", views.placeholder, name="quote-list"),
    path("sales/forecast/", views.placeholder, name="forecast"),
]
