from django.urls import path
from django.views.generic import RedirectView

from identity.views import audit
from identity.views import settings as views

app_name = "settings"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="settings:users"), name="index"),
    path("users/", views.user_list, name="users"),
    path("users/<int:pk>/", views.user_edit, name="user-edit"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("roles/", views.role_list, name="roles"),
    path("roles/<int:pk>/", views.role_edit, name="role-edit"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_edit, name="team-new"),
    path("teams/<int:pk>/", views.team_edit, name="team-edit"),
    path("teams/<int:pk>/delete/", views.team_delete, name="team-delete"),
    path("audit-log/", audit.audit_log, name="audit-log"),
    path("audit-log/export.csv", audit.audit_log_export, name="audit-log-export"),
]
