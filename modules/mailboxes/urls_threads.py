from django.urls import path

from modules.mailboxes import views_threads

app_name = "mail-threads"

urlpatterns = [
    path("<int:pk>/", views_threads.thread_detail, name="detail"),
    path("attachments/<int:pk>/", views_threads.attachment_download, name="attachment"),
]
