"""Staff pages of the portal (``service.admin``): the portal users, inviting a contact (also from
the contact's page), making a user their company's admin, deactivating and reactivating."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from identity.decorators import require_permission, signed_in_user
from modules.contacts.models import Contact
from modules.contacts.selectors.lists import visible_contacts
from modules.contacts.widgets import RecordPicker
from modules.plan_gate import ensure_in_plan
from modules.service.portal.models import PortalUser
from modules.service.portal.services.users import invite_portal_user, update_portal_user

View = Callable[..., HttpResponse]
LIST_LIMIT = 500


def admin_page(view: View) -> View:
    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ensure_in_plan(getattr(request, "tenant", None), "service")
        require_permission(request, "service.admin")
        return view(request, *args, **kwargs)

    return wrapped


class InviteForm(forms.Form):
    contact = forms.ModelChoiceField(
        label=gettext_lazy("Contact"), queryset=Contact.objects.none(), widget=RecordPicker("contact"),
        error_messages={"invalid_choice": gettext_lazy("Choose a contact from the list.")},
    )  # fmt: skip
    is_company_admin = forms.BooleanField(
        label=gettext_lazy("Company admin: sees the cases, quotes and orders of the whole company"), required=False
    )

    def __init__(self, *args: Any, contacts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]


def link_base(request: HttpRequest) -> str:
    """The absolute address of the portal's sign-in links, without the token."""
    return request.build_absolute_uri(reverse("portal:link", args=["-"]))[: -len("-/")]


@require_GET
@admin_page
def user_list(request: HttpRequest) -> HttpResponse:
    users = list(PortalUser.objects.select_related("contact__company").order_by("email", "id")[:LIST_LIMIT])
    form = InviteForm(contacts=visible_contacts(signed_in_user(request)))
    return render(request, "service/portal/admin/users.html", {"portal_users": users, "form": form})


@require_http_methods(["GET", "POST"])
@admin_page
def user_invite(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    contacts = visible_contacts(user)
    if request.method == "GET":
        initial = {"contact": request.GET.get("contact")} if str(request.GET.get("contact", "")).isdigit() else {}
        form = InviteForm(initial=initial, contacts=contacts)
        return render(request, "service/portal/admin/invite.html", {"form": form})
    form = InviteForm(request.POST, contacts=contacts)
    if form.is_valid():
        try:
            portal_user = invite_portal_user(
                form.cleaned_data["contact"], by=user, is_company_admin=form.cleaned_data["is_company_admin"],
                link_base=link_base(request),
            )  # fmt: skip
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(
                request, _("%(email)s was sent an invitation to the portal.") % {"email": portal_user.email}
            )
            return redirect("portal-users:list")
    return render(request, "service/portal/admin/invite.html", {"form": form}, status=400)


@require_POST
@admin_page
def user_change(request: HttpRequest, pk: int) -> HttpResponse:
    portal_user = PortalUser.objects.filter(pk=pk).first()
    if portal_user is None:
        raise Http404
    values: dict[str, bool] = {}
    for field in ("is_company_admin", "is_active"):
        if field in request.POST:
            if request.POST[field] not in ("true", "false"):
                return HttpResponse(_("%(field)s: say true or false.") % {"field": field}, status=400)
            values[field] = request.POST[field] == "true"
    try:
        update_portal_user(portal_user, by=signed_in_user(request), **values)
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("Portal access of %(email)s changed.") % {"email": portal_user.email})
    return redirect("portal-users:list")
