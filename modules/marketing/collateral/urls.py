from django.urls import path

from modules.marketing.collateral import views

app_name = "marketing-collateral"

urlpatterns = [
    path("", views.library, name="list"),
    path("new/", views.item_create, name="create"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/versions/", views.version_add, name="version-add"),
    path("<int:pk>/archive/", views.item_archive, name="archive"),
    path("<int:pk>/share/", views.item_share, name="share"),
    path("<int:pk>/send/", views.item_send, name="send"),
    path("<int:pk>/versions/<int:collateral_version_pk>/download/", views.version_download, name="download"),
]
