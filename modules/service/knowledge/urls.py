from django.urls import path

from modules.service.knowledge.views import categories, editing, reading

app_name = "knowledge"

urlpatterns = [
    path("", reading.home, name="home"),
    path("suggestions/", reading.suggestions, name="suggestions"),
    path("cases/<int:case_pk>/suggestions/", reading.case_suggestions, name="case-suggestions"),
    path("articles/new/", editing.article_new, name="article-new"),
    path("articles/<int:pk>/", reading.article_detail, name="article"),
    path("articles/<int:pk>/rate/", reading.article_rate, name="article-rate"),
    path("articles/<int:pk>/edit/", editing.article_edit, name="article-edit"),
    path("articles/<int:pk>/status/", editing.article_status, name="article-status"),
    path("articles/<int:pk>/versions/", editing.article_versions, name="article-versions"),
    path("articles/<int:pk>/versions/<int:version_pk>/restore/", editing.version_restore, name="version-restore"),
    path("articles/<int:pk>/translations/", editing.article_translations, name="article-translations"),
    path("categories/", categories.category_list, name="categories"),
    path("categories/<int:pk>/edit/", categories.category_edit, name="category-edit"),
    path("categories/<int:pk>/delete/", categories.category_delete, name="category-delete"),
]
