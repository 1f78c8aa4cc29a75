"""Near-duplicate detection: minyi's LSH index against brute-force fuzzy matching.

Builds synthetic archives (default 1k, 10k and 100k documents; see corpus.py)
in a real SQLite registry and prints, per size:

* registration time per document (signature, normalised-text hash, index insert);
* query time per document for minyi (LSH candidates, estimate, exact check,
  passages) and for brute force — rapidfuzz ``ratio`` of the query against every
  archived text, as paperless-ngx's fuzzy matcher does — on the same queries;
* precision and recall on planted near duplicates, contained copies and
  same-topic hard negatives; index size per document.

Usage: python benchmarks/dedup.py [--sizes 1000 10000 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).parent))
from corpus import Corpus, Doc

from ingest.options import IngestOptions
from ingest.receipt import Disposition, Receipt
from ingest.record import Format, Page, Record
from ingest.registry import Registry
from ingest.screening.dedup import DuplicateIndex
from ingest.screening.index import index_entry


def record_of(i: int, text: str) -> Record:
    return Record(sha256=f"{i:064x}", original_name=f"{i:06d}.txt", format=Format.TEXT,
                  pages=(Page(1, text),), text=text, received_at="2026-03-05T10:00:00+08:00",
                  stored_as="archive/x")  # fmt: skip


def build(
    registry: Registry, corpus: Corpus, size: int, options: IngestOptions
) -> tuple[list[Doc], float]:
    DuplicateIndex(registry, options)  # records the index parameters, as minyi process does
    docs = [corpus.document() for _ in range(size)]
    receipt = Receipt(file="", source="", received_at="2026-03-05T10:00:00+08:00",
                      disposition=Disposition.REGISTERED)  # fmt: skip
    started = time.perf_counter()
    for i, doc in enumerate(docs):
        text = doc.text()
        registry.register(record_of(i, text), replace(receipt, file=f"{i:06d}.txt"),
                          index_entry(text, options))  # fmt: skip
    return docs, (time.perf_counter() - started) / size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--brute-queries", type=int, default=20)
    args = parser.parse_args()
    options = IngestOptions()
    print(f"params: {options.dedup.key()}, jaccard >= {options.near_threshold}, "
          f"containment >= {options.containment_threshold}")  # fmt: skip
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "registry.sqlite3"
            registry = Registry.open(path)
            corpus = Corpus(seed=size)
            docs, per_doc = build(registry, corpus, size, options)
            print(f"\n{size} documents: registration {per_doc * 1000:.2f} ms/doc, "
                  f"registry {os.path.getsize(path) / size / 1024:.1f} KiB/doc")  # fmt: skip
            measure(registry, corpus, docs, options, args.queries, args.brute_queries)
            registry.close()


def measure(registry: Registry, corpus: Corpus, docs: list[Doc], options: IngestOptions,
            queries: int, brute_queries: int) -> None:  # fmt: skip
    picks = [corpus.rng.randrange(len(docs)) for _ in range(queries)]
    planted = [("near", i, corpus.near_duplicate(docs[i]).text()) for i in picks[: queries // 2]]
    planted += [("contained", i, corpus.contained(docs[i]).text()) for i in picks[queries // 2 :]]
    negatives = [corpus.hard_negative(docs[i]).text() for i in picks]
    tp = fn = fp = 0
    started = time.perf_counter()
    index = DuplicateIndex(registry, options)
    print(
        f"  index load       {(time.perf_counter() - started) * 1000:8.1f} ms (signatures into memory)"
    )
    started = time.perf_counter()
    for _kind, i, text in planted:
        found = index.find(text, index_entry(text, options))
        ids = {f.detail["id"] for f in found}
        hit = f"2026-{i + 1:04d}" in ids
        tp += hit
        fn += not hit
        fp += len(ids) - hit
    for text in negatives:
        fp += len(index.find(text, index_entry(text, options)))
    seconds = (time.perf_counter() - started) / (len(planted) + len(negatives))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn)
    print(f"  minyi query      {seconds * 1000:8.2f} ms/doc   precision {precision:.3f}  recall {recall:.3f}"
          f"  (planted {len(planted)}, hard negatives {len(negatives)})")  # fmt: skip
    texts = [d.text() for d in docs]
    started = time.perf_counter()
    for _, _, text in planted[:brute_queries]:
        process.extract(text, texts, scorer=fuzz.ratio, limit=5, score_cutoff=60)
    brute = (time.perf_counter() - started) / min(brute_queries, len(planted))
    print(f"  brute force      {brute * 1000:8.2f} ms/doc   (rapidfuzz ratio over all texts, "
          f"{min(brute_queries, len(planted))} queries)")  # fmt: skip
    print(f"  ratio brute/minyi {brute / seconds:7.1f}x")


if __name__ == "__main__":
    main()
