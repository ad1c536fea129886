from django.urls import path

from modules.contacts.views import (
    inline,
    merge,
    pickers,
    privacy,
    record_forms,
    records,
    sample_data,
    search,
    timeline,
    vcard,
)

app_name = "contacts"

urlpatterns = [
    path("companies/", records.company_list, name="company-list"),
    path("companies/new/", record_forms.company_create, name="company-create"),
    path("companies/bulk/", records.company_bulk, name="company-bulk"),
    path("companies/<int:pk>/", records.company_detail, name="company-detail"),
    path("companies/<int:pk>/edit/", record_forms.company_edit, name="company-edit"),
    path("companies/<int:pk>/merge/", merge.company_merge, name="company-merge"),
    path("contacts/", records.contact_list, name="contact-list"),
    path("contacts/new/", record_forms.contact_create, name="contact-create"),
    path("contacts/bulk/", records.contact_bulk, name="contact-bulk"),
    path("contacts/export.vcf", vcard.contact_list_vcard, name="contact-list-vcard"),
    path("contacts/import/", vcard.contact_import, name="contact-import"),
    path("contacts/import/report/<slug:token>/", vcard.contact_import_report, name="contact-import-report"),
    path("contacts/<int:pk>/", records.contact_detail, name="contact-detail"),
    path("contacts/<int:pk>/edit/", record_forms.contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/merge/", merge.contact_merge, name="contact-merge"),
    path("contacts/<int:pk>/vcard/", vcard.contact_vcard, name="contact-vcard"),
    path("contacts/<int:pk>/personal-data/", privacy.contact_personal_data, name="contact-personal-data"),
    path(
        "contacts/<int:pk>/personal-data/export.json",
        privacy.contact_personal_data_export,
        name="contact-personal-data-export",
    ),
    path("contacts/<int:pk>/personal-data/erase/", privacy.contact_erase, name="contact-erase"),
    path("contacts/views/<str:entity>/save/", records.saved_view_save, name="saved-view-save"),
    path("contacts/views/<int:pk>/delete/", records.saved_view_delete, name="saved-view-delete"),
    path("sample-data/load/", sample_data.sample_data_load, name="sample-data-load"),
    path("sample-data/remove/", sample_data.sample_data_remove, name="sample-data-remove"),
    path("search/", search.search, name="search"),
    path("pick/<str:kind>/", pickers.record_picker, name="record-picker"),
    path("timeline/<str:subject>/<int:pk>/", timeline.timeline, name="timeline"),
    path("inline/<str:entity>/<int:pk>/<str:field>/", inline.inline_field, name="inline-field"),
]
