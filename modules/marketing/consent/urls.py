"""Consent and subscriptions' staff pages (mounted at ``/marketing/consent/``)."""

from django.urls import path

from modules.marketing.consent.views import staff_contact, staff_suppressions, staff_topics

app_name = "marketing-consent"

urlpatterns = [
    path("topics/", staff_topics.topic_list, name="topics"),
    path("topics/<int:pk>/", staff_topics.topic_edit, name="topic-edit"),
    path("topics/<int:pk>/delete/", staff_topics.topic_delete, name="topic-delete"),
    path("suppressions/", staff_suppressions.suppression_list, name="suppressions"),
    path("suppressions/add/", staff_suppressions.suppression_add, name="suppression-add"),
    path("suppressions/remove/", staff_suppressions.suppression_remove, name="suppression-remove"),
    path("suppressions/import/", staff_suppressions.suppression_import, name="suppression-import"),
    path("suppressions/export/", staff_suppressions.suppression_export, name="suppression-export"),
    # The card on the contact's page (``modules.contacts.record_cards``), reversed with (subject, pk).
    path("card/<str:subject>/<int:pk>/", staff_contact.contact_panel, name="contact-panel"),
    path("contacts/<int:pk>/record/", staff_contact.contact_record, name="contact-record"),
    path("contacts/<int:pk>/history.csv", staff_contact.contact_history_export, name="contact-history"),
]
