"""Pages of the sales catalogue and reporting: products, price lists, quotes, forecast, team activity."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from identity.decorators import require_permission
from modules.registry import is_enabled

View = Callable[..., HttpResponse]


def sales_page(*codes: str) -> Callable[[View], View]:
    """Signed-in users only; 404 when the tenant has no sales module; 403 naming the first missing permission."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_enabled(request.tenant, "sales"):  # type: ignore[attr-defined]
                raise Http404(_("The sales module is not enabled."))
            for code in codes:
                require_permission(request, code)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
