from django.urls import path

from crm_platform.signup import sign_in, views

urlpatterns = [
    path("", views.public_home, name="public-home"),
    path("sign-in/", sign_in.find_workspace, name="find-workspace"),
    path("signup/", views.signup, name="signup"),
    path("signup/subdomain/", views.subdomain_availability, name="signup-subdomain"),
    path("signup/<str:token>/", views.signup_progress, name="signup-progress"),
    path("signup/<str:token>/status/", views.signup_status, name="signup-status"),
]
