"""The public site's "Sign in": a visitor who does not remember their workspace's address enters
their e-mail and is sent the sign-in links of their workspaces.

The page never names a workspace and answers the same whether or not the address has an
account; the e-mail goes to that address only, from a Celery task, so the time the answer takes
does not tell either. Five requests per client address and three per e-mail address an hour."""

from __future__ import annotations

from django import forms
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from identity.client_address import client_address
from tenants.tasks import send_workspace_list

WINDOW_SECONDS = 3600
PER_ADDRESS = 5
PER_EMAIL = 3


class FindWorkspaceForm(forms.Form):
    email = forms.EmailField(label=_("Your work e-mail"), max_length=254)


def _spend(key: str, limit: int) -> bool:
    """Count one request under ``key``; False once ``limit`` were counted in the window."""
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return True
    try:
        return int(cache.incr(key)) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS)
        return True


@require_http_methods(["GET", "POST"])
def find_workspace(request: HttpRequest) -> HttpResponse:
    form = FindWorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        within_address = _spend(f"find-workspace:address:{client_address(request)}", PER_ADDRESS)
        if not within_address:
            return render(request, "public/find_workspace.html", {"form": form, "throttled": True}, status=429)
        # Over the per-address budget the visitor is told; over the per-e-mail one nothing more is
        # sent, but the answer stays the same, so it cannot be probed whether mail went out.
        if _spend(f"find-workspace:email:{email}", PER_EMAIL):
            port = str(request.get_port())
            default_port = "443" if request.scheme == "https" else "80"
            send_workspace_list.delay(
                email,
                scheme=request.scheme,
                port_suffix="" if port == default_port else f":{port}",
                language=get_language(),
            )
        return render(request, "public/find_workspace.html", {"form": FindWorkspaceForm(), "sent_to": email})
    status = 400 if request.method == "POST" else 200
    return render(request, "public/find_workspace.html", {"form": form}, status=status)
