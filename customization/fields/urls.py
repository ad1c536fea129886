from django.urls import path

from customization.fields import views

app_name = "custom-fields"

urlpatterns = [
    path("", views.field_list, name="list"),
    path("new/", views.field_create, name="create"),
    path("reorder/<str:entity>/", views.field_reorder, name="reorder"),
    path("<int:pk>/", views.field_edit, name="edit"),
    path("<int:pk>/move/", views.field_move, name="move"),
    path("<int:pk>/type/", views.field_change_type, name="change-type"),
    path("<int:pk>/archive/", views.field_archive, name="archive"),
    path("<int:pk>/restore/", views.field_restore, name="restore"),
    path("<int:pk>/purge/", views.field_purge, name="purge"),
]
