from django.urls import path

from modules.service.sla.views import calendars, policies

app_name = "sla-admin"

urlpatterns = [
    path("calendars/", calendars.calendar_list, name="calendars"),
    path("calendars/<int:pk>/", calendars.calendar_detail, name="calendar"),
    path("calendars/<int:pk>/delete/", calendars.calendar_delete, name="calendar-delete"),
    path("calendars/<int:pk>/holidays/", calendars.holiday_add, name="holiday-add"),
    path("calendars/<int:pk>/holidays/<int:holiday_pk>/delete/", calendars.holiday_delete, name="holiday-delete"),
    path("policies/", policies.policy_list, name="policies"),
    path("policies/new/", policies.policy_create, name="policy-create"),
    path("policies/<int:pk>/", policies.policy_edit, name="policy"),
    path("policies/<int:pk>/delete/", policies.policy_delete, name="policy-delete"),
]
