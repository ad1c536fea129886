"""What a visitor sent through a web form, with where it came from (the proof of consent and the
attribution read it)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.marketing.webforms.choices import SubmissionStatus

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


class Submission(models.Model):
    """One submission. ``data`` holds the cleaned values by field (``email``, ``custom.<key>``) and
    ``consents`` the topics ticked; spam is kept (without a record) so its volume shows."""

    form = models.ForeignKey("marketing_forms.WebForm", on_delete=models.CASCADE, related_name="submissions")
    status = models.CharField(_("status"), max_length=10, choices=SubmissionStatus.choices)
    data = models.JSONField(_("data"), default=dict, blank=True)
    consents = models.JSONField(_("consents"), default=list, blank=True)
    lead = models.ForeignKey(
        "sales.Lead", verbose_name=_("lead"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        "contacts.Contact", verbose_name=_("contact"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    referrer = models.CharField(_("referrer"), max_length=2000, blank=True)
    page_url = models.CharField(_("page"), max_length=2000, blank=True)
    utm_source = models.CharField("utm_source", max_length=200, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=200, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=200, blank=True)
    utm_term = models.CharField("utm_term", max_length=200, blank=True)
    utm_content = models.CharField("utm_content", max_length=200, blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        indexes = [models.Index(fields=["form", "-created_at"], name="marketing_forms_sub_form_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(lead__isnull=True) | Q(contact__isnull=True), name="marketing_forms_sub_one_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.form} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def email(self) -> str:
        return str((self.data or {}).get("email", ""))
