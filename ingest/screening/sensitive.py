"""Sensitive content: 密级 marks, lexicon terms and out-of-scope topics, and personal data.

Lexicon hits come from one automaton over the folded text. Terms in the
``secret.marking`` category are the words of 密级 marks (秘密, 内部资料…); they
count only where they stand as a mark: followed by ★ (秘密★1年, or 秘密*1年),
after a 密级 label, inside brackets, alone on their line, or at either end of a
line and set off from its other text by a space (``机密  政协某县委员会办公室``).
In running prose such words are ordinary language and are not reported. All of
it is read through ``fold``, so invisible characters, other star glyphs and
spaces inside a word disguise nothing.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.record import Finding, Record
from ingest.screening.fold import BLANKS, Folded, fold
from ingest.screening.lexicon import Hit, Matcher
from ingest.screening.pii import find_pii

SECRET = "secret.marking"
_CONTEXT = 12  # characters of context kept on each side of a hit
_STAR_PERIOD = re.compile(r"★(?:\d{1,3}(?:年|个月|月)|长期)?")
_PERIOD = re.compile(r"(?:\d{1,3}(?:年|个月|月)|长期)")
_LABEL_BEFORE = re.compile(r"密级[:：]?$")
_OPEN, _CLOSE = "（(【[〔「", "）)】]〕」"
_MARK_LINE_REST = re.compile(
    r"^(?:密级|★|\d{1,3}(?:年|个月)|长期|[\s:：,，、。;；()（）【】\[\]〔〕「」])*$"
)


def find_sensitive(record: Record, matcher: Matcher) -> list[Finding]:
    """Lexicon, topic, 密级 and PII findings for a record's text, in text order."""
    folded = fold(record.text)
    hits = _outermost(_marks_in_context(folded, matcher, record.text))
    findings = [_finding(hit, folded, record.text) for hit in hits]
    findings += find_pii(record.text, folded.text)
    return sorted(findings, key=lambda f: (f.start or 0, f.category))


def find_hidden(record: Record, matcher: Matcher) -> list[Finding]:
    """The same findings in the record's hidden passages (pictures' OCR, annotations, form
    fields); they point at no offset of the text but say ``where`` in their detail."""
    findings = []
    for passage in record.hidden:
        probe = replace(record, text=passage.text, hidden=())
        for f in find_sensitive(probe, matcher):
            detail = {**f.detail, "where": passage.where}
            findings.append(replace(f, start=None, end=None, detail=detail))
    return findings


def _marks_in_context(folded: Folded, matcher: Matcher, original: str) -> list[Hit]:
    hits = matcher.hits(folded)
    text = folded.text
    kept: list[Hit] = []
    for hit in hits:
        if SECRET not in hit.categories:
            kept.append(hit)
            continue
        star = _STAR_PERIOD.match(text, hit.end) or _asterisk_period(folded, original, hit)
        if star:
            kept.append(Hit(hit.start, star.end(), hit.term, hit.categories))
        elif (
            _LABEL_BEFORE.search(text, 0, hit.start)
            or (
                hit.start > 0
                and text[hit.start - 1] in _OPEN
                and text[hit.end : hit.end + 1] in _CLOSE
            )
            or _alone_on_line(text, hit, hits)
            or _set_off_at_line_end(folded, original, hit)
        ):
            kept.append(hit)
        else:
            others = tuple(c for c in hit.categories if c != SECRET)
            if others:  # the same word may also be an office's own lexicon term
                kept.append(Hit(hit.start, hit.end, hit.term, others))
    return kept


def _outermost(hits: list[Hit]) -> list[Hit]:
    """One hit per passage: the longest of nested hits (越级上访 over 上访), and of two
    overlapping hits of one category the first (起诉 in 提起诉讼, not also 诉讼)."""
    ordered = sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[Hit] = []
    for hit in ordered:
        if any(k.start <= hit.start and hit.end <= k.end for k in kept):
            continue
        if any(hit.start < k.end and k.categories == hit.categories for k in kept):
            continue
        kept.append(hit)
    return kept


def _alone_on_line(text: str, hit: Hit, hits: list[Hit]) -> bool:
    """True when the line holds nothing but 密级 words and their decorations."""
    start = text.rfind("\n", 0, hit.start) + 1
    end = text.find("\n", hit.end)
    end = len(text) if end == -1 else end
    line = list(text[start:end])
    for other in hits:
        if SECRET in other.categories and start <= other.start and other.end <= end:
            line[other.start - start : other.end - start] = [" "] * (other.end - other.start)
    return bool(_MARK_LINE_REST.match("".join(line)))


def _asterisk_period(folded: Folded, original: str, hit: Hit) -> re.Match[str] | None:
    """秘密*1年: the star typed as an asterisk (which folding drops as noise)."""
    if "*" not in _gap_after(folded, original, hit.end).replace("＊", "*"):
        return None
    period = _PERIOD.match(folded.text, hit.end)
    return period if period and period.end() > hit.end else None


def _gap_after(folded: Folded, original: str, end: int) -> str:
    """The original characters that folding dropped right after folded offset ``end``."""
    return original[folded.original_end(end) : folded.original(end)] if end else ""


def _set_off_at_line_end(folded: Folded, original: str, hit: Hit) -> bool:
    """A mark at the start or end of its line, set off from the rest by a space."""
    text = folded.text
    line_start = text.rfind("\n", 0, hit.start) + 1
    line_end = text.find("\n", hit.end)
    line_end = len(text) if line_end == -1 else line_end
    at_start = not text[line_start : hit.start].strip(_OPEN + "★")
    at_end = not text[hit.end : line_end].strip(_CLOSE)
    space_before = _is_gap(_gap_after(folded, original, hit.start))
    space_after = _is_gap(_gap_after(folded, original, hit.end))
    return (at_start and space_after) or (at_end and space_before)


def _is_gap(dropped: str) -> bool:
    """Whether dropped characters print as a space (not merely as nothing)."""
    return any(c.isspace() or c in BLANKS for c in dropped)


def _finding(hit: Hit, folded: Folded, text: str) -> Finding:
    start, end = folded.span(hit.start, hit.end)
    category = SECRET if SECRET in hit.categories else hit.categories[0]
    return Finding(
        kind="sensitive",
        category=category,
        text=text[start:end],
        start=start,
        end=end,
        detail={
            "term": hit.term,
            "context": text[max(0, start - _CONTEXT) : end + _CONTEXT],
            **({"also": list(hit.categories[1:])} if len(hit.categories) > 1 else {}),
        },
    )
