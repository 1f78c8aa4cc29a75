"""Near duplicates against the whole archive: LSH candidates, estimated, then verified.

1. The LSH index proposes candidates: earlier texts sharing a band key.
2. Their MinHash signatures (held in memory) estimate resemblance (Jaccard)
   and, with the shingle-set sizes, containment; clearly unrelated candidates
   stop here.
3. The rest are verified exactly on their shingle sets. A text resembles an
   earlier one when the Jaccard similarity reaches ``near_threshold``; it is
   contained in (or contains) one when the share of the shorter text's shingles
   found in the longer reaches ``containment_threshold``.
4. Each match carries the shared passages, with offsets in both texts.
"""

from __future__ import annotations

import logging

import numpy as np

from ingest.options import IngestOptions
from ingest.record import Finding
from ingest.registry import Registry
from ingest.screening.fold import fold_compact
from ingest.screening.index import IndexEntry, index_entry
from ingest.screening.minhash import shingle_hashes
from ingest.screening.passages import shared_passages

log = logging.getLogger(__name__)

# Candidates whose estimate is below this share of a threshold are not verified.
_ESTIMATE_SLACK = 0.6
_MAX_VERIFIED = 12  # the estimates rank well; more only costs time when many match
_MAX_REPORTED = 5


class DuplicateIndex:
    """Near-duplicate search over the registry's index, with the signatures held in memory.

    The signatures of all indexed submissions sit in one matrix (128 × 4 bytes
    each: 50 MB for 100,000 submissions), so estimating thousands of candidates
    is one vectorised comparison. Rows registered since — by this process or
    another — are loaded before every search.
    """

    def __init__(self, registry: Registry, options: IngestOptions) -> None:
        self.registry = registry
        self.options = options
        ensure_index(registry, options)
        width = options.dedup.num_perm
        self._rows = np.full(1024, -1, dtype=np.int64)  # rowid → row of the matrix
        self._sigs = np.empty((0, width), dtype="<u4")
        self._sizes = np.empty(0, dtype=np.int64)
        self._last = 0
        self._refresh()

    def _refresh(self) -> None:
        new = list(self.registry.signatures_after(self._last))
        if not new:
            return
        rowids = np.array([r[0] for r in new], dtype=np.int64)
        if rowids.max() >= self._rows.size:
            grown = np.full(max(int(rowids.max()) + 1, self._rows.size * 2), -1, dtype=np.int64)
            grown[: self._rows.size] = self._rows
            self._rows = grown
        self._rows[rowids] = np.arange(len(self._sizes), len(self._sizes) + len(new))
        sigs = np.frombuffer(b"".join(r[1] for r in new), dtype="<u4").reshape(len(new), -1)
        self._sigs = np.concatenate([self._sigs, sigs])
        self._sizes = np.concatenate([self._sizes, np.array([r[2] for r in new], dtype=np.int64)])
        self._last = int(rowids.max())

    def find(self, text: str, entry: IndexEntry) -> list[Finding]:
        """Findings (kind ``duplicate``) for earlier submissions this text nearly repeats."""
        if entry.signature is None:
            return []
        self._refresh()
        candidates = np.unique(self.registry.postings(entry.signature.bands))
        candidates = candidates[candidates < self._rows.size]
        rows = self._rows[candidates]
        candidates, rows = candidates[rows >= 0], rows[rows >= 0]
        if not rows.size:
            return []
        sig = entry.signature
        jaccard = (self._sigs[rows] == sig.values()).mean(axis=1)
        sizes = self._sizes[rows]
        shared = jaccard * (sig.size + sizes) / (1 + jaccard)
        containment = np.minimum(1.0, shared / np.maximum(1, np.minimum(sig.size, sizes)))
        options = self.options
        keep = (jaccard >= options.near_threshold * _ESTIMATE_SLACK) | (
            containment >= options.containment_threshold * _ESTIMATE_SLACK
        )
        score = np.maximum(jaccard, containment)[keep]
        order = np.argsort(-score)[:_MAX_VERIFIED]
        mine = shingle_hashes(fold_compact(text).text, options.dedup.shingle)
        verified = []
        for rowid in candidates[keep][order].tolist():
            other_id, other_text, other_name = self.registry.by_rowid(rowid)
            scores = _verify(mine, other_text, options)
            if scores is not None:
                verified.append((scores, other_id, other_name, other_text))
        verified.sort(key=lambda v: -v[0][0])
        # Passages (the costly part of the evidence) only for what is reported.
        return [_finding(text, *v) for v in verified[:_MAX_REPORTED]]


def _verify(mine: np.ndarray, other_text: str,
            options: IngestOptions) -> tuple[float, float, float, str] | None:  # fmt: skip
    """(similarity, jaccard, containment, relation) when the texts are near duplicates."""
    theirs = shingle_hashes(fold_compact(other_text).text, options.dedup.shingle)
    if not mine.size or not theirs.size:
        return None
    shared = np.intersect1d(mine, theirs, assume_unique=True).size
    jaccard = shared / (mine.size + theirs.size - shared)
    containment = shared / min(mine.size, theirs.size)
    if jaccard >= options.near_threshold:
        return jaccard, jaccard, containment, "resembles"
    if containment >= options.containment_threshold:
        relation = "contained_in" if mine.size <= theirs.size else "contains"
        return containment, jaccard, containment, relation
    return None


def _finding(text: str, scores: tuple[float, float, float, str], other_id: str,
             other_name: str, other_text: str) -> Finding:  # fmt: skip
    similarity, jaccard, containment, relation = scores
    return Finding(
        kind="duplicate",
        category="duplicate.near",
        detail={
            "id": other_id,
            "file": other_name,
            "similarity": round(similarity, 4),
            "jaccard": round(jaccard, 4),
            "containment": round(containment, 4),
            "relation": relation,
            "passages": [p.as_dict() for p in shared_passages(text, other_text)],
        },
    )


def ensure_index(registry: Registry, options: IngestOptions) -> int:
    """Rebuild the stored index if it was built with other parameters; returns texts indexed."""
    key = options.dedup.key() + f"/min{options.min_dedup_chars}"
    current = registry.index_key()
    if current == key:
        return 0
    if current is None and next(registry.texts(), None) is None:
        registry.set_index_key(key)
        return 0
    texts = list(registry.texts())
    # Long on a large archive (about 2 ms a text): say so, since it happens before any file.
    log.warning("查重参数已改变，正在为 %d 篇已登记信息重建查重索引……", len(texts))
    entries = ((sid, index_entry(text, options)) for sid, text in texts)
    count = registry.rebuild_index(key, entries)
    log.warning("查重索引已重建（%d 篇）。", count)
    return count
