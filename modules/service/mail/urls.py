from django.urls import path

from modules.service.mail import views

app_name = "service-mail-admin"

urlpatterns = [
    path("", views.address_list, name="list"),
    path("new/", views.address_create, name="create"),
    path("<int:pk>/", views.address_detail, name="detail"),
    path("<int:pk>/edit/", views.address_edit, name="edit"),
    path("<int:pk>/webhook-url/", views.address_webhook_url, name="webhook-url"),
    path("<int:pk>/rotate/", views.address_rotate, name="rotate"),
    path("<int:pk>/check/", views.address_poll, name="poll"),
    path("<int:pk>/delete/", views.address_delete, name="delete"),
]
