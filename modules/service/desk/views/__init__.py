"""The service desk's pages and endpoints; what they share: the plan and permission guard."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from identity.decorators import signed_in_user
from modules.page_guard import module_page
from modules.service.models import Case
from modules.service.selectors.cases import visible_cases

View = Callable[..., HttpResponse]
ADMIN = "service.admin"


def desk_page(*codes: str) -> Callable[[View], View]:
    """``module_page`` of the service module, dates in the user's time zone."""
    return module_page("service", *codes)


def visible_case(request: HttpRequest, pk: int) -> Case:
    """The case ``pk`` if the user may see it (404 otherwise, as if it did not exist)."""
    return get_object_or_404(visible_cases(signed_in_user(request)).select_related("status"), pk=pk)


def case_url(case: Case) -> str:
    return reverse("service:case-detail", args=[case.pk])
