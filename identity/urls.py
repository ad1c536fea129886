from django.urls import path
from django.utils.translation import gettext_lazy

from identity.impersonation import not_while_impersonating
from identity.views import account, handoff, login, password, sign_in_details

app_name = "identity"

urlpatterns = [
    path("login/", login.login_view, name="login"),
    path("login/verify/", login.login_verify, name="login-verify"),
    path("login/handoff/<str:token>/", handoff.login_handoff, name="login-handoff"),
    path("logout/", login.logout_view, name="logout"),
    path("i18n/locale/", login.set_locale, name="set-locale"),
    path("password-reset/", password.password_reset, name="password-reset"),
    path("password-reset/sent/", password.password_reset_done, name="password-reset-done"),
    path(
        "password-reset/<uidb64>/<token>/",
        not_while_impersonating(gettext_lazy("change the password"))(password.password_reset_confirm),
        name="password-reset-confirm",
    ),
    path("password-reset/done/", password.password_reset_complete, name="password-reset-complete"),
    path("invitations/", account.accept_invitation_view, {"token": ""}, name="invitation-accept-base"),
    path("invitations/<str:token>/", account.accept_invitation_view, name="invitation-accept"),
    path("account/", account.profile, name="profile"),
    path("account/two-factor/", account.two_factor, name="two-factor"),
    path("account/two-factor/disable/", account.two_factor_disable, name="two-factor-disable"),
    path("account/password/", sign_in_details.password_change, name="password-change"),
    path("account/email/", sign_in_details.email_change, name="email-change"),
    path("account/email/confirm/<str:token>/", sign_in_details.email_change_confirm, name="email-change-confirm"),
]
