"""Text normalisation for storage: one canonical form every later stage relies on.

Unicode NFC, one kind of line ending, no invisible or control characters, one
paragraph per line with no blank lines. Full-width punctuation is kept as it is:
it is part of correct Chinese text.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that only get in the way of matching and display.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Every kind of line or paragraph break becomes "\n".
_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
# C0/C1 controls other than tab and newline.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
# Whitespace at paragraph ends, including the ideographic space used for indentation.
_STRIP = " \t\u3000\u00a0"


def normalise(text: str) -> str:
    """Return ``text`` in storage form: NFC, paragraphs separated by single newlines."""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_INVISIBLE)
    text = _BREAKS.sub("\n", text)
    text = _CONTROLS.sub("", text)
    text = text.replace("\u00a0", " ")
    return "\n".join(p for p in paragraphs(text))


def paragraphs(text: str) -> list[str]:
    """Split text into its non-empty paragraphs, each stripped of edge whitespace."""
    out = []
    for line in text.split("\n"):
        line = line.strip(_STRIP)
        if line:
            out.append(line)
    return out
