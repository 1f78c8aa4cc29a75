"""Evidence for a near duplicate: the passages two texts share, with offsets in both.

Works on the compact folded forms (so punctuation and spacing changes do not
break a run) and maps every run back to offsets in the original texts. Runs are
found from anchors — every k-character substring of one text indexed by
position — and extended greedily, which is linear in practice.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.screening.fold import Folded, fold_compact

_ANCHOR = 6
_MIN_RUN = 10
_MAX_PASSAGES = 20


@dataclass(frozen=True)
class Passage:
    start: int  # in the new text
    end: int
    other_start: int  # in the earlier text
    other_end: int

    def as_dict(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end, "other_start": self.other_start,
                "other_end": self.other_end}  # fmt: skip


def shared_passages(text: str, other: str) -> list[Passage]:
    """Passages of ``text`` that also stand in ``other``, longest first (at most 20)."""
    mine, theirs = fold_compact(text), fold_compact(other)
    runs = _runs(mine.text, theirs.text)
    runs.sort(key=lambda r: -r[2])
    return [_passage(mine, theirs, i, j, n) for i, j, n in runs[:_MAX_PASSAGES]]


def _runs(a: str, b: str) -> list[tuple[int, int, int]]:
    """Maximal common runs (start in a, start in b, length) of at least _MIN_RUN characters."""
    anchors: dict[str, list[int]] = {}
    for j in range(len(b) - _ANCHOR + 1):
        anchors.setdefault(b[j : j + _ANCHOR], []).append(j)
    runs = []
    i = 0
    while i <= len(a) - _ANCHOR:
        best = (0, 0)
        for j in anchors.get(a[i : i + _ANCHOR], ())[:8]:
            n = _ANCHOR
            while i + n < len(a) and j + n < len(b) and a[i + n] == b[j + n]:
                n += 1
            if n > best[0]:
                best = (n, j)
        if best[0] >= _MIN_RUN:
            runs.append((i, best[1], best[0]))
            i += best[0]
        else:
            i += 1
    return runs


def _passage(mine: Folded, theirs: Folded, i: int, j: int, n: int) -> Passage:
    start, end = mine.span(i, i + n)
    other_start, other_end = theirs.span(j, j + n)
    return Passage(start, end, other_start, other_end)
