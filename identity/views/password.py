"""Password reset with Django's views, tenant-bound tokens, a throttle and our templates."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse_lazy

from identity.tasks import send_password_reset_email
from identity.tokens import password_reset_token

RESET_MAILS_PER_HOUR = 3


class ThrottledPasswordResetForm(PasswordResetForm):
    """At most RESET_MAILS_PER_HOUR reset mails per address and tenant (the cache key carries the
    tenant): nobody can flood an inbox through this page. The page answers the same either way,
    so it says nothing about which addresses have accounts."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        key = f"password-reset:{to_email.lower()}"
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > RESET_MAILS_PER_HOUR:
            return
        # Rendered here, sent by a task: while the SMTP server is down the mail is retried
        # (core/mail_retry.py) instead of logged and lost, and the page does not wait for it.
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        transaction.on_commit(lambda: send_password_reset_email.delay(subject, body, to_email))


password_reset = auth_views.PasswordResetView.as_view(
    form_class=ThrottledPasswordResetForm,
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
