"""URLs of the marketers' survey pages."""

from django.urls import path

from modules.marketing.surveys.views import staff

app_name = "marketing-surveys"

urlpatterns = [
    path("", staff.survey_list, name="survey-list"),
    path("new/", staff.survey_create, name="survey-create"),
    path("bulk/", staff.survey_bulk, name="survey-bulk"),
    path("views/", staff.survey_view_save, name="survey-view-save"),
    path("views/<int:pk>/delete/", staff.survey_view_delete, name="survey-view-delete"),
    path("<int:pk>/", staff.survey_detail, name="survey-detail"),
    path("<int:pk>/edit/", staff.survey_edit, name="survey-edit"),
    path("<int:pk>/status/", staff.survey_status, name="survey-status"),
    path("<int:pk>/share/", staff.survey_share, name="survey-share"),
    path("<int:pk>/send/", staff.survey_send, name="survey-send"),
    path("<int:pk>/delete/", staff.survey_delete, name="survey-delete"),
    path("<int:pk>/responses/", staff.survey_responses, name="survey-responses"),
    path("<int:pk>/responses.csv", staff.survey_responses_csv, name="survey-responses-csv"),
    path("<int:pk>/questions/<int:question_pk>/answers/", staff.survey_text_answers, name="survey-text-answers"),
    path("contact/<int:pk>/nps/", staff.contact_nps_card, name="contact-nps"),
]
