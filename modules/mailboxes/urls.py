from django.urls import path

from modules.mailboxes import views

app_name = "mailboxes"

urlpatterns = [
    path("", views.mailbox_list, name="list"),
    path("connect/", views.mailbox_connect, name="connect"),
    path("<int:pk>/", views.mailbox_edit, name="edit"),
    path("<int:pk>/pause/", views.mailbox_pause, name="pause"),
    path("<int:pk>/resume/", views.mailbox_resume, name="resume"),
    path("<int:pk>/sync/", views.mailbox_sync, name="sync"),
    path("<int:pk>/disconnect/", views.mailbox_disconnect, name="disconnect"),
]
