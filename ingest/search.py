"""Full-text search over the archive: what is indexed, how a clerk's query is read, snippets.

The index (the registry's ``search_index``, SQLite FTS5, contentless: the text stays
in ``submissions``) holds each part of a submission — title, people (bylines),
body, furniture — as folded **character bigrams**: each run of Chinese characters
as its overlapping pairs (养老护理 → 养老 老护 护理) and its last character alone
(理), Latin words and numbers whole. A query term is the phrase of the same tokens
(a lone character: a prefix, 砂*), so any string a clerk types is found wherever it
stands, however a segmenter would cut the text around it (河砂 inside 采河砂石,
白沙河 where jieba cuts 白 沙河). BM25 ranks the phrases with the title weighted
most, so a title hit comes first.

Measured on 100,000 generated submissions (benchmarks/search.py): indexing jieba's
search-mode words found 0.83 of the known answers (0.47 for the worst query),
fewer than FTS5's trigram tokenizer (0.85); indexing words and characters and
matching either cost 0.8 s at p95. Single characters found every answer; bigrams
find every answer too, at about half the cost of single characters for common
phrases, in an index of the same size (2.8 KB a submission).

jieba reads the **query**: a clerk types 白沙河路灯 without a space and means two
words; an unquoted term longer than four characters is cut into words (with the
office's own words — place names, units, names from the register — kept whole,
single characters joined to a neighbour) and every word must be found. Terms
separated by spaces must all be found; quotation marks keep a stretch exact.

Text is folded before indexing and querying (``fold_words``): traditional
characters find their simplified twins, full-width letters and digits their
half-width ones, case is ignored, invisible characters are dropped.

Nothing a clerk types is FTS5 syntax: ``"``, ``*``, ``NEAR``, ``OR``, ``-`` and
parentheses are just characters (every phrase is quoted when the expression is
built), so no query can cause an SQLite error.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from common.errors import InputError
from ingest.screening.fold import fold_words

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
SNIPPET_CHARS = 80
COLUMNS = ("title", "people", "body", "furniture")
# Column weights for BM25, in the table's column order: a hit in the title ranks first.
WEIGHTS = (10.0, 4.0, 1.0, 0.3)
# An unquoted term up to this long is one phrase; a longer one is cut into words.
_WHOLE_TERM = 4

_IDEOGRAPH = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# One token: an ideograph alone, or a run of letters and digits.
_TOKEN = re.compile(rf"[{_IDEOGRAPH}]|[^\W_{_IDEOGRAPH}]+")
# A run: Chinese characters together, or letters and digits together.
_RUN = re.compile(rf"[{_IDEOGRAPH}]+|[^\W_{_IDEOGRAPH}]+")
_CJK = re.compile(rf"[{_IDEOGRAPH}]")
_MEANINGFUL = re.compile(rf"[{_IDEOGRAPH}]|[^\W_]")


@functools.cache
def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def add_words(words: Iterable[str]) -> int:
    """Teach the query reader local words (place names, units, names from the register and
    the office's lists), so a query keeps them whole. Returns how many."""
    jieba = _jieba()
    added = 0
    for word in words:
        folded = fold_words(word).text.strip()
        if 2 <= len(folded) <= 20 and " " not in folded and _MEANINGFUL.search(folded):
            jieba.add_word(folded, freq=20000)
            added += 1
    return added


def grams(text: str) -> str:
    """A part's text for the index: folded, Chinese runs as bigrams and their last
    character, Latin words and numbers whole."""
    out: list[str] = []
    for run in _RUN.findall(fold_words(text).text):
        if _CJK.match(run):
            out += [run[i : i + 2] for i in range(len(run) - 1)]
            out.append(run[-1])
        else:
            out.append(run)
    return " ".join(out)


def _term_phrase(term: str) -> str:
    """A term as the FTS5 phrase of the index's own tokens (see the module docstring)."""
    runs = _RUN.findall(term)
    tokens: list[str] = []
    prefix = False
    for n, run in enumerate(runs):
        last = n == len(runs) - 1
        if not _CJK.match(run):
            tokens.append(run)
        elif len(run) == 1 and last:
            tokens.append(run)
            prefix = True  # 砂 starts a pair (砂石) or ends a run (砂。): any token from 砂
        else:
            tokens += [run[i : i + 2] for i in range(len(run) - 1)]
            if not last:  # the run ends here in the text too: its last character stands alone
                tokens.append(run[-1])
    return _phrase(tokens) + ("*" if prefix else "")


@dataclass(frozen=True)
class Query:
    """A clerk's query, read: its phrases (folded) and the FTS5 expression that finds them."""

    terms: tuple[str, ...]
    expression: str


def parse(text: str) -> Query:
    """Read a query (see the module docstring); InputError in Chinese if it cannot be one."""
    if len(text) > MAX_QUERY_CHARS:
        raise InputError(
            f"查询内容过长（{len(text)} 字）；请只输入关键词，不超过 {MAX_QUERY_CHARS} 字"
        )
    folded = fold_words(text).text
    terms: list[str] = []
    for match in re.finditer(r'"([^"]*)"|(\S+)', folded):
        quoted, plain = match.group(1), match.group(2)
        if quoted is not None:
            terms.append(quoted.strip())
        elif plain is not None:
            terms += _words_of(plain)
    terms = list(dict.fromkeys(t for t in terms if t and _MEANINGFUL.search(t)))
    if not terms:
        raise InputError("请输入要查找的字词（查询中没有文字或数字）")
    if len(terms) > MAX_TERMS:
        raise InputError(f"查询词过多（{len(terms)} 个）；请不超过 {MAX_TERMS} 个")
    return Query(tuple(terms), " AND ".join(_term_phrase(t) for t in terms))


def _words_of(term: str) -> list[str]:
    """An unquoted term: whole if short, else cut into words, lone characters joined on."""
    core = "".join(_TOKEN.findall(term))
    if len(core) <= _WHOLE_TERM or not re.search(f"[{_IDEOGRAPH}]", core):
        return [term]
    pieces = [p for p in _jieba().cut(term, HMM=False) if _MEANINGFUL.search(p)]
    words: list[str] = []
    for piece in pieces:
        if words and (len(piece) == 1 or len(words[-1]) == 1):
            words[-1] += piece
        else:
            words.append(piece)
    return words


def _phrase(tokens: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'


@dataclass(frozen=True)
class Snippet:
    """A stretch of a text around the first hit, and where the hits stand in it."""

    text: str
    hits: tuple[tuple[int, int], ...]  # (start, end) offsets into ``text``

    def marked(self, before: str = "【", after: str = "】") -> str:
        out, at = [], 0
        for start, end in self.hits:
            out += [self.text[at:start], before, self.text[start:end], after]
            at = end
        out.append(self.text[at:])
        return "".join(out)


def snippet(text: str, terms: Iterable[str], width: int = SNIPPET_CHARS) -> Snippet:
    """The part of ``text`` around its first hit of any term (found as the index finds
    it: folded, ignoring spaces and punctuation between characters), whitespace collapsed."""
    folded = fold_words(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        tokens = _TOKEN.findall(term)
        if tokens:
            pattern = r"[\W_]*".join(re.escape(t) for t in tokens)
            spans += [folded.span(m.start(), m.end()) for m in re.finditer(pattern, folded.text)]
    if not spans:
        return Snippet(_clip(" ".join(text[: 4 * width].split()), 0, width), ())
    spans.sort()
    low = max(0, spans[0][0] - width // 3)
    # Only the window is collapsed (a text may be long): its offsets are mapped one by one.
    window = text[low : low + 2 * width]
    squeeze = _squeezed_offsets(window)
    flat = " ".join(window.split())
    end = min(len(flat), width)
    hits = [(squeeze[a - low], squeeze[b - low])
            for a, b in _merged(spans) if low <= a and b - low <= len(window)]  # fmt: skip
    prefix = "…" if low > 0 else ""
    suffix = "…" if low + len(window) < len(text) or end < len(flat) else ""
    shown = [(a + len(prefix), b + len(prefix)) for a, b in hits if a >= 0 and b <= end]
    return Snippet(prefix + flat[:end] + suffix, tuple(shown))


def _clip(text: str, start: int, width: int) -> str:
    return text[start : start + width] + ("…" if len(text) > start + width else "")


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _squeezed_offsets(text: str) -> list[int]:
    """For each offset of ``text`` (and its end), the offset in ``" ".join(text.split())``."""
    out = []
    at = 0
    started = False
    pending_space = False
    for ch in text:
        if ch.isspace():
            pending_space = started
            out.append(at)  # (an end offset here ends right after the character before)
            continue
        if pending_space:
            at += 1
            pending_space = False
        out.append(at)
        at += 1
        started = True
    out.append(at)
    return out
