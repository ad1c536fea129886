from django.urls import path

from modules.marketing.delivery.views import pages

app_name = "marketing-delivery"

urlpatterns = [
    path("emails/<int:pk>/", pages.email_page, name="email"),
    path("emails/<int:pk>/send/", pages.send_now, name="send"),
    path("emails/<int:pk>/schedule/", pages.schedule, name="schedule"),
    path("emails/<int:pk>/cancel/", pages.cancel, name="cancel"),
    path("emails/<int:pk>/send-unconfirmed/", pages.send_unconfirmed, name="send-unconfirmed"),
    path("emails/<int:pk>/recipients/views/", pages.recipient_view_save, name="recipient-view-save"),
    path(
        "emails/<int:pk>/recipients/views/<int:view_pk>/delete/",
        pages.recipient_view_delete,
        name="recipient-view-delete",
    ),
    path("settings/", pages.delivery_settings, name="settings"),
]
