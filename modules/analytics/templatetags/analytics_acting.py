"""``{% contact_list_links set="rfm" segment=… period=… %}``: a link per place the reader may save
an analysis's customers to (``acting.contact_lists``), for the selection its arguments name (the
parameters of ``acting.sets``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from modules.analytics.acting.contact_lists import available_targets

register = template.Library()


@register.simple_tag(takes_context=True)
def contact_list_links(
    context: dict[str, Any], link_class: str = "btn btn-outline-secondary btn-sm", **selection: Any
) -> SafeString:
    request = context.get("request")
    if request is None:
        return format_html("")
    targets = available_targets(getattr(request, "tenant", None), request.user)
    query = urlencode({key: str(value) for key, value in selection.items()})
    return format_html_join(
        " ",
        '<a class="{}" href="{}?{}" data-testid="contact-list-link">{}</a>',
        (
            (
                link_class,
                reverse("analytics:act-contact-list", args=[target.key]),
                query,
                _("Save as %(target)s") % {"target": target.label},
            )
            for target in targets
        ),
    )
