"""A marketing e-mail rendered for one recipient: subject, HTML and plain text.

The blocks are turned into MJML and compiled to responsive HTML (mjml-python, MJML's Rust port)
ONCE per content version: the compiled HTML and text, with every merge field left as a
placeholder, are cached in the process under a hash of everything that shapes them (blocks,
preview text, footer). Each recipient then costs one pass over the fields and a join, so a send to
100,000 contacts compiles once. Merge values are HTML-escaped in the HTML and the subject is left
as text; the text alternative is built from the blocks, not scraped from the HTML.

Every marketing e-mail ends with the footer (the unsubscribe and preference links and the
sender's postal address), whether or not the writer kept the footer block."""

from __future__ import annotations

import hashlib
import html
import json
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import mjml
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from modules.marketing.email.blocks import block_mjml, block_text, clean_text_html
from modules.marketing.email.merge import Placeholders, Template, field_values
from modules.marketing.models import MarketingEmail

CACHE_SIZE = 64
_NONCE = secrets.token_hex(6)
UNSUBSCRIBE = "{{ unsubscribe_url }}"
PREFERENCES = "{{ preferences_url }}"


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class Compiled:
    """One content version compiled: HTML and text with placeholders for the merge fields."""

    key: str
    html: Template
    text: Template


@dataclass(frozen=True)
class Footer:
    postal_address: str
    extra_text: str


class _Stats:
    compiles = 0  # read by the tests: how many times MJML was compiled in this process


stats = _Stats()
_cache: OrderedDict[str, Compiled] = OrderedDict()
_lock = threading.Lock()


def _postal_address(email: MarketingEmail) -> str:
    """The tenant's postal address for the footer, read once per e-mail object: a send renders
    every recipient from the same object, so it reads the settings once."""
    cached = getattr(email, "_marketing_postal_address", None)
    if cached is None:
        from modules.marketing.email.services.settings import current_settings

        cached = current_settings().postal_address
        email._marketing_postal_address = cached  # type: ignore[attr-defined]
    return str(cached)


def _footer_mjml(footer: Footer, swap: Any) -> str:
    lines = [clean_text_html(swap(footer.extra_text)).replace("\n", "<br>")] if footer.extra_text.strip() else []
    if footer.postal_address.strip():
        lines.append("<br>".join(html.escape(line) for line in footer.postal_address.strip().splitlines()))
    links = (
        f'<a href="{swap(UNSUBSCRIBE)}" style="color:#6b7280">{html.escape(_("Unsubscribe"))}</a>'
        f' · <a href="{swap(PREFERENCES)}" style="color:#6b7280">{html.escape(_("E-mail preferences"))}</a>'
    )
    lines.append(links)
    body = "<br><br>".join(lines)
    return (
        '<mj-section padding="24px 0 0 0"><mj-column>'
        f'<mj-text align="center" font-size="12px" line-height="1.5" color="#6b7280">{body}</mj-text>'
        "</mj-column></mj-section>"
    )


def _footer_text(footer: Footer, swap: Any) -> str:
    parts = [footer.extra_text.strip()] if footer.extra_text.strip() else []
    if footer.postal_address.strip():
        parts.append(footer.postal_address.strip())
    parts.append(_("Unsubscribe: %(url)s") % {"url": UNSUBSCRIBE})
    parts.append(_("E-mail preferences: %(url)s") % {"url": PREFERENCES})
    return swap("\n".join(parts))


def to_mjml(blocks: list[dict[str, Any]], preheader: str, footer: Footer, swap: Any) -> str:
    sections = []
    for block in blocks:
        kind = block.get("type")
        if kind == "footer":
            continue
        if kind == "columns":
            columns = "".join(
                "<mj-column>" + "".join(block_mjml(item, swap) for item in block.get(side, [])) + "</mj-column>"
                for side in ("left", "right")
            )
            sections.append(f"<mj-section>{columns}</mj-section>")
        else:
            sections.append(f"<mj-section><mj-column>{block_mjml(block, swap)}</mj-column></mj-section>")
    preview = f"<mj-preview>{html.escape(swap(preheader))}</mj-preview>" if preheader else ""
    return (
        "<mjml><mj-head>"
        '<mj-attributes><mj-all font-family="Helvetica, Arial, sans-serif" /></mj-attributes>'
        f"{preview}</mj-head>"
        '<mj-body width="600px" background-color="#ffffff">'
        f"{''.join(sections)}{_footer_mjml(footer, swap)}</mj-body></mjml>"
    )


