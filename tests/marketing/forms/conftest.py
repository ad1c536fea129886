"""Web-form test helpers: a form of each kind and a visitor's posts that pass the spam checks."""

from __future__ import annotations

import json
import time
from typing import Any

import time_machine
from django.test import Client

from modules.marketing.webforms import protection
from modules.marketing.webforms.models import WebForm
from modules.marketing.webforms.services.forms import create_form
from tests.tenancy import TenantFixture

ALLOWED = "https://www.example.test"
FIELDS = [
    {"field": "first_name", "required": False},
    {"field": "last_name", "required": True},
    {"field": "email", "required": True},
    {"field": "company_name", "required": False},
]


def make_form(**values: Any) -> WebForm:
    values.setdefault("name", "Demo request")
    values.setdefault("key", "demo-request")
    values.setdefault("fields", FIELDS if values.get("creates", "lead") == "lead" else FIELDS[:3])
    values.setdefault("allowed_origins", [ALLOWED])
    return create_form(by=None, **values)


def old_token(tenant: TenantFixture, form: WebForm, seconds: int = 30) -> str:
    """A render token issued ``seconds`` ago (a person took that long to fill the form in)."""
    with tenant.active(), time_machine.travel(time.time() - seconds, tick=False):
        return protection.render_token(form)


def filled(tenant: TenantFixture, form: WebForm, **values: Any) -> dict[str, Any]:
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.test",
        protection.TOKEN: old_token(tenant, form),
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def post_json(client: Client, form: WebForm, data: dict[str, Any], *, origin: str | None = ALLOWED, **headers: str):  # type: ignore[no-untyped-def]
    extra = {"HTTP_ORIGIN": origin} if origin else {}
    extra.update(headers)
    return client.post(f"/f/{form.key}/submit", json.dumps(data), content_type="application/json", **extra)
