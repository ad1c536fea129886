from django.urls import path

from modules.marketing.scoring import views

app_name = "marketing-scoring"

urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule-delete"),
    path("thresholds/", views.threshold_create, name="threshold-create"),
    path("thresholds/<int:pk>/delete/", views.threshold_delete, name="threshold-delete"),
    path("recalculate/", views.recalculate, name="recalculate"),
    path("card/<str:subject>/<int:pk>/", views.score_card, name="card"),
]
