"""This app's parts of the case page, registered in the case page's panel registry
(``modules.service.panels``): the canned-response picker and the "X is replying" warning by the
reply box, and the merge and split links in the sidebar. Each costs one query at most and shows
only to users who may reply."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from modules.service.desk.services.canned import visible_canned_responses
from modules.service.desk.services.presence import replying
from modules.service.panels import CasePanel, register_case_panel

REPLY_PERMISSION = "service.change"


def canned_picker_context(request: Any, case: Any) -> dict[str, Any] | None:
    if not request.user.has_perm(REPLY_PERMISSION):
        return None
    rows = visible_canned_responses(request.user).values_list("pk", "title", "owner")
    return {
        "canned_responses": [
            {
                "id": pk, "title": title, "shared": owner is None,
                "url": reverse("service-desk:canned-render", args=[case.pk, pk]),
            }
            for pk, title, owner in rows
        ]
    }  # fmt: skip


def presence_context(request: Any, case: Any) -> dict[str, Any] | None:
    if not request.user.has_perm(REPLY_PERMISSION):
        return None
    return {
        "replying": replying(case, besides=request.user),
        "presence_url": reverse("service-desk:presence", args=[case.pk]),
    }


def case_actions_context(request: Any, case: Any) -> dict[str, Any] | None:
    if not request.user.has_perm(REPLY_PERMISSION):
        return None
    return {
        "merge_url": reverse("service-desk:merge", args=[case.pk]),
        "split_url": reverse("service-desk:split", args=[case.pk]),
    }


def register() -> None:
    register_case_panel(
        CasePanel(
            key="desk-replying", template="service_desk/panels/replying.html", place="composer", position=10,
            context=presence_context,
        )
    )  # fmt: skip
    register_case_panel(
        CasePanel(
            key="desk-case-actions", template="service_desk/panels/case_actions.html", place="sidebar", position=90,
            context=case_actions_context,
        )
    )  # fmt: skip
    register_case_panel(
        CasePanel(
            key="desk-canned-responses", template="service_desk/panels/canned_picker.html", place="composer",
            position=20, context=canned_picker_context,
        )
    )  # fmt: skip
