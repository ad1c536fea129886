"""Console URLs at /console/: sign-in, the tenants (the console's home) and the audit log."""

from django.urls import path

from crm_platform.console.views import audit_log, auth, impersonation, tenant_actions, tenants

urlpatterns = [
    path("", tenants.tenant_list, name="tenants"),
    path("login/", auth.login_view, name="login"),
    path("login/verify/", auth.login_verify, name="login-verify"),
    path("logout/", auth.logout_view, name="logout"),
    path("audit-log/", audit_log.audit_log, name="audit-log"),
    path("tenants/<str:key>/", tenants.tenant_detail, name="tenant"),
    path("tenants/<str:key>/provision/", tenant_actions.tenant_provision, name="tenant-provision"),
    path("tenants/<str:key>/suspend/", tenant_actions.tenant_suspend, name="tenant-suspend"),
    path("tenants/<str:key>/resume/", tenant_actions.tenant_resume, name="tenant-resume"),
    path("tenants/<str:key>/extend-trial/", tenant_actions.tenant_extend_trial, name="tenant-extend-trial"),
    path("tenants/<str:key>/plan/", tenant_actions.tenant_change_plan, name="tenant-change-plan"),
    path("tenants/<str:key>/delete/", tenant_actions.tenant_delete, name="tenant-delete"),
    path("tenants/<str:key>/sign-in-as/", impersonation.tenant_impersonate, name="tenant-impersonate"),
]
