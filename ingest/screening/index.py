"""What the duplicate index keeps for one text: its normalised-text hash and its signature."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ingest.options import IngestOptions
from ingest.screening.fold import fold_compact
from ingest.screening.minhash import Signature, shingle_hashes, signature_of


@dataclass(frozen=True)
class IndexEntry:
    """None for both when the text is too short ever to match anything."""

    text_hash: str | None
    signature: Signature | None


def index_entry(text: str, options: IngestOptions) -> IndexEntry:
    compact = fold_compact(text).text
    if len(compact) < options.min_dedup_chars:
        return IndexEntry(None, None)
    digest = hashlib.sha256(compact.encode("utf-8")).hexdigest()
    hashes = shingle_hashes(compact, options.dedup.shingle)
    return IndexEntry(digest, signature_of(hashes, options.dedup))
