"""Subscription topics (``marketing.admin``): the list with the new-topic form, edit, delete
(refused for a topic with consents: it is retired instead)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.marketing.consent.forms import TopicForm
from modules.marketing.consent.services.topics import delete_topic, save_topic
from modules.marketing.guard import marketing_page
from modules.marketing.models import Topic

ADMIN = "marketing.admin"


@require_http_methods(["GET", "POST"])
@marketing_page(ADMIN)
def topic_list(request: HttpRequest) -> HttpResponse:
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = save_topic(None, by=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Topic %(name)s is saved.") % {"name": topic.name})
            return redirect("marketing-consent:topics")
    context = {"topics": list(Topic.objects.all()), "form": form, "tab": "topics"}
    return render(request, "marketing_consent/staff/topics.html", context, status=form_status(form))


@require_http_methods(["GET", "POST"])
@marketing_page(ADMIN)
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    initial = {field: getattr(topic, field) for field in ("key", "name", "description", "position", "is_active")}
    form = TopicForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_topic(topic, by=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Topic %(name)s is saved.") % {"name": topic.name})
            return redirect("marketing-consent:topics")
    context = {"topic": topic, "form": form, "tab": "topics"}
    return render(request, "marketing_consent/staff/topic_edit.html", context, status=form_status(form))


@require_POST
@marketing_page(ADMIN)
def topic_delete(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    if delete_topic(topic, by=signed_in_user(request)):
        messages.success(request, _("Topic %(name)s is deleted.") % {"name": topic.name})
    else:
        messages.error(
            request,
            _("Topic %(name)s has consents and history, so it is kept: stop offering it instead.")
            % {"name": topic.name},
        )
    return redirect("marketing-consent:topics")
