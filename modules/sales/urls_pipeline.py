from django.urls import path

from modules.sales import views

urlpatterns = [
    path("sales/lead-list/", views.placeholder, name="lead-list"),
    path("sales/deal-list/", views.placeholder, name="deal-list"),
    path("sales/board/", views.placeholder, name="board"),
]
