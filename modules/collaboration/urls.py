from django.urls import path

from modules.collaboration.views import attachments, notes, panel

app_name = "collaboration"

urlpatterns = [
    path("records/<str:subject>/<int:pk>/panel/", panel.record_panel, name="panel"),
    path("records/<str:subject>/<int:pk>/follow/", panel.follow_toggle, name="follow"),
    path("records/<str:subject>/<int:pk>/notes/", notes.note_create, name="note-create"),
    path("records/<str:subject>/<int:pk>/mentions/", notes.mention_candidates, name="mentions"),
    path("records/<str:subject>/<int:pk>/attachments/", attachments.attachment_upload, name="attachment-upload"),
    path("notes/<int:pk>/edit/", notes.note_edit, name="note-edit"),
    path("notes/<int:pk>/delete/", notes.note_delete, name="note-delete"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment-download"),
    path("attachments/<int:pk>/delete/", attachments.attachment_delete, name="attachment-delete"),
]
