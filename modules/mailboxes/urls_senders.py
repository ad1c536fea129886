from django.urls import path

from modules.mailboxes import views_senders

app_name = "mail-senders"

urlpatterns = [
    path("", views_senders.sender_list, name="list"),
    path("make/<str:kind>/", views_senders.sender_make, name="make"),
]
