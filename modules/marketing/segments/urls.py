from django.urls import path

from modules.marketing.segments.views import editing, members

app_name = "marketing-segments"

urlpatterns = [
    path("", editing.segment_list, name="list"),
    path("new/", editing.segment_new, name="new"),
    path("bulk/", editing.segment_bulk, name="segment-bulk"),
    path("views/", editing.segment_view_save, name="segment-view-save"),
    path("views/<int:pk>/delete/", editing.segment_view_delete, name="segment-view-delete"),
    path("preview/", editing.segment_preview, name="preview"),
    path("<int:pk>/", members.segment_members, name="detail"),
    path("<int:pk>/edit/", editing.segment_edit, name="edit"),
    path("<int:pk>/delete/", editing.segment_delete, name="delete"),
    path("<int:pk>/rebuild/", editing.segment_rebuild, name="rebuild"),
    path("<int:pk>/add/", members.list_add, name="add"),
    path("<int:pk>/remove/<int:contact_pk>/", members.list_remove, name="remove"),
    path("<int:pk>/import/", members.list_import, name="import"),
    path("<int:pk>/export/", members.segment_export, name="export"),
    path("card/<str:subject>/<int:pk>/", members.contact_card, name="contact-card"),
]
