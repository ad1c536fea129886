"""Reading a page's elements by ``data-testid`` with the standard library's HTML parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parts: list[str] = field(default_factory=list)
    # Every element with a data-testid inside this one, in document order.
    inner: list[Element] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The element's text with whitespace collapsed."""
        return " ".join("".join(self.parts).split())

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def all(self, testid: str) -> list[Element]:
        return [element for element in self.inner if element.attrs.get("data-testid") == testid]

    def one(self, testid: str) -> Element:
        found = self.all(testid)
        assert len(found) == 1, f"{len(found)} elements {testid!r}"
        return found[0]

    def has(self, testid: str) -> bool:
        return bool(self.all(testid))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.stack: list[tuple[str, Element | None]] = []

    def _open(self) -> list[Element]:
        return [self.root, *(element for _tag, element in self.stack if element is not None)]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        element = Element(tag, values) if "data-testid" in values else None
        if element is not None:
            for holder in self._open():
                holder.inner.append(element)
        if tag not in VOID_TAGS:
            self.stack.append((tag, element))

    def handle_endtag(self, tag: str) -> None:
        tags = [open_tag for open_tag, _element in self.stack]
        if tag in tags:
            del self.stack[len(tags) - 1 - tags[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        for holder in self._open():
            holder.parts.append(data)


def read_page(content: bytes) -> Element:
    reader = _Reader()
    reader.feed(content.decode())
    reader.close()
    return reader.root
