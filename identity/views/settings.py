"""The settings area: users, invitations, roles and teams (tenant admins)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.client_address import client_address
from identity.decorators import permission_required, signed_in_user
from identity.forms import InvitationForm, RoleForm, TeamForm, UserForm, apply_service_errors, form_status
from identity.models import Invitation, Role, Team, User
from identity.permissions import all_permissions
from identity.services.invitations import (
    current_tenant,
    invite_user,
    is_seat_limit_error,
    revoke_invitation,
    seats_full,
    update_user_within_seats,
)
from identity.services.roles import update_role
from identity.services.teams import delete_team, may_widen_through_teams, save_team


@permission_required("settings.manage_users")
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("role").prefetch_related("teams").order_by("email")
    return render(request, "identity/settings/users.html", {"users": users})


@permission_required("settings.manage_users")
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = UserForm(
        request.POST or None,
        initial={
            "full_name": user.full_name,
            "role": user.role,
            "teams": user.teams.all(),
            "is_active": user.is_active,
        },
    )
    seats_taken = False
    if request.method == "POST" and form.is_valid():
        try:
            update_user_within_seats(
                user, by=signed_in_user(request), ip_address=client_address(request), **form.cleaned_data
            )
        except ValidationError as error:
            seats_taken = is_seat_limit_error(error)
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(user)s is saved.") % {"user": user})
            return redirect("settings:users")
    return render(
        request,
        "identity/settings/user_edit.html",
        {"form": form, "subject": user, "seats_taken": seats_taken},
        status=form_status(form),
    )


@permission_required("settings.manage_users")
def invitation_list(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, initial={"role": Role.objects.filter(key="sales_rep").first()})
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = invite_user(
                invited_by=signed_in_user(request),
                accept_url_base=request.build_absolute_uri(reverse("identity:invitation-accept-base")),
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("settings:invitations")
    invitations = Invitation.objects.select_related("role", "invited_by").prefetch_related("teams")[:200]
    return render(
        request,
        "identity/settings/invitations.html",
        {"form": form, "invitations": invitations, "seat_limit": seats_full(current_tenant())},
        status=form_status(form),
    )


@permission_required("settings.manage_users")
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    revoke_invitation(invitation)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "identity/settings/invitation_row.html", {"invitation": invitation})
    messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect("settings:invitations")


@permission_required("settings.manage_roles")
def role_list(request: HttpRequest) -> HttpResponse:
    roles = Role.objects.annotate(user_count=Count("users")).order_by("name")
    return render(request, "identity/settings/roles.html", {"roles": roles})


@permission_required("settings.manage_roles")
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(Role, pk=pk)
    form = RoleForm(
        request.POST or None,
        initial={"name": role.name, "record_visibility": role.record_visibility, "permissions": role.permissions},
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_role(role, by=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Role %(role)s is saved.") % {"role": role.name})
            return redirect("settings:roles")
    return render(
        request,
        "identity/settings/role_edit.html",
        {"form": form, "role": role, "catalogue": all_permissions()},
        status=form_status(form),
    )


@permission_required("settings.manage_teams")
def team_list(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.prefetch_related(Prefetch("members", queryset=User.objects.order_by("email")))
    return render(request, "identity/settings/teams.html", {"teams": teams})


@permission_required("settings.manage_teams")
def team_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk) if pk else None
    initial = {"name": team.name, "description": team.description, "members": team.members.all()} if team else {}
    form = TeamForm(request.POST or None, initial=initial)
    editor = signed_in_user(request)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_team(team=team, by=editor, ip_address=client_address(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Team %(team)s is saved.") % {"team": saved.name})
            return redirect("settings:teams")
    context = {"form": form, "team": team, "may_widen": may_widen_through_teams(editor)}
    return render(request, "identity/settings/team_edit.html", context, status=form_status(form))


@permission_required("settings.manage_teams")
@require_POST
def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk)
    delete_team(team, by=signed_in_user(request), ip_address=client_address(request))
    messages.success(request, _("Team %(team)s is deleted.") % {"team": team.name})
    return redirect("settings:teams")
