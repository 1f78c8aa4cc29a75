"""Near duplicates against the whole archive: LSH candidates, estimated, then verified.

1. The LSH index proposes candidates: earlier texts sharing a band key.
2. Their stored MinHash signatures estimate resemblance (Jaccard) and, with the
   shingle-set sizes, containment; clearly unrelated candidates stop here.
3. The rest are verified exactly on their shingle sets. A text resembles an
   earlier one when the Jaccard similarity reaches ``near_threshold``; it is
   contained in (or contains) one when the share of the shorter text's shingles
   found in the longer reaches ``containment_threshold``.
4. Each match carries the shared passages, with offsets in both texts.
"""

from __future__ import annotations

import numpy as np

from ingest.options import IngestOptions
from ingest.record import Finding
from ingest.registry import Registry
from ingest.screening.fold import fold_compact
from ingest.screening.index import IndexEntry, index_entry
from ingest.screening.minhash import shingle_hashes
from ingest.screening.passages import shared_passages

# Candidates whose estimate is below this share of a threshold are not verified.
_ESTIMATE_SLACK = 0.6
_MAX_VERIFIED = 30
_MAX_REPORTED = 5


def find_near_duplicates(text: str, entry: IndexEntry, registry: Registry,
                         options: IngestOptions) -> list[Finding]:  # fmt: skip
    """Findings (kind ``duplicate``) for earlier submissions this text nearly repeats."""
    if entry.signature is None:
        return []
    candidates = registry.lsh_candidates(entry.signature.bands)
    if not candidates:
        return []
    ids = list(candidates)
    # All candidates' signatures compared at once: one row per candidate.
    stacked = np.frombuffer(b"".join(candidates[i][0] for i in ids), dtype="<u4").reshape(
        len(ids), -1
    )
    jaccards = (stacked == entry.signature.values()).mean(axis=1)
    estimated = []
    for submission_id, jaccard in zip(ids, jaccards.tolist(), strict=True):
        containment = _containment(jaccard, entry.signature.size, candidates[submission_id][1])
        if (jaccard >= options.near_threshold * _ESTIMATE_SLACK
                or containment >= options.containment_threshold * _ESTIMATE_SLACK):  # fmt: skip
            estimated.append((max(jaccard, containment), submission_id))
    estimated.sort(reverse=True)
    my_shingles = shingle_hashes(fold_compact(text).text, options.dedup.shingle)
    found = []
    for _, submission_id in estimated[:_MAX_VERIFIED]:
        other_text, other_name = registry.text_of(submission_id)
        finding = _verify(text, my_shingles, submission_id, other_text, other_name, options)
        if finding is not None:
            found.append(finding)
    found.sort(key=lambda f: -f.detail["similarity"])
    return found[:_MAX_REPORTED]


def _containment(jaccard: float, size_a: int, size_b: int) -> float:
    if not size_a or not size_b:
        return 0.0
    shared = jaccard * (size_a + size_b) / (1 + jaccard)
    return min(1.0, shared / min(size_a, size_b))


def _verify(text: str, mine: np.ndarray, other_id: str, other_text: str, other_name: str,
            options: IngestOptions) -> Finding | None:  # fmt: skip
    theirs = shingle_hashes(fold_compact(other_text).text, options.dedup.shingle)
    if not mine.size or not theirs.size:
        return None
    shared = np.intersect1d(mine, theirs, assume_unique=True).size
    jaccard = shared / (mine.size + theirs.size - shared)
    containment = shared / min(mine.size, theirs.size)
    if jaccard >= options.near_threshold:
        relation, similarity = "resembles", jaccard
    elif containment >= options.containment_threshold:
        relation = "contained_in" if mine.size <= theirs.size else "contains"
        similarity = containment
    else:
        return None
    passages = shared_passages(text, other_text)
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
            "passages": [p.as_dict() for p in passages],
        },
    )


def ensure_index(registry: Registry, options: IngestOptions) -> int:
    """Rebuild the stored index if it was built with other parameters; returns texts indexed."""
    key = options.dedup.key() + f"/min{options.min_dedup_chars}"
    current = registry.index_key()
    if current == key:
        return 0
    if current is None and not any(True for _ in registry.texts()):
        registry.set_index_key(key)
        return 0
    entries = ((sid, index_entry(text, options)) for sid, text in list(registry.texts()))
    return registry.rebuild_index(key, entries)
