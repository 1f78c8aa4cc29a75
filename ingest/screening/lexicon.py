"""Lexicons: term lists in plain UTF-8 files, compiled into one Aho-Corasick automaton.

A lexicon file holds one term per line, optionally followed by a tab and a
category (``topic.petition``); a term without one is reported as
``lexicon.<file stem>``. Lines starting with ``#`` are comments. A whitelist
file holds phrases inside which nothing is reported. The shipped defaults (密级
marks, out-of-scope topics, a whitelist) are always loaded; offices add their
own files in settings or for one run with ``--lexicon``.

Terms are folded exactly as texts are (see ``fold``), so one automaton over
the folded text finds every variant. The automaton is rebuilt only when a file
changes (its size or modification time), so edits take effect without restart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import ahocorasick_rs

from common.errors import ConfigError, describe_os_error
from ingest.screening.fold import Folded, fold_term

DEFAULTS = Path(__file__).parent / "lexicons"
DEFAULT_LEXICONS = (DEFAULTS / "secret.txt", DEFAULTS / "topics.txt")
DEFAULT_WHITELISTS = (DEFAULTS / "whitelist.txt",)


@dataclass(frozen=True)
class Hit:
    """A lexicon term found: folded span, the term as written, its categories."""

    start: int
    end: int
    term: str
    categories: tuple[str, ...]


class Matcher:
    """The compiled lexicon: terms and whitelist phrases in one automaton over folded text."""

    def __init__(self, terms: dict[str, tuple[str, set[str]]], whitelist: set[str]) -> None:
        self.size = len(terms)
        # folded key → (the term as written, its categories, whether it is whitelisted)
        entries: dict[str, tuple[str, tuple[str, ...], bool]] = {
            key: (term, tuple(sorted(categories)), False)
            for key, (term, categories) in terms.items()
        }
        for key in whitelist:
            term, categories, _ = entries.get(key, ("", (), True))
            entries[key] = (term, categories, True)
        self._values = list(entries.values())
        # ahocorasick-rs (Rust): 3.4 times pyahocorasick's speed over Chinese text with a
        # 20,000-term lexicon, and 8 MB (benchmarks/sensitive.py). It picks its own form:
        # a DFA for a small lexicon, a contiguous NFA for a large one (a DFA of 20,000
        # terms took 94 MB).
        self._automaton = ahocorasick_rs.AhoCorasick(list(entries)) if entries else None

    def hits(self, folded: Folded) -> list[Hit]:
        """Term hits (by end, the longest first at one end), except those lying inside a
        whitelisted phrase."""
        if self._automaton is None:
            return []
        found: list[Hit] = []
        white: list[tuple[int, int]] = []
        matches = self._automaton.find_matches_as_indexes(folded.text, overlapping=True)
        for index, start, end in sorted(matches, key=lambda m: (m[2], m[1])):
            term, categories, whitelisted = self._values[index]
            if whitelisted:
                white.append((start, end))
            if categories:
                found.append(Hit(start, end, term, categories))
        if not white:
            return found
        return [h for h in found if not any(s <= h.start and h.end <= e for s, e in white)]


class Lexicons:
    """The defaults plus an office's own files; recompiled when any file changes."""

    def __init__(self, lexicons: tuple[Path, ...] = (), whitelists: tuple[Path, ...] = ()) -> None:
        self.lexicons = DEFAULT_LEXICONS + tuple(lexicons)
        self.whitelists = DEFAULT_WHITELISTS + tuple(whitelists)
        self._version: tuple[tuple[str, int, int], ...] | None = None
        self._matcher: Matcher | None = None

    def matcher(self) -> Matcher:
        version = tuple(_stamp(p) for p in (*self.lexicons, *self.whitelists))
        if self._matcher is None or version != self._version:
            self._matcher = self._compile()
            self._version = version
        return self._matcher

    def _compile(self) -> Matcher:
        terms: dict[str, tuple[str, set[str]]] = {}
        for path in self.lexicons:
            for term, category in read_lexicon(path):
                key = fold_term(term)
                if key:
                    terms.setdefault(key, (term, set()))[1].add(category)
        whitelist = {fold_term(t) for p in self.whitelists for t, _ in read_lexicon(p)}
        return Matcher(terms, {w for w in whitelist if w})


def read_lexicon(path: Path) -> list[tuple[str, str]]:
    """(term, category) pairs of one lexicon file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"无法读取词库文件「{path}」：{describe_os_error(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"词库文件「{path}」不是 UTF-8 编码；请另存为 UTF-8") from exc
    default = f"lexicon.{path.stem}"
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        term, _, category = line.partition("\t")
        pairs.append((term.strip(), category.strip() or default))
    return pairs


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (str(path), -1, -1)
    return (str(path), st.st_mtime_ns, st.st_size)