def to_text(blocks: list[dict[str, Any]], footer: Footer, swap: Any) -> str:
    parts = [block_text(block, swap) for block in blocks if block.get("type") != "footer"]
    parts.append(_footer_text(footer, swap))
    return "\n\n".join(part for part in parts if part.strip()) + "\n"


def content_key(blocks: list[dict[str, Any]], preheader: str, footer: Footer) -> str:
    # The language too: the footer's link texts are translated.
    source = json.dumps([blocks, preheader, footer.postal_address, footer.extra_text, get_language()], sort_keys=True)
    return hashlib.sha256(source.encode()).hexdigest()


def _footer_of(blocks: list[dict[str, Any]], postal_address: str) -> Footer:
    extra = next((str(block.get("text") or "") for block in blocks if block.get("type") == "footer"), "")
    return Footer(postal_address=postal_address, extra_text=extra)


def compile_content(blocks: list[dict[str, Any]], preheader: str = "", *, postal_address: str = "") -> Compiled:
    """The compiled version of this content, from the cache when it was compiled before."""
    footer = _footer_of(blocks, postal_address)
    key = content_key(blocks, preheader, footer)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    placeholders = Placeholders(_NONCE)
    swap = placeholders.replace
    result = mjml.mjml2html(to_mjml(blocks, preheader, footer, swap))
    stats.compiles += 1
    compiled = Compiled(
        key=key, html=placeholders.template(result), text=placeholders.template(to_text(blocks, footer, swap))
    )
    with _lock:
        _cache[key] = compiled
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def links_for(email: MarketingEmail, contact: Any) -> dict[str, str]:
    """The recipient's unsubscribe and preference links (the consent module's signed page: the
    first unsubscribes from the e-mail's topic, the second is the page for every topic). A send
    that reports unsubscribes per message passes its own through ``render_email(links=)``."""
    if contact is None or getattr(contact, "pk", None) is None:
        return {"unsubscribe_url": "#", "preferences_url": "#"}
    from modules.marketing.consent.links import absolute
    from modules.marketing.consent.services import unsubscribe_url

    unsubscribe = absolute(unsubscribe_url(contact, topic=email.topic))
    preferences = absolute(unsubscribe_url(contact))
    return {"unsubscribe_url": unsubscribe, "preferences_url": preferences}


def compiled_for(email: MarketingEmail) -> Compiled:
    return compile_content(list(email.content or []), email.preheader or "", postal_address=_postal_address(email))


def fill(compiled: Compiled, contact: Any, links: dict[str, str]) -> tuple[str, str]:
    """(html, text) of a compiled version for one recipient."""
    html_values = field_values(compiled.html.fields, contact, links)
    text_values = field_values(compiled.text.fields, contact, links)
    return compiled.html.fill(html_values, escape=html.escape), compiled.text.fill(text_values)


def render_subject(subject: str, contact: Any, links: dict[str, str]) -> str:
    placeholders = Placeholders(_NONCE)
    template = placeholders.template(placeholders.replace(subject))
    return template.fill(field_values(template.fields, contact, links)).replace("\r", " ").replace("\n", " ")


def render_email(
    email: MarketingEmail,
    contact: Any,
    *,
    subject_variant: str = "a",
    links: dict[str, str] | None = None,
    compiled: Compiled | None = None,
) -> Rendered:
    """``email`` for ``contact``: subject (variant "b" is the A/B test's second subject), HTML with
    merge values escaped, and the plain-text alternative. ``links`` replaces the recipient's
    unsubscribe and preference links (the editor's preview shows placeholders). ``compiled``: the
    e-mail's ``compiled_for``, which a send looks up once rather than hashing the content per
    recipient."""
    compiled = compiled_for(email) if compiled is None else compiled
    links = links_for(email, contact) if links is None else links
    subject = email.subject_b if subject_variant == "b" and email.subject_b else email.subject
    body_html, body_text = fill(compiled, contact, links)
    return Rendered(subject=render_subject(subject or "", contact, links), html=body_html, text=body_text)
