"""A web form: the inputs a visitor fills in, what they become (a lead or a contact) and how the
form behaves when embedded on another site or shown on its hosted page."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.marketing.webforms.choices import Creates, OnDuplicate


class WebForm(models.Model):
    """``fields`` is the ordered list of inputs, each ``{"field": "email" | "custom.<key>",
    "type": …, "required": bool, "label": {language: text}, "help": {language: text}}``;
    ``consents`` the subscription checkboxes, each ``{"topic": <Topic id>, "label": {language: text},
    "double_opt_in": bool}``. Both are checked by ``services.forms`` against the field catalogue
    (``catalogue.py``) before they are stored."""

    name = models.CharField(_("name"), max_length=200)
    # The ``form.submitted`` event's ``data["form"]``, which the workflow trigger matches, and the
    # public address ``/f/<key>/``: never reused by another form.
    key = models.SlugField(_("key"), max_length=60, unique=True)
    creates = models.CharField(_("creates"), max_length=10, choices=Creates.choices, default=Creates.LEAD)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    fields = models.JSONField(_("fields"), default=list, blank=True)
    consents = models.JSONField(_("consent checkboxes"), default=list, blank=True)
    on_duplicate = models.CharField(
        _("when the e-mail address is known"), max_length=10, choices=OnDuplicate.choices, default=OnDuplicate.UPDATE
    )
    submit_label = models.CharField(_("button label"), max_length=60, blank=True)
    thank_you_message = models.TextField(_("thank-you message"), max_length=2000, blank=True)
    redirect_url = models.URLField(_("redirect to"), max_length=500, blank=True)
    # Origins ("https://www.example.com") whose pages may embed the form with the script.
    allowed_origins = models.JSONField(_("allowed origins"), default=list, blank=True)
    campaign = models.ForeignKey(
        "marketing.Campaign", verbose_name=_("campaign"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="web_forms",
    )  # fmt: skip
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner of new records"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    captcha = models.BooleanField(_("ask for a proof-of-work captcha"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Times the form was shown (hosted page or embed), for the conversion rate; counted with F().
    views = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self) -> str:
        return self.name
