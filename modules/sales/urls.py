from django.urls import path

from modules.sales import views

app_name = "sales"

urlpatterns = [
    path("sales/lead-list/", views.placeholder, name="lead-list"),
    path("sales/deal-list/", views.placeholder, name="deal-list"),
    path("sales/board/", views.placeholder, name="board"),
    path("sales/quote-list/", views.placeholder, name="quote-list"),
    path("sales/forecast/", views.placeholder, name="forecast"),
]
