"""Console URLs at /console/mailbox/: the mail the platform sent, as the local mail sink kept it."""

from django.urls import path

from crm_platform.console.views import mailbox

urlpatterns = [
    path("", mailbox.mailbox, name="mailbox"),
    path("<str:key>/", mailbox.message, name="mailbox-message"),
    path("<str:key>/raw/", mailbox.raw, name="mailbox-raw"),
    path("<str:key>/attachments/<int:index>/", mailbox.attachment, name="mailbox-attachment"),
]
