"""Settings → Workflows → E-mail templates: list, create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customization.workflows.forms import EmailTemplateForm
from customization.workflows.models import EmailTemplate
from customization.workflows.services import create_email_template, delete_email_template, update_email_template
from customization.workflows.views import PERMISSION
from identity.decorators import permission_required
from identity.forms import apply_service_errors, form_status


@permission_required(PERMISSION)
def template_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "customization/workflows/templates.html", {"templates": list(EmailTemplate.objects.order_by("name"))}
    )


def _template_form(request: HttpRequest, template: EmailTemplate | None) -> HttpResponse:
    initial = {"name": template.name, "subject": template.subject, "body": template.body} if template else None
    form = EmailTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if template is None:
                template = create_email_template(**form.cleaned_data)
            else:
                template = update_email_template(template, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Template %(name)s is saved.") % {"name": template.name})
            return redirect("workflows:templates")
    return render(
        request,
        "customization/workflows/template_form.html",
        {"template": template, "form": form},
        status=form_status(form),
    )


@permission_required(PERMISSION)
def template_create(request: HttpRequest) -> HttpResponse:
    return _template_form(request, None)


@permission_required(PERMISSION)
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _template_form(request, get_object_or_404(EmailTemplate, pk=pk))


@permission_required(PERMISSION)
@require_POST
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(EmailTemplate, pk=pk)
    try:
        delete_email_template(template)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Template %(name)s is deleted.") % {"name": template.name})
    return redirect("workflows:templates")
