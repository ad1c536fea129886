from django.urls import path

from modules.marketing.email import views_admin

app_name = "marketing-email-admin"

urlpatterns = [
    path("", views_admin.sending_settings, name="settings"),
    path("test/", views_admin.sending_test, name="test"),
    path("domains/", views_admin.domain_list, name="domains"),
    path("domains/<int:pk>/", views_admin.domain_detail, name="domain"),
    path("domains/<int:pk>/check/", views_admin.domain_check, name="domain-check"),
    path("domains/<int:pk>/delete/", views_admin.domain_delete, name="domain-delete"),
]
