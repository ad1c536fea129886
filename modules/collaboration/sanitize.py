"""The one allow-list a note's HTML passes before it is stored (nh3, i.e. Rust's ammonia).

The editor (Trix) writes a small vocabulary: paragraphs as ``div``, ``br``, bold, italic,
strike-through, headings, quotes, code blocks, lists and links. Anything else — scripts, styles,
event handlers, images, forms, ``javascript:`` and ``data:`` links — is removed. A mention is a
link whose target is ``#mention-<user id>`` (the only relative link kept); it is how the editor
marks the user picked in the @ list, and how the service finds whom to notify."""

from __future__ import annotations

import html as html_entities
import re

import nh3

ALLOWED_TAGS = {
    "div", "p", "br", "strong", "b", "em", "i", "u", "del", "s", "h1", "h2", "h3", "blockquote", "pre", "code",
    "ul", "ol", "li", "a", "span",
}  # fmt: skip
MENTION_HREF = re.compile(r"^#mention-(\d{1,18})$")
_MENTION_IN_HTML = re.compile(r'href="#mention-(\d{1,18})"')
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_ABSOLUTE = re.compile(r"^(https?:|mailto:|tel:)", re.IGNORECASE)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if MENTION_HREF.match(value) or _ABSOLUTE.match(value) else None
    return value


def clean_note_html(html: str) -> str:
    """``html`` reduced to the allow-list; links open nothing of ours with the writer's rights."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}},
        attribute_filter=_keep_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return cleaned.strip()


def mentioned_ids(html: str) -> list[int]:
    """The user ids of the mentions in cleaned ``html``, each once, in order of appearance."""
    seen: dict[int, None] = {}
    for match in _MENTION_IN_HTML.finditer(html):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


def plain_text(html: str) -> str:
    """The words of ``html`` without markup (notification previews, emptiness checks)."""
    text = nh3.clean(html.replace("<br>", " ").replace("</div>", " ").replace("</li>", " "), tags=set())
    return re.sub(r"\s+", " ", html_entities.unescape(text)).strip()
