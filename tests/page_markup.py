"""What a rendered page gives the browser to run: inline scripts, handler attributes and the
Alpine expressions, read the way the browser reads them (entities decoded), and whether Alpine's
CSP build can evaluate those expressions."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

JSON_TYPES = {"application/json", "application/ld+json"}


def _is_alpine(name: str) -> bool:
    return name.startswith(("x-", "@", ":")) and name not in {"x-cloak", "x-ref"}


@dataclass
class PageMarkup(HTMLParser):
    """Collects, for one HTML document, what could run as code in it."""

    inline_scripts: list[str] = field(default_factory=list)
    json_scripts: dict[str, str] = field(default_factory=dict)
    handlers: list[tuple[str, str, str]] = field(default_factory=list)
    alpine_expressions: list[tuple[str, str]] = field(default_factory=list)
    _script: tuple[str, str | None] | None = None
    _text: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name, value or ""))
            elif _is_alpine(name):
                self.alpine_expressions.append((name, value or ""))
        if tag == "script":
            attributes = dict(attrs)
            kind = (attributes.get("type") or "").lower()
            if kind in JSON_TYPES:
                self._script = ("json", attributes.get("id"))
            elif attributes.get("src"):
                self._script = ("external", None)
            else:
                self._script = ("inline", None)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self._script is None:
            return
        kind, element_id = self._script
        text = "".join(self._text)
        if kind == "inline":
            self.inline_scripts.append(text)
        elif kind == "json" and element_id:
            self.json_scripts[element_id] = text
        self._script = None

    def json_value(self, element_id: str) -> Any:
        return json.loads(self.json_scripts[element_id])

    def code_containing(self, text: str) -> list[str]:
        """Every inline script, handler and Alpine expression in which ``text`` appears."""
        found = [script for script in self.inline_scripts if text in script]
        found += [f"{tag} {name}={value}" for tag, name, value in self.handlers if text in value]
        found += [f"{name}={value}" for name, value in self.alpine_expressions if text in value]
        return found


def page_markup(html: str | bytes) -> PageMarkup:
    markup = PageMarkup()
    markup.feed(html.decode() if isinstance(html, bytes) else html)
    markup.close()
    return markup


ALPINE_CSP_BUILD = Path(__file__).resolve().parents[1] / "node_modules" / "@alpinejs" / "csp" / "dist" / "cdn.js"
# Runs each expression through the CSP build's own tokenizer and parser (taken from its source,
# between these two markers) and refuses property assignments, which its evaluator rejects.
PARSER_CHECK = """
const exprs = JSON.parse(require("fs").readFileSync(0, "utf8"));
const refused = [];
for (const expression of exprs) {
  try {
    const ast = new Parser(new Tokenizer(expression).tokenize()).parse();
    if (ast.type === "AssignmentExpression" && ast.left.type === "MemberExpression") {
      throw new Error("property assignment");
    }
  } catch (error) {
    refused.push(expression + " -> " + error.message);
  }
}
process.stdout.write(JSON.stringify(refused));
"""


def refused_by_alpine_csp_build(expressions: list[tuple[str, str]]) -> list[str]:
    """The Alpine expressions (attribute, value) the CSP build cannot evaluate."""
    source = ALPINE_CSP_BUILD.read_text()
    parser = source[source.index("var Token = class") : source.index("var Evaluator = class")]
    checked = []
    for name, value in expressions:
        if name.startswith("x-for") or (name == "x-data" and not value):
            continue
        checked.append(f"{value} = __placeholder" if name.startswith("x-model") else value)
    result = subprocess.run(
        ["node", "-e", parser + PARSER_CHECK],
        input=json.dumps(sorted(set(checked))),
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(result.stdout))
