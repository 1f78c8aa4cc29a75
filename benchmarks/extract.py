"""Extraction speed: minyi against pdfplumber and bare pypdfium2 on the same generated files.

Generates N Chinese submission PDFs (several full 公文 pages each) and N .docx
files, then measures on the same files:

* bare pypdfium2 text extraction, one process (the practical limit);
* pdfplumber ``extract_text`` (the common choice; slow on plain text);
* minyi end to end per file — detection, extraction, normalisation, paragraph
  rebuilding, recognition of title and 反映人 — in one process and in a pool;
* minyi's whole batch command path (hashing, archive, SQLite registry) too;
* for .docx: minyi against python-docx paragraph text.

Usage: python benchmarks/extract.py [--files 120] [--pages 4] [--workers 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ingest.detect import detect
from ingest.options import IngestOptions
from ingest.pipeline import Pipeline
from ingest.reader import read_bytes
from ingest.registry import Registry
from ingest.workers import Workers
from minyi import samples

sys.path.insert(0, str(Path(__file__).parent))
from corpus import Corpus


def make_corpus(folder: Path, files: int, pages: int) -> tuple[list[Path], list[Path]]:
    corpus = Corpus(seed=7)
    pdfs, docxs = [], []
    for i in range(files):
        title = f"关于第{i + 1}号问题的建议"
        body = []
        while len(body) < pages * 20:
            doc = corpus.document()
            body += [*doc.situation, *doc.problems, *doc.suggestions]
        body = ["".join(body[k : k + 5]) for k in range(0, pages * 20, 5)][: pages * 4]
        page_list = [
            ([title, "反映人：张三（县政协委员）"] if p == 0 else []) + body[p * 4 : p * 4 + 4]
            for p in range(pages)
        ]
        pdfs.append(samples.make_pdf(folder / "pdf" / f"{i:04d}.pdf", page_list))
        docxs.append(samples.make_docx(folder / "docx" / f"{i:04d}.docx", [title, *body]))
    return pdfs, docxs


def bare_pypdfium2(path: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path.read_bytes())
    for page in document:
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
    count = len(document)
    document.close()
    return count


def with_pdfplumber(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
        return len(pdf.pages)


def with_minyi(path: Path) -> int:
    data = path.read_bytes()
    record = read_bytes(data, "0" * 64, path.name, detect(data), IngestOptions())
    assert record.title, path
    return record.page_count


def with_python_docx(path: Path) -> int:
    from docx import Document

    "\n".join(p.text for p in Document(str(path)).paragraphs)
    return 1


def rate(label: str, func: Callable[[Path], int], paths: list[Path], workers: int = 1) -> float:
    started = time.perf_counter()
    if workers == 1:
        units = sum(func(p) for p in paths)
    else:
        with ProcessPoolExecutor(workers) as pool:
            units = sum(pool.map(func, paths, chunksize=4))
    seconds = time.perf_counter() - started
    print(f"  {label:<44} {units / seconds:9.1f} /s   ({units} in {seconds:.2f} s)")
    return units / seconds


def pipeline_rate(folder: Path, workers: int, pages: int) -> float:
    with (
        tempfile.TemporaryDirectory() as data_dir,
        Registry.open(Path(data_dir) / "r.db") as registry,
    ):
        data = Path(data_dir)
        with Workers(workers) as pool:
            pipe = Pipeline(registry, data, IngestOptions(), pool)
            started = time.perf_counter()
            summary = pipe.process(folder)
            seconds = time.perf_counter() - started
    total_pages = (summary.accepted + summary.flagged) * pages  # near duplicates are flagged
    print(f"  {'minyi process (hash+archive+SQLite, ' + str(workers) + ' workers)':<44} "
          f"{total_pages / seconds:9.1f} /s   ({total_pages} pages in {seconds:.2f} s)")  # fmt: skip
    return total_pages / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pdfs, docxs = make_corpus(folder, args.files, args.pages)
        print(f"PDF: {len(pdfs)} files x {args.pages} pages (pages per second)")
        bare = rate("bare pypdfium2 (1 process)", bare_pypdfium2, pdfs)
        plumber = rate(
            "pdfplumber extract_text (1 process)", with_pdfplumber, pdfs[: max(10, len(pdfs) // 4)]
        )
        one = rate("minyi extraction (1 process)", with_minyi, pdfs)
        many = rate(f"minyi extraction ({args.workers} processes)", with_minyi, pdfs, args.workers)
        full = pipeline_rate(folder / "pdf", args.workers, args.pages)
        print(f"  ratio minyi(1)/pdfplumber        {one / plumber:6.1f}x")
        print(f"  ratio minyi({args.workers})/pdfplumber        {many / plumber:6.1f}x")
        print(f"  ratio minyi(1)/bare pypdfium2    {one / bare:6.2f}")
        print(f"  ratio minyi({args.workers})/bare pypdfium2    {many / bare:6.2f}")
        print(f"  ratio minyi process/pdfplumber   {full / plumber:6.1f}x")
        print(f"DOCX: {len(docxs)} files (files per second)")
        peer = rate("python-docx paragraphs (1 process)", with_python_docx, docxs)
        ours = rate("minyi extraction (1 process)", with_minyi, docxs)
        print(f"  ratio minyi/python-docx          {ours / peer:6.2f}")


if __name__ == "__main__":
    main()
