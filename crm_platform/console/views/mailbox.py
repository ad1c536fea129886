"""The console's Mailbox: every e-mail the platform sent while running locally, as the local SMTP
sink of ``make run`` received it (crm_platform/mail_sink). A list, one message (its headers, text,
sanitised HTML and envelope recipients, Bcc included) and its attachments and raw source as
downloads. Without a sink (production, tests) the page says where mail goes instead."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from crm_platform.console.access import operator_required
from crm_platform.mail_sink.store import MessageNotFound, Sink, Summary

PAGE_SIZE = 50


def _sink() -> Sink | None:
    directory = getattr(settings, "MAIL_SINK_DIR", "")
    return Sink(directory) if directory else None


def _found(sink: Sink | None) -> Sink:
    if sink is None:
        raise Http404
    return sink


@operator_required
def mailbox(request: HttpRequest) -> HttpResponse:
    sink = _sink()
    # The listing is sliced like a sequence (only the page taken is read from disk).
    messages = cast("Sequence[Summary]", sink.listing() if sink else [])
    page = Paginator(messages, PAGE_SIZE).get_page(request.GET.get("page")) if sink else None
    return render(request, "console/mailbox/list.html", {"page": page, "sink": sink})


@operator_required
def message(request: HttpRequest, key: str) -> HttpResponse:
    try:
        detail = _found(_sink()).message(key)
    except MessageNotFound:
        raise Http404 from None
    return render(request, "console/mailbox/message.html", {"message": detail})


def _download(content: bytes, filename: str) -> HttpResponse:
    # Always a download of opaque bytes: a message's attachment is never rendered by the browser on
    # the console's origin, whatever content type the sender claimed.
    response = HttpResponse(content, content_type="application/octet-stream")
    safe = "".join(char for char in filename if char.isprintable() and char not in '"\\/;') or "attachment"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


@operator_required
def attachment(request: HttpRequest, key: str, index: int) -> HttpResponse:
    try:
        found, content = _found(_sink()).attachment(key, index)
    except MessageNotFound:
        raise Http404 from None
    return _download(content, found.filename or f"part-{index}")


@operator_required
def raw(request: HttpRequest, key: str) -> HttpResponse:
    try:
        content = _found(_sink()).raw(key)
    except MessageNotFound:
        raise Http404 from None
    return _download(content, f"{key}.eml")
