from django.urls import path

from modules.marketing.email import views

app_name = "marketing-email"

urlpatterns = [
    path("", views.email_list, name="list"),
    path("new/", views.email_create, name="create"),
    path("bulk/", views.email_bulk, name="email-bulk"),
    path("views/", views.email_view_save, name="email-view-save"),
    path("views/<int:pk>/delete/", views.email_view_delete, name="email-view-delete"),
    path("preview/", views.preview, name="preview"),
    path("templates/<int:pk>/use/", views.email_from_template, name="from-template"),
    path("<int:pk>/", views.email_edit, name="edit"),
    path("<int:pk>/preview/", views.saved_preview, name="saved-preview"),
    path("<int:pk>/test/", views.email_test, name="test"),
    path("<int:pk>/save-as-template/", views.email_save_template, name="save-template"),
    path("<int:pk>/delete/", views.email_delete, name="delete"),
]
