"""Matching a returned list of adopted titles to the office's items.

Higher bodies send back lists of titles, often retyped: brackets, 关于/的建议
and punctuation differ. A title that matches exactly after normalising is
taken; one that only resembles an item (or resembles several) is a question
for the clerk, never a guess; one that resembles nothing is reported unmatched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

SURE = "sure"
_NOISE = re.compile(r"[\s《》〈〉「」『』“”\"'‘’（）()【】\[\]、，,。.：:；;！!？?—\-·]+")
_AFFIXES = (re.compile(r"^关于"), re.compile(r"(的)?(建议|意见|思考|对策|问题)$"))
NEAR = 0.6  # similarity from which a title is offered as a candidate


class Verdict(StrEnum):
    MATCHED = "matched"  # exactly one item, same title after normalising
    ASK = "ask"  # candidates to confirm
    UNMATCHED = "unmatched"


@dataclass(frozen=True)
class Candidate:
    submission_id: str
    title: str
    similarity: float


@dataclass(frozen=True)
class Match:
    wanted: str
    verdict: Verdict
    candidates: tuple[Candidate, ...] = field(default=())


def normalise(title: str) -> str:
    text = unicodedata.normalize("NFKC", title)
    text = _NOISE.sub("", text)
    for affix in _AFFIXES:
        text = affix.sub("", text)
    return text


def similarity(a: str, b: str) -> float:
    """Dice coefficient over character bigrams of the normalised titles."""
    x, y = _bigrams(normalise(a)), _bigrams(normalise(b))
    if not x or not y:
        return 0.0
    common = sum(min(x.count(g), y.count(g)) for g in set(x))
    return 2 * common / (len(x) + len(y))


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)] or ([text] if text else [])


def match_titles(wanted: list[str], items: dict[str, str]) -> list[Match]:
    """Each wanted title against ``items`` (submission id → title)."""
    index: dict[str, list[str]] = {}
    for sid, title in items.items():
        index.setdefault(normalise(title), []).append(sid)
    out = []
    for title in wanted:
        exact = index.get(normalise(title), [])
        if len(exact) == 1:
            sid = exact[0]
            out.append(Match(title, Verdict.MATCHED, (Candidate(sid, items[sid], 1.0),)))
            continue
        scored = sorted(
            (Candidate(sid, t, round(similarity(title, t), 3)) for sid, t in items.items()),
            key=lambda c: (-c.similarity, c.submission_id),
        )
        near = tuple(c for c in scored if c.similarity >= NEAR)[:5]
        out.append(Match(title, Verdict.ASK if near else Verdict.UNMATCHED, near))
    return out
