"""Web-page submissions: .html/.htm (OA exports, Word's "web page") and .mht/.mhtml
(Word's "single-file web page"), often renamed .doc by the sender.

An .mht is a MIME message: its parts are decoded (quoted-printable, base64) and
the HTML part read; other parts (pictures, style sheets) carry no text. The
character set comes from the MIME part, a BOM, or the page's ``<meta>`` tag
(GB2312, GBK and UTF-8 are usual), else it is detected as for plain text. Markup
is removed with lxml's HTML parser (no network, comments and scripts dropped);
block elements end paragraphs, so the text reads as the page shows it, and is
never screened as raw tags or base64.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import Message

from lxml import etree, html

from common.errors import ExtractionError
from ingest.extractors import Extraction
from ingest.extractors.text import decode
from ingest.options import IngestOptions
from ingest.record import Page
from ingest.textnorm import normalise, paragraphs

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_BLOCKS = frozenset(
    ("p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "title",
     "section", "header", "footer", "table", "ul", "ol", "article", "blockquote", "pre", "dt",
     "dd", "caption", "address")
)  # fmt: skip
# The bytes handed to the parser are always UTF-8 (decoded and re-encoded here), whatever
# the page's <meta> says.
_PARSER = html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}


def extract_html(data: bytes, options: IngestOptions) -> Extraction:
    return _extraction([_parts(_decode(data, None))])


def extract_mht(data: bytes, options: IngestOptions) -> Extraction:
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    parts = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind not in ("text/html", "text/plain"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        text = _decode(payload, _charset(part))
        parts.append(_parts(text) if kind == "text/html" else ("", text))
    if not parts:
        raise ExtractionError("网页存档（.mht）中没有可读的网页正文部分，可能已损坏")
    return _extraction(parts)


def _extraction(parts: list[tuple[str, str]]) -> Extraction:
    """Head texts (the page title) are screened with the rest, but are not the body."""
    body = normalise("\n".join(b for _, b in parts))
    text = normalise("\n".join(f"{head}\n{b}" for head, b in parts))
    if not body:
        raise ExtractionError("网页中没有文字内容")
    return Extraction(pages=(Page(number=1, text=text),), body=tuple(paragraphs(body)))


def _parts(markup: str) -> tuple[str, str]:
    """(the head's text, the body's text) of a page."""
    if not markup.strip():
        return "", ""
    try:
        root = html.document_fromstring(markup.encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return "", ""
    head, body = root.find("head"), root.find("body")
    return (_shown(head) if head is not None else "", _shown(body) if body is not None else "")


def _charset(part: Message) -> str | None:
    charset = part.get_content_charset()
    return charset.lower() if charset else None


def _decode(data: bytes, charset: str | None) -> str:
    """The page's text in the character set it declares, else as plain text is decoded."""
    declared = charset
    if declared is None and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        meta = _META_CHARSET.search(data[:4096])
        declared = meta.group(1).decode("ascii").lower() if meta else None
    if declared:
        try:
            return data.decode(_ALIASES.get(declared, declared))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: detect instead
    return decode(data)


def page_text(markup: str) -> str:
    """The text a browser shows (and picture alt texts, and the title), one block a line."""
    head, body = _parts(markup)
    return f"{head}\n{body}"


def _shown(root: html.HtmlElement) -> str:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("script", "style"):
            element.text = ""
        if element.tag in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
        alt = element.get("alt") or element.get("title")
        if alt:
            element.tail = f"\n{alt}\n" + (element.tail or "")
    return str(root.text_content())
