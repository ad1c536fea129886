from django.urls import path

from modules.sales.views.pipeline_admin import pipelines, stages

app_name = "pipelines-admin"

urlpatterns = [
    path("", pipelines.pipeline_list, name="list"),
    path("reorder/", pipelines.pipeline_reorder, name="reorder"),
    path("<int:pk>/", stages.pipeline_detail, name="detail"),
    path("<int:pk>/rename/", stages.pipeline_rename, name="rename"),
    path("<int:pk>/move/", pipelines.pipeline_move, name="move"),
    path("<int:pk>/default/", pipelines.pipeline_set_default, name="set-default"),
    path("<int:pk>/archive/", pipelines.pipeline_archive, name="archive"),
    path("<int:pk>/unarchive/", pipelines.pipeline_unarchive, name="unarchive"),
    path("<int:pk>/stages/reorder/", stages.stage_reorder, name="stage-reorder"),
    path("<int:pk>/stages/<int:stage_pk>/", stages.stage_edit, name="stage-edit"),
    path("<int:pk>/stages/<int:stage_pk>/move/", stages.stage_move, name="stage-move"),
    path("<int:pk>/stages/<int:stage_pk>/delete/", stages.stage_delete, name="stage-delete"),
]
