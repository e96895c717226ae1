"""Readable plain text from an HTML email body (stdlib html.parser; pure).

Block elements start new lines, list items get a dash, links keep their address after the
text, and scripts, styles and the head are dropped. Entities are decoded by the parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {
        "address", "article", "blockquote", "div", "dl", "dt", "dd", "fieldset", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
    }
)  # fmt: skip
_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping = 0
        self._href: list[str] = []
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag == "br":
            self.chunks.append("\n")
        elif tag in _BLOCKS:
            self.chunks.append("\n")
            if tag == "li":
                self.chunks.append("- ")
            if tag == "pre":
                self._pre += 1
        elif tag in ("td", "th"):
            self.chunks.append(" ")
        if tag == "a":
            self._href.append(dict(attrs).get("href") or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.chunks.append("\n")
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
        elif tag == "a" and self._href:
            href = self._href.pop()
            if href.startswith(("http://", "https://")) and not self._last_text_is(href):
                self.chunks.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        self.chunks.append(data if self._pre else re.sub(r"\s+", " ", data))

    def _last_text_is(self, href: str) -> bool:
        return bool(self.chunks) and self.chunks[-1].strip() == href


def html_to_text(html: str) -> str:
    """Plain text a person can read: at most one blank line in a row, no trailing spaces."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    text = "".join(collector.chunks).replace("\xa0", " ")
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
