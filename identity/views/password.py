"""Password reset with Django's views, tenant-bound tokens and our templates."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from identity.tokens import password_reset_token

password_reset = auth_views.PasswordResetView.as_view(
    template_name="identity/password_reset.html",
    email_template_name="identity/email/password_reset.txt",
    subject_template_name="identity/email/password_reset_subject.txt",
    token_generator=password_reset_token,
    success_url=reverse_lazy("identity:password-reset-done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="identity/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="identity/password_reset_confirm.html",
    token_generator=password_reset_token,
    success_url=reverse_lazy("identity:password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="identity/password_reset_complete.html"
)
